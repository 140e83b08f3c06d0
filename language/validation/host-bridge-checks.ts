// Host bridge checks: one configuration space (ecam or mcfg), bus range and segment in range,
// ECAM large enough for its buses (DOMAIN §5.1, B.12 #1), configuration regions inside the
// address space (DOMAIN §5.1.2), properties given once, host windows (I/O not prefetchable, 32-bit
// windows below 4 GiB), and no two host bridges sharing a segment and buses (B.12 #3).
// Codes LANG-MISSING-PROPERTY, LANG-CONTRADICTORY, PCI-BUS-RANGE, PCI-SEGMENT-RANGE,
// HB-ECAM-TOO-SMALL, HB-SEGMENT-OVERLAP, LANG-VALUE-RANGE, LANG-DUPLICATE-PROPERTY.
// Only what the text alone shows: nothing here enumerates buses (the simulator does).
import type { AstNode, ValidationAcceptor, ValidationChecks } from 'langium';
import type { HostBridge, HostWindow, MapMask, PciplatAstType, Platform, SocInclude } from '../generated/ast.js';
import { hex } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { ADDRESS_SPACE, FOUR_GIB, bus, valueOf } from './ast-helpers.js';
import { checkSizedRange, placeOf, platformHardware, sizeOf } from './platform-helpers.js';
import { repeatedItems } from './repeat-helpers.js';
import { relatedAt, report } from './report.js';

/** ECAM gives each bus 1 MiB of configuration space (DOMAIN §5.1.1). */
const BUS_SHIFT = 20n;

export function hostBridgeChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Platform: checkHostBridgesDoNotShareBuses,
        HostBridge: [checkOneConfigSpace, checkBusRange, checkSegmentRange, checkEcamCoversBuses, checkConfigRegionsFitAddressSpace, checkHostBridgePropertiesOnce],
        HostWindow: checkWindow,
    };
}

/**
 * The buses a host bridge decodes: its bus-range (with mcfg: the ACPI _CRS range, which the MCFG
 * entry may cover only in part, mcfg-coverage-checks.ts), else its mcfg range, else all 256 (DT
 * default, DOMAIN §5.1.3).
 */
function busesOf(bridge: HostBridge): { start: bigint; end: bigint } | undefined {
    const range = bridge.busRanges[0] ?? bridge.mcfgs[0];
    if (!range) return { start: 0n, end: 0xffn };
    const start = valueOf(range.start);
    const end = valueOf(range.end);
    return start === undefined || end === undefined || start > end ? undefined : { start, end };
}

/** DOMAIN B.12 #3: a segment and bus must name one host bridge, or SBDFs are ambiguous. */
function checkHostBridgesDoNotShareBuses(platform: Platform, accept: ValidationAcceptor): void {
    const bridges = platformHardware(platform).filter((e): e is { item: HostBridge; via?: SocInclude } => e.item.$type === 'HostBridge');
    bridges.forEach((entry, i) => {
        const segment = valueOf(entry.item.segment);
        const buses = busesOf(entry.item);
        if (segment === undefined || !buses) return;
        const other = bridges.slice(0, i).find((e) => valueOf(e.item.segment) === segment && overlaps(busesOf(e.item), buses));
        if (!other) return;
        const otherBuses = busesOf(other.item)!;
        const prefix = entry.via ? `In SoC ${entry.via.soc.ref!.name}, host bridge` : 'Host bridge';
        report(accept, 'HB-SEGMENT-OVERLAP', `${prefix} ${entry.item.name} (segment ${hex(segment)}, buses ${bus(buses.start)}..${bus(buses.end)}) overlaps host bridge ${other.item.name} (segment ${hex(segment)}, buses ${bus(otherBuses.start)}..${bus(otherBuses.end)}): an address on the shared buses names two functions.`, placeOf(entry, { node: entry.item, property: 'segment' }), [relatedAt(other.item, `host bridge ${other.item.name}`)]);
    });
}

