// Configuration space a 32-bit Linux must map (issue 14; the Xen Summit notes, seed 003: "Is there
// enough address space to map ECAM into Dom0? Maximum ECAM size is 256MB."). On a 32-bit kernel
// drivers/pci/ecam.c pci_ecam_create ioremaps the configuration space of each bus of the host
// bridge separately (per_bus_mapping = !IS_ENABLED(CONFIG_64BIT)), 1 MiB a bus, into the vmalloc
// area, which on arm32 is 240 MiB unless `vmalloc=` says otherwise (arch/arm/mm/mmu.c
// vmalloc_min / early_vmalloc). A DesignWare- or Tegra-style controller maps its DBI and its config
// window whole; index/data registers take a page. The need counted here is a lower bound (each
// ioremap also takes a guard page), so reaching the area's size means the last host bridge cannot
// map its configuration space and fails to probe. The kernel is the host's, or dom0's under Xen:
// the rule is the same. Code LINUX-ECAM-VMALLOC.
import { finding, type Finding } from '../findings/finding.js';
import type { HostBridge, Platform } from '../model/platform.js';
import { hex } from './pci-text.js';

const MIB = 1n << 20n;
/** arch/arm/mm/mmu.c: "the default is 240m". */
export const ARM32_DEFAULT_VMALLOC = 240n * MIB;

function mib(bytes: bigint): string {
    return bytes % MIB === 0n ? `${bytes / MIB} MiB` : `${hex(bytes)} bytes`;
}

/** What the kernel ioremaps for the host bridge's configuration space, and how to say it. */
function configMapping(hb: HostBridge): { bytes: bigint; what: string } | undefined {
    const access = hb.configAccess;
    if (access?.method === 'index-data') return access.registers && { bytes: access.registers.size, what: `${hb.name}'s index/data registers` };
    if (!hb.ecam) return undefined;
    if (hb.childEcam || access?.method === 'dbi' || access?.method === 'sliding-window') {
        const bytes = hb.ecam.size + (hb.childEcam?.size ?? 0n);
        return { bytes, what: `${hb.name}'s DBI and config window` };
    }
    const buses = hb.busEnd - hb.busStart + 1n;
    const covered = hb.ecam.size / MIB;
    const mapped = buses < covered ? buses : covered;
    return { bytes: mapped * MIB, what: `${hb.name}'s ECAM for ${mapped} bus${mapped === 1n ? '' : 'es'}` };
}

export function configVmallocFindings(platform: Platform): Finding[] {
    if (platform.arch !== 'arm32') return [];
    const area = platform.linux.vmalloc ?? ARM32_DEFAULT_VMALLOC;
    const areaText = platform.linux.vmalloc === undefined ? `the ${mib(area)} vmalloc area (the arm32 default; \`linux { vmalloc SIZE }\` sets vmalloc=)` : `the ${mib(area)} vmalloc area (vmalloc=)`;
    let total = 0n;
    const before: { hb: HostBridge; what: string; bytes: bigint }[] = [];
    for (const hb of platform.hostBridges) {
        const m = configMapping(hb);
        if (!m || m.bytes === 0n) continue;
        total += m.bytes;
        if (total >= area) {
            const others = before.length === 0 ? '' : ` after ${before.map((b) => `${b.what} (${mib(b.bytes)})`).join(', ')}: ${mib(total)}`;
            return [
                finding(
                    'LINUX-ECAM-VMALLOC',
                    `Platform ${platform.name} is 32-bit: Linux (the host's, or dom0's under Xen) ioremaps configuration space into its vmalloc area, each bus separately (drivers/pci/ecam.c pci_ecam_create), and ${m.what} needs ${mib(m.bytes)}${others} of ${areaText}, leaving nothing for the rest of the kernel: host bridge ${hb.name} cannot map it and fails to probe`,
                    (hb.configAccess?.method === 'index-data' ? hb.configAccess.loc : hb.ecam?.loc) ?? hb.loc,
                    before.map((b) => ({ loc: b.hb.ecam?.loc ?? b.hb.loc, message: `${b.what} (${mib(b.bytes)})` })),
                ),
            ];
        }
        before.push({ hb, what: m.what, bytes: m.bytes });
    }
    return [];
}
