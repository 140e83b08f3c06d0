// The export formats: what each one writes, what it is written for (the whole platform, one Xen
// domain or one KVM VM) and the platforms it applies to. One file per format renders the text
// from the simulated result (placed addresses, guest slots, StreamIDs), never from the source.
import type { DomainResult } from '../hypervisor/result.js';
import type { SimulationResult } from '../engine/result.js';
import type { Platform } from '../model/platform.js';
import { groupsText } from './groups.js';
import type { PciNames } from './lspci-names.js';
import { treeText } from './tree.js';
import { xlNotApplicable, xlText } from './xl.js';
import { qemuNotApplicable, qemuText } from './qemu.js';
import { dtsNotApplicable, dtsoText, dtsText } from './dts.js';
import { libvirtText } from './libvirt.js';

export interface ExportInput {
    platform: Platform;
    result: SimulationResult;
    names: PciNames;
    /** The guest asked for (`--domain` / `--vm`), or chosen because it is the only one. */
    guest?: DomainResult;
}

/**
 * What a format describes: `platform` the host's fabric, `xen` / `kvm` one guest of that
 * hypervisor; a format may take either (the host's fabric, or a guest with `--vm`/`--domain`).
 */
export type Target = 'platform' | 'xen' | 'kvm';

export interface Exporter {
    format: string;
    summary: string;
    /** The targets it can export, the first being what it exports without --domain/--vm. */
    targets: readonly Target[];
    /** Why it does not apply to this platform (e.g. a device tree for an x86 platform). */
    notApplicable?(platform: Platform): string | undefined;
    /** Why it does not apply to this guest (e.g. xl.cfg for a dom0less domain). */
    guestNotApplicable?(platform: Platform, guest: DomainResult): string | undefined;
    render(input: ExportInput): string;
    /** What an editor shows the text as, and the file name it suggests (`platform` or the guest's name). */
    language: string;
    extension: string;
}

export const EXPORTERS: readonly Exporter[] = [
    { format: 'groups', summary: 'the IOMMU groups as /sys/kernel/iommu_groups lists them (lspci -nns lines)', targets: ['platform'], render: groupsText, language: 'plaintext', extension: 'groups.txt' },
    { format: 'tree', summary: 'the PCI tree as lspci -tv draws it', targets: ['platform'], render: treeText, language: 'plaintext', extension: 'tree.txt' },
    { format: 'qemu', summary: "a QEMU command line building the platform's topology; with --vm, the KVM guest's vfio-pci devices", targets: ['platform', 'kvm'], notApplicable: qemuNotApplicable, render: qemuText, language: 'shellscript', extension: 'sh' },
    { format: 'dts', summary: 'device-tree nodes of the host bridges, ITS and SMMU; with --domain, what Xen reads for that domain', targets: ['platform', 'xen'], notApplicable: dtsNotApplicable, render: dtsText, language: 'plaintext', extension: 'dts' },
    { format: 'dtso', summary: 'the same host-bridge, ITS and SMMU nodes as a device-tree overlay', targets: ['platform'], notApplicable: dtsNotApplicable, render: dtsoText, language: 'plaintext', extension: 'dtso' },
    { format: 'libvirt', summary: "a KVM VM's libvirt <devices>: a <hostdev> per assigned function at its guest slot", targets: ['kvm'], render: libvirtText, language: 'xml', extension: 'xml' },
    { format: 'xl', summary: "a Xen domain's complete xl.cfg (pci = [...] with guest slots)", targets: ['xen'], guestNotApplicable: xlNotApplicable, render: xlText, language: 'plaintext', extension: 'cfg' },
];

export function exporterNamed(format: string): Exporter | undefined {
    return EXPORTERS.find((e) => e.format === format);
}

/** A request that does not fit the platform: unknown guest, or a format that does not apply. */
export class ExportUsageError extends Error {
    override name = 'ExportUsageError';
}

export interface GuestRequest {
    domain?: string;
    vm?: string;
}

function list(names: readonly string[]): string {
    return names.length === 0 ? 'none' : names.join(', ');
}

/**
 * The guest an export is for: the one asked for, or the only guest of the right hypervisor when
 * the format needs one; undefined when the format exports the platform. Everything that does not
 * fit throws an ExportUsageError naming what exists.
 */
export function chooseGuest(exporter: Exporter, platform: Platform, result: SimulationResult, request: GuestRequest): DomainResult | undefined {
    const guest = pickGuest(exporter, platform, result, request);
    const why = guest && exporter.guestNotApplicable?.(platform, guest);
    if (why) throw new ExportUsageError(`export ${exporter.format} does not apply: ${why}`);
    return guest;
}