function overlaps(a: { start: bigint; end: bigint } | undefined, b: { start: bigint; end: bigint }): boolean {
    return a !== undefined && a.start <= b.end && b.start <= a.end;
}

function checkOneConfigSpace(bridge: HostBridge, accept: ValidationAcceptor): void {
    const ecam = bridge.ecams[0];
    const mcfg = bridge.mcfgs[0];
    // `config-access index-data` reaches configuration space through registers, not a region (issue 14).
    if (!ecam && !mcfg && bridge.configAccesses[0]?.method !== 'index-data') {
        report(accept, 'LANG-MISSING-PROPERTY', `Host bridge ${bridge.name} has no configuration space: write \`ecam at A size S\` (device tree) or \`mcfg at A buses S..E\` (ACPI).`, { node: bridge, property: 'name' });
    }
    if (ecam && mcfg) {
        report(accept, 'LANG-CONTRADICTORY', `Host bridge ${bridge.name} gives both ecam (base = first bus of bus-range) and mcfg (base = bus 0): write one.`, { node: mcfg, keyword: 'mcfg' }, [relatedAt(ecam, `ecam of ${bridge.name}`)]);
    }
}

function checkBusRange(bridge: HostBridge, accept: ValidationAcceptor): void {
    for (const range of [...bridge.busRanges, ...bridge.mcfgs]) {
        const start = valueOf(range.start);
        const end = valueOf(range.end);
        for (const [property, value] of [['start', start], ['end', end]] as const) {
            if (value !== undefined && value > 0xffn) {
                report(accept, 'PCI-BUS-RANGE', `Bus ${hex(value)} in the bus range of host bridge ${bridge.name} is above 0xff.`, { node: range, property });
            }
        }
        if (start !== undefined && end !== undefined && end < start) {
            report(accept, 'LANG-VALUE-RANGE', `The bus range of host bridge ${bridge.name} ends at ${bus(end)}, before its start ${bus(start)}.`, { node: range, property: 'end' });
        }
    }
}

function checkSegmentRange(bridge: HostBridge, accept: ValidationAcceptor): void {
    const segment = valueOf(bridge.segment);
    if (segment !== undefined && segment > 0xffffn) {
        report(accept, 'PCI-SEGMENT-RANGE', `Segment ${hex(segment)} of host bridge ${bridge.name} is above 0xffff.`, { node: bridge, property: 'segment' });
    }
}

/**
 * DOMAIN §5.1 and B.12 #1: DT `ecam` starts at the first bus of bus-range and needs 1 MiB per bus.
 * DesignWare-style bridges (`child-ecam`) reach buses below the root through a windowed child
 * region whose size says nothing about the bus count, so they are left alone.
 */
function checkEcamCoversBuses(bridge: HostBridge, accept: ValidationAcceptor): void {
    const ecam = bridge.ecams[0];
    if (!ecam || bridge.childEcams.length > 0 || bridge.mcfgs.length > 0) return;
    // `config-access dbi` / `sliding-window`: `ecam` is the controller's own registers (issue 14).
    const method = bridge.configAccesses[0]?.method;
    if (method === 'dbi' || method === 'sliding-window') return;
    const size = valueOf(ecam.size);
    const buses = busesOf(bridge);
    if (size === undefined || !buses || buses.end > 0xffn) return;
    const count = buses.end - buses.start + 1n;
    const needed = count << BUS_SHIFT;
    if (size >= needed) return;
    const reached = size >> BUS_SHIFT;
    const firstLost = buses.start + reached;
    const unreachable = reached === 0n ? 'no bus is fully reachable' : firstLost === buses.end ? `bus ${bus(firstLost)} is unreachable` : `buses ${bus(firstLost)}..${bus(buses.end)} are unreachable`;
    report(accept, 'HB-ECAM-TOO-SMALL', `ECAM of host bridge ${bridge.name} is ${hex(size)} bytes, but buses ${bus(buses.start)}..${bus(buses.end)} need ${hex(needed)} (1 MiB each): ${unreachable}.`, { node: ecam, property: 'size' });
}

