// Reading a platform: the SoCs it includes and the hardware they bring, where to report about
// hardware that comes from a SoC, how to name a declaration in a message, and the one sized-range
// rule (LANG-VALUE-RANGE: non-empty, ending within its space) shared by hardware regions, host
// bridge configuration regions and windows, and Xen MMIO holes.
import type { AstNode, ValidationAcceptor } from 'langium';
import type { HardwareItem, Platform, Soc, SocInclude } from '../generated/ast.js';
import { hex } from '../numbers.js';
import { report, type Where } from './report.js';

/** Each SoC the platform includes, with the `soc` line that includes it first (a repeated include adds nothing). */
export function socIncludes(platform: Platform): Array<{ soc: Soc; via: SocInclude }> {
    const seen = new Set<Soc>();
    const result: Array<{ soc: Soc; via: SocInclude }> = [];
    for (const via of platform.socs) {
        const soc = via.soc?.ref;
        if (!soc || seen.has(soc)) continue;
        seen.add(soc);
        result.push({ soc, via });
    }
    return result;
}

/** The hardware a platform has: that of the SoCs it includes, then its own (so pairs end on the platform's own item when they can). */
export function platformHardware(platform: Platform): Array<{ item: HardwareItem; via?: SocInclude }> {
    const fromSocs = socIncludes(platform).flatMap(({ soc, via }) => soc.items.map((item) => ({ item, via })));
    const own = platform.items.map((item) => ({ item }));
    return [...fromSocs, ...own];
}

/** Where to report about hardware of the platform: `where` in the item, or the `soc` line that brings it in. */
export function placeOf(entry: { via?: SocInclude }, where: Where<AstNode>): Where<AstNode> {
    return entry.via ? { node: entry.via, property: 'soc' as never } : where;
}

const KIND_LABEL: Record<string, string> = {
    MemoryRegion: 'memory', ReservedRegion: 'reserved region', GenericDevice: 'device', Uart: 'UART', Its: 'ITS', Smmu: 'SMMU',
    X86Iommu: 'IOMMU', Gic: 'GIC', IoApic: 'IO-APIC', HostBridge: 'host bridge', PciFunction: 'function', IortItsGroup: 'IORT its-group',
    XenDomain: 'domain', Dom0: 'Xen', KvmVm: 'VM',
};

export function describeNode(node: AstNode): string {
    const name = (node as { name?: string }).name ?? '';
    return `${KIND_LABEL[node.$type] ?? node.$type} ${name}`.trim();
}

/** A region of `size` bytes at `base` must be non-empty and end within `limit`; reported at the size (`where`). */
export function checkSizedRange(where: Where<AstNode>, label: string, base: bigint | undefined, size: bigint | undefined, limit: bigint, space: string, accept: ValidationAcceptor): void {
    if (size === undefined) return;
    if (size === 0n) {
        report(accept, 'LANG-VALUE-RANGE', `${label} has size 0: it covers nothing.`, where);
    } else if (base !== undefined && base + size > limit) {
        report(accept, 'LANG-VALUE-RANGE', `${label} at ${hex(base)} size ${hex(size)} ends at ${hex(base + size)}, past ${space}.`, where);
    }
}

export function sizeOf(node: AstNode): Where<AstNode> {
    return { node, property: 'size' as never };
}