function pickGuest(exporter: Exporter, platform: Platform, result: SimulationResult, request: GuestRequest): DomainResult | undefined {
    const why = exporter.notApplicable?.(platform);
    if (why) throw new ExportUsageError(`export ${exporter.format} does not apply to platform ${platform.name}: ${why}`);
    const xen = result.domains.filter((d) => d.hypervisor === 'xen');
    const kvm = result.domains.filter((d) => d.hypervisor === 'kvm');
    const names = (ds: DomainResult[]) => list(ds.map((d) => d.name));
    const pick = (hv: 'xen' | 'kvm', wanted: string): DomainResult => {
        const pool = hv === 'xen' ? xen : kvm;
        const found = pool.find((d) => d.name === wanted);
        if (found) return found;
        const other = (hv === 'xen' ? kvm : xen).find((d) => d.name === wanted);
        if (other) throw new ExportUsageError(`${wanted} is a ${hv === 'xen' ? 'KVM VM, not a Xen domain' : 'Xen domain, not a KVM VM'}: use --${hv === 'xen' ? 'vm' : 'domain'} ${wanted}`);
        throw new ExportUsageError(`platform ${platform.name} has no ${hv === 'xen' ? 'Xen domain' : 'KVM VM'} '${wanted}'; its ${hv === 'xen' ? 'domains' : 'VMs'}: ${names(pool)}`);
    };
    const takes = (t: Target) => exporter.targets.includes(t);
    if (request.domain !== undefined) {
        if (!takes('xen')) throw new ExportUsageError(`export ${exporter.format} does not take --domain: ${doesWhat(exporter)}`);
        return pick('xen', request.domain);
    }
    if (request.vm !== undefined) {
        if (!takes('kvm')) throw new ExportUsageError(`export ${exporter.format} does not take --vm: ${doesWhat(exporter)}`);
        return pick('kvm', request.vm);
    }
    const first = exporter.targets[0] ?? 'platform';
    if (first === 'platform') return undefined;
    const pool = first === 'xen' ? xen : kvm;
    const option = first === 'xen' ? '--domain' : '--vm';
    const kind = first === 'xen' ? 'Xen domain' : 'KVM VM';
    if (pool.length === 1) return pool[0];
    if (pool.length === 0) throw new ExportUsageError(`export ${exporter.format} writes the configuration of a ${kind}, and platform ${platform.name} has none${otherGuests(first, xen, kvm)}`);
    throw new ExportUsageError(`platform ${platform.name} has ${pool.length} ${kind}s; choose one with ${option}: ${names(pool)}`);
}

function otherGuests(wanted: 'xen' | 'kvm', xen: DomainResult[], kvm: DomainResult[]): string {
    const other = wanted === 'xen' ? kvm : xen;
    if (other.length === 0) return '';
    return wanted === 'xen' ? ` (its KVM VMs: ${list(other.map((d) => d.name))}; try libvirt or qemu --vm)` : ` (its Xen domains: ${list(other.map((d) => d.name))}; try xl)`;
}

function doesWhat(e: Exporter): string {
    const words: Record<Target, string> = { platform: 'the platform', xen: 'a Xen domain (--domain)', kvm: 'a KVM VM (--vm)' };
    return `it exports ${e.targets.map((t) => words[t]).join(' or ')}`;
}

/** One export that applies to a platform: a format, and the guest it is for when it takes one. */
export interface ExportTarget {
    format: string;
    summary: string;
    domain?: string;
    vm?: string;
}

/** Every export that applies to the platform, from its description (no simulation needed). */
export function exportTargets(platform: Platform): ExportTarget[] {
    const out: ExportTarget[] = [];
    for (const e of EXPORTERS) {
        if (e.notApplicable?.(platform)) continue;
        for (const t of e.targets) {
            if (t === 'platform') out.push({ format: e.format, summary: e.summary });
            if (t === 'xen') {
                for (const d of platform.xen?.domains ?? []) {
                    const guest = { name: d.name } as DomainResult;
                    if (!e.guestNotApplicable?.(platform, guest)) out.push({ format: e.format, summary: e.summary, domain: d.name });
                }
            }
            if (t === 'kvm') for (const v of platform.kvm?.vms ?? []) out.push({ format: e.format, summary: e.summary, vm: v.name });
        }
    }
    return out;
}

/** The file name an export suggests: `PLATFORM[.GUEST].EXT`. */
export function exportFileName(exporter: Exporter, platform: string, guest: string | undefined): string {
    return `${platform}${guest ? `.${guest}` : ''}.${exporter.extension}`;
}
