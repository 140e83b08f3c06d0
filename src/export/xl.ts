// `pciplat export xl --domain D`: a complete xl.cfg(5) for one Xen domain, from the simulated
// result: the domain's settings, and `pci = [...]` with every device's host SBDF, the guest slot
// the simulation gave it (vslot) and its per-device options (xl-pci-configuration(5)).
// Arm guests are PVH-style (`type = "pvh"`, xl's only type there) and get the GIC version of the
// host (`gic_version`); x86 HVM guests get `mmio_hole` when the description writes the low hole.
// The kernel is not part of a platform description: the file says where it goes.
import type { DomainResult } from '../hypervisor/result.js';
import { xlPciEntryText, type XlDomainConfig } from '../hypervisor/xl-config.js';
import { hex } from '../hypervisor/format.js';
import { isArmArch, type Platform, type XenDomain } from '../model/platform.js';
import type { ExportInput } from './exporter.js';

const MIB = 1n << 20n;

/** Why xl.cfg does not describe this domain (dom0less domains come from the device tree). */
export function xlNotApplicable(platform: Platform, guest: DomainResult): string | undefined {
    const decl = platform.xen?.domains.find((d) => d.name === guest.name);
    if (decl?.dom0less) return `${guest.name} is a dom0less domain: Xen builds it at boot from the device tree, not from an xl.cfg (export dts --domain ${guest.name} writes its nodes)`;
    return undefined;
}

/** The guest device number the simulation gave a device (`0000:00:DD.F`), if it has one. */
function guestSlot(guest: DomainResult, device: string): bigint | undefined {
    const m = /^[0-9a-f]{4}:00:([0-9a-f]{2})\.[0-7]$/.exec(guest.guestSbdf[device] ?? '');
    return m ? BigInt(`0x${m[1]}`) : undefined;
}

function typeOf(platform: Platform, config: XlDomainConfig): 'pv' | 'pvh' | 'hvm' {
    if (config.type) return config.type;
    return isArmArch(platform.arch) ? 'pvh' : 'hvm';
}

function lowHoleMiB(platform: Platform, decl: XenDomain | undefined): bigint | undefined {
    if (platform.arch !== 'x86_64') return undefined;
    const low = decl?.holes.find((h) => h.which === 'low');
    return low === undefined ? undefined : low.size / MIB;
}

export function xlText(input: ExportInput): string {
    const { platform, result } = input;
    const guest = input.guest!;
    const config = guest.xl ?? { name: guest.name, pci: [] };
    const decl = platform.xen?.domains.find((d) => d.name === guest.name);
    const type = typeOf(platform, config);
    const lines: string[] = [
        `# xl.cfg for domain ${guest.name} of platform ${platform.name}, written by pciplat from its simulation`,
        `# (profile ${result.profile}). xl.cfg(5), xl-pci-configuration(5).`,
    ];
    if (guest.devices.length > 0) {
        lines.push('#', '# Guest PCI devices (host -> guest SBDF; BARs guest <- host):');
        for (const dev of guest.devices) {
            const bars = guest.guestBars
                .filter((b) => b.device === dev && b.guest !== undefined)
                .map((b) => `bar${b.bar === 'rom' ? ' rom' : b.bar} ${hex(b.guest!)}${b.host === undefined ? '' : ` <- ${hex(b.host)}`}`);
            const host = config.pci.find((e) => e.device === dev)?.bdf ?? '';
            lines.push(`#   ${dev}: ${host} -> ${guest.guestSbdf[dev] ?? '(no slot)'}${bars.length ? `; ${bars.join(', ')}` : ''}`);
        }
    }
    lines.push('', `name = "${config.name}"`, `type = "${type}"`);
    if (config.memoryMiB !== undefined) lines.push(`memory = ${config.memoryMiB}`);
    if (config.vcpus !== undefined) lines.push(`vcpus = ${config.vcpus}`);
    if (isArmArch(platform.arch)) {
        const gic = platform.gics[0];
        // xl knows v2 and v3; a GICv4 host presents a GICv3 to guests.
        if (gic) lines.push(`gic_version = "${gic.version === 'v2' ? 'v2' : 'v3'}"`);
    }
    const hole = type === 'hvm' ? lowHoleMiB(platform, decl) : undefined;
    if (hole !== undefined) lines.push(`mmio_hole = ${hole}`);
    if (type !== 'hvm') lines.push('# kernel = "/path/to/the/guest/kernel"   # required for a PV or PVH guest; not part of the platform description');
    if (config.pci.length > 0) {
        lines.push('pci = [');
        config.pci.forEach((e, i) => lines.push(`    "${xlPciEntryText(e, e.vslot ?? guestSlot(guest, e.device))}"${i === config.pci.length - 1 ? '' : ','}`));
        lines.push(']');
    }
    // Non-PCI devices: xl.cfg dtdev (their host device-tree nodes) and iomem (PFN,PAGES@GFN).
    const passed = (decl?.passthrough ?? []).flatMap((p) => platform.platformDevices.filter((d) => d.name === p.device && !d.io).map((d) => ({ p, d })));
    if (passed.length > 0) {
        lines.push('# dtdev: the host device-tree path of each device, written here as NAME@BASE: use the real node path');
        lines.push(`dtdev = [ ${passed.map(({ d }) => `"/${d.name}@${d.base.toString(16)}"`).join(', ')} ]`);
        const page = (a: bigint) => (a >> 12n).toString(16);
        lines.push(`iomem = [ ${passed.map(({ p, d }) => `"${page(d.base)},${((d.size + 0xfffn) >> 12n).toString(16)}@${page(p.guestBase ?? d.base)}"`).join(', ')} ]`);
    }
    return `${lines.join('\n')}\n`;
}
