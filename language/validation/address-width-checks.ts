// The CPU's physical address width on 32-bit Arm (issue 14): without LPAE the CPU reaches 32-bit
// physical addresses only, with LPAE 40-bit ones (the long-descriptor format's output address).
// A region the platform places beyond that is out of the CPU's reach: its RAM cannot be used, its
// registers and configuration space cannot be mapped, a host window above it carries no BAR.
// Reported once, at the region's base (BARs inside such a window follow from it and are not
// reported again). `lpae` on another architecture is LANG-NOT-APPLICABLE.
// Code ARCH-ADDRESS-LIMIT.
import type { AstNode, ValidationAcceptor, ValidationChecks } from 'langium';
import type { ArchDecl, HardwareItem, PciplatAstType, Platform } from '../generated/ast.js';
import { hex } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { valueOf } from './ast-helpers.js';
import { describeNode, placeOf, platformHardware } from './platform-helpers.js';
import { report } from './report.js';

export function addressWidthChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Platform: checkRegionsWithinAddressWidth,
        ArchDecl: checkLpaeOnArm32,
    };
}

function checkLpaeOnArm32(decl: ArchDecl, accept: ValidationAcceptor): void {
    if (decl.lpae && decl.value !== 'arm32') {
        report(accept, 'LANG-NOT-APPLICABLE', `\`lpae\` is the Large Physical Address Extension of 32-bit Arm; arch ${decl.value} has no use for it.`, { node: decl, property: 'lpae' });
    }
}

interface Region {
    node: AstNode;
    label: string;
    base: bigint;
    size: bigint;
}

/** The CPU-side regions of one hardware item: its registers, or a host bridge's configuration regions and windows. */
function regionsOf(item: HardwareItem): Region[] {
    const sized = (node: AstNode & { base?: string; size?: string }, label: string): Region[] => {
        const base = valueOf(node.base);
        const size = valueOf(node.size);
        return base === undefined || size === undefined || size === 0n ? [] : [{ node, label, base, size }];
    };
    switch (item.$type) {
        case 'MemoryRegion':
        case 'ReservedRegion':
        case 'GenericDevice':
            return sized(item, describeNode(item));
        case 'Uart':
            return item.base === undefined ? [] : sized(item, describeNode(item));
        case 'HostBridge':
            return [
                ...item.ecams.flatMap((e) => sized(e, `the ECAM of host bridge ${item.name}`)),
                ...item.childEcams.flatMap((e) => sized(e, `the child ECAM of host bridge ${item.name}`)),
                ...item.configAccesses.flatMap((c) => sized(c, `the config-access registers of host bridge ${item.name}`)),
                ...item.windows.flatMap((w) => sized(w, `the ${w.kind}${w.prefetch ? ' prefetchable' : ''} window of host bridge ${item.name}`)),
            ];
        default: {
            // ITS, SMMU, GIC, IOMMU, IO-APIC: a register base with no size written; its first byte must be reachable.
            const base = valueOf((item as { base?: string }).base);
            return base === undefined ? [] : [{ node: item, label: describeNode(item), base, size: 1n }];
        }
    }
}

function checkRegionsWithinAddressWidth(platform: Platform, accept: ValidationAcceptor): void {
    const decl = platform.arch[0];
    if (platform.arch.length !== 1 || decl?.value !== 'arm32') return;
    const bits = decl.lpae ? 40n : 32n;
    const limit = 1n << bits;
    const how = decl.lpae ? 'arm32 with LPAE: 40-bit physical addresses' : 'arm32 without LPAE: 32-bit physical addresses (write `arch arm32 lpae` for 40-bit ones)';
    for (const entry of platformHardware(platform)) {
        for (const r of regionsOf(entry.item)) {
            const last = r.base + r.size - 1n;
            if (last < limit) continue;
            const what = r.size === 1n ? `at ${hex(r.base)}` : `at ${hex(r.base)}..${hex(last)}`;
            const label = r.label.charAt(0).toUpperCase() + r.label.slice(1);
            report(accept, 'ARCH-ADDRESS-LIMIT', `${label} lies ${what}, beyond ${hex(limit - 1n)}, but platform ${platform.name} is ${how}: the CPU cannot reach it.`, placeOf(entry, { node: r.node, property: 'base' as never }));
        }
    }
}