/** MCFG's base is bus 0's: the region it describes is base + (start << 20) .. base + ((end + 1) << 20) (DOMAIN §5.1.2). */
function checkConfigRegionsFitAddressSpace(bridge: HostBridge, accept: ValidationAcceptor): void {
    for (const ecam of [...bridge.ecams, ...bridge.childEcams]) {
        checkSizedRange(sizeOf(ecam), `${ecam.$type === 'Ecam' ? 'ECAM' : 'Child ECAM'} of host bridge ${bridge.name}`, valueOf(ecam.base), valueOf(ecam.size), ADDRESS_SPACE, 'the 64-bit address space', accept);
    }
    for (const mcfg of bridge.mcfgs) {
        const base = valueOf(mcfg.base);
        const end = valueOf(mcfg.end);
        if (base === undefined || end === undefined || end > 0xffn) continue;
        const last = base + ((end + 1n) << BUS_SHIFT);
        if (last > ADDRESS_SPACE) {
            report(accept, 'LANG-VALUE-RANGE', `The MCFG region of host bridge ${bridge.name} (bus 0 at ${hex(base)}, up to bus ${bus(end)}) ends at ${hex(last)}, past the 64-bit address space.`, { node: mcfg, property: 'base' });
        }
    }
}

function checkHostBridgePropertiesOnce(bridge: HostBridge, accept: ValidationAcceptor): void {
    const single: Array<[string, AstNode[]]> = [
        ['compatible', bridge.compatibles], ['ecam', bridge.ecams], ['mcfg', bridge.mcfgs], ['child-ecam', bridge.childEcams],
        ['bus-range', bridge.busRanges], ['numa-node', bridge.numaNodes], ['msi-parent', bridge.msiParents],
        ['config-access', bridge.configAccesses],
    ];
    const owner = `Host bridge ${bridge.name}`;
    for (const [keyword, list] of single) {
        repeatedItems(list, () => keyword, (node) => ({ node, keyword }), accept, owner);
    }
    repeatedItems<MapMask>(bridge.masks, (m) => m.kind, (m) => ({ node: m, property: 'kind' }), accept, owner);
}

function checkWindow(window: HostWindow, accept: ValidationAcceptor): void {
    const bridge = window.$container.name;
    const label = `The ${window.kind} window of host bridge ${bridge}`;
    const base = valueOf(window.base);
    const size = valueOf(window.size);
    checkSizedRange(sizeOf(window), label, base, size, ADDRESS_SPACE, 'the 64-bit address space', accept);
    if (window.kind === 'io' && window.prefetch) {
        report(accept, 'LANG-CONTRADICTORY', `${label} is marked prefetch: only memory windows can be prefetchable.`, { node: window, property: 'prefetch' });
    }
    const pci = window.pciBase !== undefined ? valueOf(window.pciBase) : base;
    if (pci === undefined || size === undefined || size === 0n) return;
    if (window.pciBase !== undefined && pci + size > ADDRESS_SPACE) {
        report(accept, 'LANG-VALUE-RANGE', `${label} maps PCI addresses ${hex(pci)} size ${hex(size)}, past the 64-bit address space.`, { node: window, property: 'pciBase' });
    } else if (window.kind === 'mem32' && pci + size > FOUR_GIB) {
        report(accept, 'LANG-VALUE-RANGE', `${label} covers PCI addresses ${hex(pci)}..${hex(pci + size - 1n)}, above 4 GiB: a 32-bit window must end at or below 0xffffffff (use mem64, or a \`pci\` address below 4 GiB).`, { node: window, property: window.pciBase !== undefined ? 'pciBase' : pci >= FOUR_GIB ? 'base' : 'size' });
    }
}
