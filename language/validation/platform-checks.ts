// Platform checks: hardware blocks (ITS, SMMU, memory, UART), host bridges (ECAM/MCFG, bus range, windows, iommu-map/msi-map and masks), IORT, the xen/kvm/linux blocks and scenarios.
// Only what the text alone shows: nothing here enumerates buses or places BARs (the simulator does).
import { AstUtils, GrammarUtils, type AstNode, type ValidationAcceptor, type ValidationChecks } from 'langium';
import {
    isPlatform, isSoc,
    type ArchDecl, type AssignStep, type Assignment, type Bar, type DisableSriovStep, type Dom0, type EnableSriovStep, type FunctionRef,
    type GenericDevice, type HardwareItem, type HostBridge, type HostWindow, type HotPlugStep, type IommuMapEntry, type Iort, type IortMapping,
    type IortNamedComponent, type IortRootComplex, type IortSmmu, type Its, type Kvm, type KvmVm, type MapMask, type MemoryRegion, type MmioHole,
    type MsiMapEntry, type PciAddress, type PciFunction, type PciplatAstType, type Platform, type RelocateBarStep, type ReservedRegion, type Smmu,
    type Soc, type SocInclude, type Sriov, type Uart, type VfBar, type Xen, type XenDomain,
} from '../generated/ast.js';
import { U64_MAX, hex, numberValue, pciAddressValue } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { relatedAt, report, type Where } from './report.js';

const ADDRESS_SPACE = 1n << 64n;
const FOUR_GIB = 1n << 32n;
const U32_MAX = FOUR_GIB - 1n;
/** ECAM gives each bus 1 MiB of configuration space (DOMAIN §5.1.1). */
const BUS_SHIFT = 20n;
/** x86 port I/O addresses have 16 bits. */
const IO_PORT_SPACE = 0x10000n;
/** A requester ID is bus<<8 | devfn: 16 bits (DOMAIN §1.1). */
const RID_SPACE = 0x10000n;

export function platformChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Platform: [checkOneArch, checkOneBlockOfEachKind, checkEachSocIncludedOnce, checkReferencesStayInPlatform, checkHardwareMatchesArch, checkHostBridgesDoNotShareBuses],
        MemoryRegion: checkRegionFitsAddressSpace,
        ReservedRegion: checkRegionFitsAddressSpace,
        GenericDevice: checkRegionFitsAddressSpace,
        Uart: checkUartFits,
        Its: checkItsProperties,
        Smmu: [checkSmmuProperties, checkStreamMatches],
        HostBridge: [checkOneConfigSpace, checkBusRange, checkSegmentRange, checkEcamCoversBuses, checkConfigRegionsFitAddressSpace, checkHostBridgePropertiesOnce],
        HostWindow: checkWindow,
        IommuMapEntry: checkMapEntry,
        MsiMapEntry: checkMapEntry,
        MapMask: checkMaskFits32Bits,
        Iort: checkRootComplexSegmentsDistinct,
        IortRootComplex: [checkRootComplexSegmentMatchesBridge, checkIdCountOffByOne],
        IortNamedComponent: checkIdCountOffByOne,
        IortSmmu: [checkIortSmmuKind, checkDeviceIdIndex, checkSingleMappingOnSmmu, checkIdCountOffByOne],
        IortMapping: checkIortMappingFields,
        Xen: [checkXenSettingsOnce, checkProfileMatchesArch],
        Dom0: checkDom0SettingsOnce,
        XenDomain: [checkDomainSettingsOnce, checkOneHoleOfEachKind],
        MmioHole: checkHole,
        Kvm: checkOneHostDriverPerDevice,
        KvmVm: checkVmSettingsOnce,
        Assignment: checkVirtualSlot,
        AssignStep: checkVirtualSlot,
        HotPlugStep: checkVirtualSlot,
        FunctionRef: checkVirtualFunctionExists,
        EnableSriovStep: checkEnableSriov,
        DisableSriovStep: checkDisableSriov,
        RelocateBarStep: checkRelocatedBar,
    };
}

// ---------------------------------------------------------------------------------------------
// Reading values

/** A NUMBER's value; undefined when absent or beyond 64 bits (LANG-NUMBER-OVERFLOW reports that). */
function valueOf(text: string | undefined): bigint | undefined {
    if (text === undefined || text === '') return undefined;
    const value = numberValue(text);
    return value > U64_MAX ? undefined : value;
}

/** Bus numbers as lspci prints them: two hex digits. */
function bus(value: bigint): string {
    return hex(value, 2);
}

function lineOf(node: AstNode | undefined): number {
    return (node?.$cstNode?.range.start.line ?? 0) + 1;
}

/** The line of one element of a multi-valued property (`memory 2G memory 4G`). */
function lineOfProperty(node: AstNode, property: string, index: number): number {
    const cst = GrammarUtils.findNodeForProperty(node.$cstNode, property, index);
    return (cst?.range.start.line ?? 0) + 1;
}

interface Repeat<T> {
    item: T;
    index: number;
    first: T;
    count: number;
}

/** Every occurrence of a key after its first one (items without a key are ignored). */
function repeats<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Repeat<T>[] {
    const byKey = new Map<string, number[]>();
    items.forEach((item, index) => {
        const key = keyOf(item);
        if (key === undefined) return;
        const list = byKey.get(key);
        if (list) list.push(index);
        else byKey.set(key, [index]);
    });
    const result: Repeat<T>[] = [];
    for (const indexes of byKey.values()) {
        for (const index of indexes.slice(1)) {
            result.push({ item: items[index]!, index, first: items[indexes[0]!]!, count: indexes.length });
        }
    }
    return result;
}

/** Each element after the first of a property that holds one value. */
function repeatedValues(node: AstNode, values: readonly string[], property: string, accept: ValidationAcceptor, owner: string): void {
    for (const r of repeats(values, () => property)) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `${owner} gives ${property} ${r.count} times (first at line ${lineOfProperty(node, property, 0)}).`, { node, property: property as never, index: r.index });
    }
}

/** The platform or SoC a declaration belongs to. */
function ownerOf(node: AstNode): Platform | Soc | undefined {
    return AstUtils.getContainerOfType(node, (n): n is Platform | Soc => isPlatform(n) || isSoc(n));
}

function ownerLabel(owner: Platform | Soc): string {
    return `${isPlatform(owner) ? 'platform' : 'SoC'} ${owner.name}`;
}

/** Each SoC the platform includes, with the `soc` line that includes it first (a repeated include adds nothing). */
function socIncludes(platform: Platform): Array<{ soc: Soc; via: SocInclude }> {
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
function platformHardware(platform: Platform): Array<{ item: HardwareItem; via?: SocInclude }> {
    const fromSocs = socIncludes(platform).flatMap(({ soc, via }) => soc.items.map((item) => ({ item, via })));
    const own = platform.items.map((item) => ({ item }));
    return [...fromSocs, ...own];
}

/** The one architecture the platform states, if it states exactly one. */
function archOf(node: AstNode): string | undefined {
    const platform = AstUtils.getContainerOfType(node, isPlatform);
    const values = new Set((platform?.arch ?? []).map((a) => a.value).filter((v) => v !== undefined));
    return values.size === 1 ? [...values][0] : undefined;
}

const KIND_LABEL: Record<string, string> = {
    MemoryRegion: 'memory', ReservedRegion: 'reserved region', GenericDevice: 'device', Uart: 'UART', Its: 'ITS', Smmu: 'SMMU',
    X86Iommu: 'IOMMU', Gic: 'GIC', IoApic: 'IO-APIC', HostBridge: 'host bridge', PciFunction: 'function', IortItsGroup: 'IORT its-group',
    XenDomain: 'domain', Dom0: 'Xen', KvmVm: 'VM',
};

function describeNode(node: AstNode): string {
    const name = (node as { name?: string }).name ?? '';
    return `${KIND_LABEL[node.$type] ?? node.$type} ${name}`.trim();
}

// ---------------------------------------------------------------------------------------------
// 1. Platform

function checkOneArch(platform: Platform, accept: ValidationAcceptor): void {
    if (platform.arch.length === 0) {
        report(accept, 'LANG-MISSING-PROPERTY', `Platform ${platform.name} has no arch: write \`arch arm64\` or \`arch x86_64\`.`, { node: platform, property: 'name' });
    }
    for (const r of repeats<ArchDecl>(platform.arch, () => 'arch')) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `Platform ${platform.name} declares arch ${r.count} times (first at line ${lineOf(r.first)}): a platform has one architecture.`, { node: r.item });
    }
}

function checkOneBlockOfEachKind(platform: Platform, accept: ValidationAcceptor): void {
    const blocks: Array<[string, AstNode[]]> = [['iort', platform.iorts], ['xen', platform.xens], ['kvm', platform.kvms], ['linux', platform.linuxes]];
    for (const [keyword, list] of blocks) {
        for (const r of repeats(list, () => keyword)) {
            report(accept, 'LANG-DUPLICATE-PROPERTY', `Platform ${platform.name} has ${r.count} ${keyword} blocks (first at line ${lineOf(r.first)}): merge them into one.`, { node: r.item, keyword });
        }
    }
}

function checkEachSocIncludedOnce(platform: Platform, accept: ValidationAcceptor): void {
    for (const r of repeats(platform.socs, (s) => s.soc?.ref?.name)) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `Platform ${platform.name} includes SoC ${r.item.soc.ref!.name} ${r.count} times (first at line ${lineOf(r.first)}).`, { node: r.item, property: 'soc' });
    }
}

/**
 * Names are one flat namespace per import closure, so a reference can resolve to hardware of
 * another platform or of a SoC this platform does not include: such hardware is not on this machine.
 */
function checkReferencesStayInPlatform(platform: Platform, accept: ValidationAcceptor): void {
    const includes = socIncludes(platform);
    const allowed = new Set<AstNode>([platform, ...includes.map((i) => i.soc)]);
    for (const node of AstUtils.streamAst(platform)) {
        for (const info of AstUtils.streamReferences(node)) {
            if (info.container.$type === 'SocInclude') continue;
            const target = referenceTarget(info.reference);
            const owner = target && ownerOf(target);
            if (!owner || allowed.has(owner)) continue;
            report(accept, 'LANG-NOT-IN-PLATFORM', `${capitalised(describeNode(target))} is declared in ${ownerLabel(owner)}, ${outsideReason(platform, owner)}.`, { node: info.container, property: info.property as never, index: info.index }, [relatedAt(target, `${describeNode(target)} is declared here`)]);
        }
    }
    // A SoC's own references are checked for each platform that includes it, at its `soc` line.
    for (const { soc, via } of includes) {
        for (const node of AstUtils.streamAllContents(soc)) {
            for (const info of AstUtils.streamReferences(node)) {
                const target = referenceTarget(info.reference);
                const owner = target && ownerOf(target);
                if (!owner || allowed.has(owner)) continue;
                report(accept, 'LANG-NOT-IN-PLATFORM', `SoC ${soc.name} refers to ${describeNode(target)}, declared in ${ownerLabel(owner)}, ${outsideReason(platform, owner)}.`, { node: via, property: 'soc' }, [relatedAt(target, `${describeNode(target)} is declared here`)]);
            }
        }
    }
}

function referenceTarget(reference: unknown): AstNode | undefined {
    return (reference as { ref?: AstNode }).ref;
}

function outsideReason(platform: Platform, owner: Platform | Soc): string {
    return isSoc(owner) ? `which platform ${platform.name} does not include (add \`soc ${owner.name}\`)` : `not in platform ${platform.name}`;
}

/** Where to report about hardware of the platform: `where` in the item, or the `soc` line that brings it in. */
function placeOf(entry: { via?: SocInclude }, where: Where<AstNode>): Where<AstNode> {
    return entry.via ? { node: entry.via, property: 'soc' as never } : where;
}

/** Arm and x86 describe interrupts, IOMMUs and configuration space with different hardware and tables. */
function checkHardwareMatchesArch(platform: Platform, accept: ValidationAcceptor): void {
    const arch = archOf(platform);
    if (arch === undefined) return;
    for (const entry of platformHardware(platform)) {
        const mismatch = archMismatch(entry.item, arch);
        if (!mismatch) continue;
        const prefix = entry.via ? `In SoC ${entry.via.soc.ref!.name}, ` : '';
        const what = entry.via ? uncapitalised(mismatch.what) : mismatch.what;
        report(accept, 'LANG-ARCH-MISMATCH', `${prefix}${what}, but platform ${platform.name} is arch ${arch}.`, placeOf(entry, mismatch.where));
    }
    if (arch === 'x86_64') {
        for (const iort of platform.iorts) {
            report(accept, 'LANG-ARCH-MISMATCH', `IORT is the Arm ACPI table for IOMMU and ITS mappings, but platform ${platform.name} is arch x86_64 (x86 uses DMAR/IVRS: \`iommu ... scope\`).`, { node: iort, keyword: 'iort' });
        }
    }
}

function archMismatch(item: HardwareItem, arch: string): { what: string; where: Where<AstNode> } | undefined {
    const name = item.name;
    if (arch === 'x86_64') {
        switch (item.$type) {
            case 'Its': return { what: `ITS ${name} is an Arm GICv3 MSI controller`, where: { node: item, keyword: 'its' } };
            case 'Smmu': return { what: `SMMU ${name} is an Arm IOMMU`, where: { node: item, keyword: 'smmu' } };
            case 'Gic': return { what: `GIC ${name} is the Arm interrupt controller`, where: { node: item, keyword: 'gic' } };
            case 'HostBridge': {
                const ecam = item.ecams[0];
                if (!ecam) return undefined;
                return { what: `Host bridge ${name} uses \`ecam\`, the device-tree convention (x86 firmware gives ACPI MCFG: \`mcfg at A buses S..E\`)`, where: { node: ecam, keyword: 'ecam' } };
            }
            default: return undefined;
        }
    }
    switch (item.$type) {
        case 'IoApic': return { what: `IO-APIC ${name} is an x86 interrupt controller`, where: { node: item, keyword: 'ioapic' } };
        case 'X86Iommu': return item.kind ? { what: `IOMMU ${name} is ${item.kind}, an x86 IOMMU (Arm uses an SMMU)`, where: { node: item, property: 'kind' as never } } : undefined;
        case 'HostBridge': {
            const mcfg = item.mcfgs[0];
            if (!mcfg) return undefined;
            return { what: `Host bridge ${name} uses \`mcfg\`, an ACPI table (Xen on Arm has no ACPI PCI support and finds host bridges in the device tree: \`ecam at A size S\`)`, where: { node: mcfg, keyword: 'mcfg' } };
        }
        default: return undefined;
    }
}

/** The buses a host bridge decodes: its mcfg range or bus-range, else all 256 (DT default, DOMAIN §5.1.3). */
function busesOf(bridge: HostBridge): { start: bigint; end: bigint } | undefined {
    const mcfg = bridge.mcfgs[0];
    const range = mcfg ?? bridge.busRanges[0];
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

// ---------------------------------------------------------------------------------------------
// 2. Hardware

type SizedRegion = MemoryRegion | ReservedRegion | GenericDevice;

function checkRegionFitsAddressSpace(region: SizedRegion, accept: ValidationAcceptor): void {
    checkSizedRange(sizeOf(region), capitalised(describeNode(region)), valueOf(region.base), valueOf(region.size), ADDRESS_SPACE, 'the 64-bit address space', accept);
}

function checkUartFits(uart: Uart, accept: ValidationAcceptor): void {
    if (uart.port !== undefined) checkSizedRange(sizeOf(uart), `UART ${uart.name} (I/O port)`, valueOf(uart.port), valueOf(uart.size), IO_PORT_SPACE, 'the 64 KiB I/O port space', accept);
    else checkSizedRange(sizeOf(uart), `UART ${uart.name}`, valueOf(uart.base), valueOf(uart.size), ADDRESS_SPACE, 'the 64-bit address space', accept);
}

/** A region of `size` bytes at `base` must be non-empty and end within `limit`; reported at the size (`where`). */
function checkSizedRange(where: Where<AstNode>, label: string, base: bigint | undefined, size: bigint | undefined, limit: bigint, space: string, accept: ValidationAcceptor): void {
    if (size === undefined) return;
    if (size === 0n) {
        report(accept, 'LANG-VALUE-RANGE', `${label} has size 0: it covers nothing.`, where);
    } else if (base !== undefined && base + size > limit) {
        report(accept, 'LANG-VALUE-RANGE', `${label} at ${hex(base)} size ${hex(size)} ends at ${hex(base + size)}, past ${space}.`, where);
    }
}

function sizeOf(node: AstNode): Where<AstNode> {
    return { node, property: 'size' as never };
}

/** GITS_TYPER holds Devbits and ID_bits as "bits minus one" in 5-bit fields: 1 to 32 bits (DOMAIN §11.4). */
function checkItsProperties(its: Its, accept: ValidationAcceptor): void {
    for (const r of repeats(its.props, (p) => p.key)) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `ITS ${its.name} gives ${r.item.key} ${r.count} times (first at line ${lineOf(r.first)}).`, { node: r.item, property: 'key' });
    }
    if (!its.props.some((p) => p.key === 'device-id-bits')) {
        report(accept, 'LANG-MISSING-PROPERTY', `ITS ${its.name} has no device-id-bits: DeviceIDs cannot be checked against the ITS's width (GITS_TYPER.Devbits + 1).`, { node: its, property: 'name' });
    }
    for (const prop of its.props) {
        const value = valueOf(prop.value);
        if (value === undefined) continue;
        if ((prop.key === 'device-id-bits' || prop.key === 'event-id-bits') && (value < 1n || value > 32n)) {
            report(accept, 'LANG-VALUE-RANGE', `${prop.key} ${value} of ITS ${its.name} is out of range: GITS_TYPER holds 1 to 32 bits.`, { node: prop, property: 'value' });
        }
        if (prop.key === 'size') checkSizedRange({ node: prop, property: 'value' }, `ITS ${its.name}`, valueOf(its.base), value, ADDRESS_SPACE, 'the 64-bit address space', accept);
    }
}

/** SMMUv3 IDR1.SIDSIZE allows up to 32 StreamID bits; SMMUv2 IDR0.NUMSIDB up to 15, 16 with extended IDs (DOMAIN §2.2.4). */
function maxStreamIdBits(smmu: Smmu): bigint {
    return smmu.version === 'v2' ? 16n : 32n;
}

function streamIdBits(smmu: Smmu): bigint | undefined {
    const bits = valueOf(smmu.props.find((p) => p.key === 'stream-id-bits')?.value);
    return bits !== undefined && bits >= 1n && bits <= maxStreamIdBits(smmu) ? bits : undefined;
}

function checkSmmuProperties(smmu: Smmu, accept: ValidationAcceptor): void {
    for (const r of repeats(smmu.props, (p) => p.key)) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `SMMU ${smmu.name} gives ${r.item.key} ${r.count} times (first at line ${lineOf(r.first)}).`, { node: r.item, property: 'key' });
    }
    if (!smmu.props.some((p) => p.key === 'stream-id-bits')) {
        report(accept, 'LANG-MISSING-PROPERTY', `SMMU ${smmu.name} has no stream-id-bits: StreamIDs cannot be checked against the SMMU's width.`, { node: smmu, property: 'name' });
    }
    for (const prop of smmu.props) {
        const value = valueOf(prop.value);
        if (value === undefined) continue;
        if (prop.key === 'stream-id-bits' && smmu.version && (value < 1n || value > maxStreamIdBits(smmu))) {
            const field = smmu.version === 'v2' ? 'IDR0.NUMSIDB' : 'IDR1.SIDSIZE';
            report(accept, 'LANG-VALUE-RANGE', `stream-id-bits ${value} of SMMU ${smmu.name} is out of range: an SMMU${smmu.version} has 1 to ${maxStreamIdBits(smmu)} StreamID bits (${field}).`, { node: prop, property: 'value' });
        }
        if (prop.key === 'size') checkSizedRange({ node: prop, property: 'value' }, `SMMU ${smmu.name}`, valueOf(smmu.base), value, ADDRESS_SPACE, 'the 64-bit address space', accept);
    }
}

/** Stream-match registers (SMR: ID and mask) exist on SMMUv2 only; v3 indexes a stream table by StreamID. */
function checkStreamMatches(smmu: Smmu, accept: ValidationAcceptor): void {
    if (smmu.version === 'v3') {
        for (const match of smmu.streamMatches) {
            report(accept, 'LANG-NOT-APPLICABLE', `SMMU ${smmu.name} is v3: stream-match entries (SMR registers) exist only on SMMUv2.`, { node: match, keyword: 'stream-match' });
        }
        return;
    }
    const bits = streamIdBits(smmu);
    if (bits === undefined) return;
    const limit = 1n << bits;
    for (const match of smmu.streamMatches) {
        for (const property of ['id', 'mask'] as const) {
            const value = valueOf(match[property]);
            if (value !== undefined && value >= limit) {
                report(accept, 'LANG-VALUE-RANGE', `stream-match ${property} ${hex(value)} of SMMU ${smmu.name} does not fit its ${bits} stream-id-bits (largest ${hex(limit - 1n)}).`, { node: match, property });
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Host bridges

function checkOneConfigSpace(bridge: HostBridge, accept: ValidationAcceptor): void {
    const ecam = bridge.ecams[0];
    const mcfg = bridge.mcfgs[0];
    if (!ecam && !mcfg) {
        report(accept, 'LANG-MISSING-PROPERTY', `Host bridge ${bridge.name} has no configuration space: write \`ecam at A size S\` (device tree) or \`mcfg at A buses S..E\` (ACPI).`, { node: bridge, property: 'name' });
    }
    if (ecam && mcfg) {
        report(accept, 'LANG-CONTRADICTORY', `Host bridge ${bridge.name} gives both ecam (base = first bus of bus-range) and mcfg (base = bus 0): write one.`, { node: mcfg, keyword: 'mcfg' }, [relatedAt(ecam, `ecam of ${bridge.name}`)]);
    }
    const busRange = bridge.busRanges[0];
    if (mcfg && busRange) {
        report(accept, 'LANG-CONTRADICTORY', `Host bridge ${bridge.name} gives both bus-range and \`mcfg ... buses ${mcfg.start}..${mcfg.end}\`: the mcfg entry already states the buses.`, { node: busRange, keyword: 'bus-range' }, [relatedAt(mcfg, `mcfg of ${bridge.name}`)]);
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
    ];
    for (const [keyword, list] of single) {
        for (const r of repeats(list, () => keyword)) {
            report(accept, 'LANG-DUPLICATE-PROPERTY', `Host bridge ${bridge.name} gives ${keyword} ${r.count} times (first at line ${lineOf(r.first)}).`, { node: r.item, keyword });
        }
    }
    for (const r of repeats<MapMask>(bridge.masks, (m) => m.kind)) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `Host bridge ${bridge.name} gives ${r.item.kind} ${r.count} times (first at line ${lineOf(r.first)}).`, { node: r.item, property: 'kind' });
    }
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

function capitalised(text: string): string {
    return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "Host bridge x" → "host bridge x" in mid-sentence; acronyms (SMMU, ITS) stay. */
function uncapitalised(text: string): string {
    return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

/** DT iommu-map/msi-map entries (DOMAIN §3): inputs are 16-bit RIDs, matched after the map mask. */
function checkMapEntry(entry: IommuMapEntry | MsiMapEntry, accept: ValidationAcceptor): void {
    const bridge = entry.$container;
    const kind = entry.$type === 'IommuMapEntry' ? 'iommu-map' : 'msi-map';
    const rid = valueOf(entry.ridBase);
    const count = valueOf(entry.count);
    if (count === 0n) {
        report(accept, 'MAP-EMPTY-ENTRY', `The ${kind} entry rid ${rid !== undefined ? hex(rid) : entry.ridBase} count 0 of host bridge ${bridge.name} matches no requester ID.`, { node: entry, property: 'count' });
    }
    if (rid === undefined) return;
    if (rid >= RID_SPACE) {
        report(accept, 'LANG-VALUE-RANGE', `The ${kind} entry of host bridge ${bridge.name} starts at rid ${hex(rid)}, above 0xffff: a requester ID has 16 bits.`, { node: entry, property: 'ridBase' });
        return;
    }
    if (count !== undefined && rid + count > RID_SPACE) {
        report(accept, 'LANG-VALUE-RANGE', `The ${kind} entry of host bridge ${bridge.name} covers requester IDs ${hex(rid)}..${hex(rid + count - 1n)}, past 0xffff: a requester ID has 16 bits.`, { node: entry, property: 'count' });
    }
    const mask = bridge.masks.find((m) => m.kind === `${kind}-mask`);
    const maskValue = valueOf(mask?.value);
    if (mask && maskValue !== undefined && maskValue <= U32_MAX && (rid & ~maskValue) !== 0n) {
        report(accept, 'MAP-ID-BASE-MASK', `The ${kind} entry rid ${hex(rid)} of host bridge ${bridge.name} has bits ${hex(rid & ~maskValue)} outside ${kind}-mask ${hex(maskValue)}: no masked requester ID can match it, and Linux and Xen fail every lookup that reaches it (-EFAULT).`, { node: entry, property: 'ridBase' }, [relatedAt(mask, `${kind}-mask of ${bridge.name}`)]);
    }
}

/** Map masks are one device-tree cell. */
function checkMaskFits32Bits(mask: MapMask, accept: ValidationAcceptor): void {
    const value = valueOf(mask.value);
    if (value !== undefined && value > U32_MAX) {
        report(accept, 'LANG-VALUE-RANGE', `${mask.kind} ${hex(value)} of host bridge ${mask.$container.name} does not fit 32 bits (one device-tree cell).`, { node: mask, property: 'value' });
    }
}

// ---------------------------------------------------------------------------------------------
// 4. IORT (DOMAIN §4)

/** The inclusive input range of an IORT mapping, in either spelling. */
function inputRange(mapping: IortMapping): { start: bigint; end: bigint } | undefined {
    if (mapping.inputStart !== undefined) {
        const start = valueOf(mapping.inputStart);
        const end = valueOf(mapping.inputEnd);
        return start === undefined || end === undefined || end < start ? undefined : { start, end };
    }
    const base = valueOf(mapping.inputBase);
    const count = valueOf(mapping.idCount);
    return base === undefined || count === undefined ? undefined : { start: base, end: base + count };
}

function checkIortMappingFields(mapping: IortMapping, accept: ValidationAcceptor): void {
    const start = valueOf(mapping.inputStart);
    const end = valueOf(mapping.inputEnd);
    if (start !== undefined && end !== undefined && end < start) {
        report(accept, 'LANG-VALUE-RANGE', `IORT mapping ids ${hex(start)}..${hex(end)} ends before it starts.`, { node: mapping, property: 'inputEnd' });
    }
    // input_base, id_count and output_base are u32 table fields.
    const fields = [['inputStart', 'input'], ['inputEnd', 'input'], ['inputBase', 'input'], ['idCount', 'id-count'], ['outputBase', 'output']] as const;
    for (const [property, field] of fields) {
        const value = valueOf(mapping[property]);
        if (value !== undefined && value > U32_MAX) {
            report(accept, 'LANG-VALUE-RANGE', `IORT mapping ${field} ${hex(value)} does not fit the 32-bit ID mapping field.`, { node: mapping, property });
        }
    }
    const base = valueOf(mapping.inputBase);
    const count = valueOf(mapping.idCount);
    if (base !== undefined && count !== undefined && base <= U32_MAX && count <= U32_MAX && base + count > U32_MAX) {
        report(accept, 'LANG-VALUE-RANGE', `IORT mapping input ${hex(base)} id-count ${hex(count)} ends at ID ${hex(base + count)}, past the 32-bit ID space.`, { node: mapping, property: 'idCount' });
    }
}

/** DOMAIN §4.5, B.12 #37: Linux matches an RC node by segment; first match wins. */
function rootComplexSegment(node: IortRootComplex): bigint | undefined {
    return node.segment !== undefined ? valueOf(node.segment) : valueOf(node.hostBridge?.ref?.segment);
}

function checkRootComplexSegmentsDistinct(iort: Iort, accept: ValidationAcceptor): void {
    const rcs = iort.nodes.filter((n): n is IortRootComplex => n.$type === 'IortRootComplex');
    for (const r of repeats(rcs, (rc) => rc.hostBridge?.ref?.name)) {
        report(accept, 'IORT-RC-SEGMENT', `Host bridge ${r.item.hostBridge.ref!.name} has ${r.count} IORT root-complex nodes (first at line ${lineOf(r.first)}): Linux uses the first node whose segment matches, so this one is never used.`, { node: r.item, property: 'hostBridge' });
    }
    // A bridge listed twice is reported above; compare segments across different bridges only.
    const firstPerBridge = rcs.filter((rc, i) => !rc.hostBridge?.ref || rcs.findIndex((o) => o.hostBridge?.ref === rc.hostBridge.ref) === i);
    for (const r of repeats(firstPerBridge, (rc) => rootComplexSegment(rc)?.toString())) {
        const segment = rootComplexSegment(r.item)!;
        const name = r.item.hostBridge?.ref?.name ?? r.item.hostBridge?.$refText;
        const firstName = r.first.hostBridge?.ref?.name ?? r.first.hostBridge?.$refText;
        report(accept, 'IORT-RC-SEGMENT', `IORT root-complex nodes ${firstName} (line ${lineOf(r.first)}) and ${name} both have segment ${hex(segment)}: Linux matches root complexes by segment and uses the first, so ${name}'s mappings are never used.`, { node: r.item, property: r.item.segment !== undefined ? 'segment' : 'hostBridge' });
    }
}

function checkRootComplexSegmentMatchesBridge(node: IortRootComplex, accept: ValidationAcceptor): void {
    const segment = valueOf(node.segment);
    if (segment === undefined) return;
    if (segment > 0xffffn) {
        report(accept, 'PCI-SEGMENT-RANGE', `Segment ${hex(segment)} of IORT root-complex ${node.hostBridge?.$refText} is above 0xffff.`, { node, property: 'segment' });
        return;
    }
    const bridge = node.hostBridge?.ref;
    const bridgeSegment = valueOf(bridge?.segment);
    if (bridge && bridgeSegment !== undefined && bridgeSegment !== segment) {
        report(accept, 'IORT-RC-SEGMENT', `IORT root-complex ${bridge.name} gives segment ${hex(segment)}, but host bridge ${bridge.name} is segment ${hex(bridgeSegment)}: Linux matches the node by segment, so it would apply to another bridge's devices.`, { node, property: 'segment' }, [relatedAt(bridge, `host bridge ${bridge.name}`)]);
    }
}

function checkIortSmmuKind(node: IortSmmu, accept: ValidationAcceptor): void {
    const smmu = node.smmu?.ref;
    if (!smmu || !node.kind || !smmu.version) return;
    if (node.kind !== `smmu-${smmu.version}`) {
        report(accept, 'LANG-CONTRADICTORY', `IORT node ${node.kind} names SMMU ${smmu.name}, which is ${smmu.version}.`, { node, property: 'kind' }, [relatedAt(smmu, `SMMU ${smmu.name}`)]);
    }
}

/** The SMMUv3 mapping index that gives the SMMU's own MSI DeviceID (DOMAIN §4.6, B.12 #39). */
function checkDeviceIdIndex(node: IortSmmu, accept: ValidationAcceptor): void {
    const name = node.smmu?.$refText;
    if (node.kind === 'smmu-v2') {
        node.deviceIdIndexes.forEach((_, index) => {
            report(accept, 'LANG-NOT-APPLICABLE', `IORT smmu-v2 ${name} has no DeviceID mapping index: only SMMUv3 (and PMCG) nodes have one.`, { node, property: 'deviceIdIndexes', index });
        });
        return;
    }
    for (const r of repeats(node.deviceIdIndexes, () => 'device-id-index')) {
        report(accept, 'IORT-DEVICE-ID-INDEX', `IORT ${node.kind} ${name} gives device-id-index ${r.count} times (first at line ${lineOfProperty(node, 'deviceIdIndexes', 0)}): the node holds one index.`, { node, property: 'deviceIdIndexes', index: r.index });
    }
    const index = valueOf(node.deviceIdIndexes[0]);
    if (index !== undefined && index >= BigInt(node.mappings.length)) {
        report(accept, 'IORT-DEVICE-ID-INDEX', `device-id-index ${index} of IORT ${node.kind} ${name} is not below its ${node.mappings.length} mapping(s): Linux reports FW_BUG and the SMMU's own MSIs get no DeviceID.`, { node, property: 'deviceIdIndexes', index: 0 });
    }
}

/** DOMAIN §4.4, B.12 #38: a single mapping on an SMMU translation entry is skipped (-ENXIO, FW_BUG). */
function checkSingleMappingOnSmmu(node: IortSmmu, accept: ValidationAcceptor): void {
    const ownIdIndex = node.kind === 'smmu-v3' ? valueOf(node.deviceIdIndexes[0]) : undefined;
    node.mappings.forEach((mapping, i) => {
        if (!mapping.single || ownIdIndex === BigInt(i)) return;
        report(accept, 'IORT-SINGLE-MAPPING', `Mapping ${i} of IORT ${node.kind} ${node.smmu?.$refText} is marked single: Linux skips single mappings on SMMU nodes (FW_BUG), except an SMMUv3's device-id-index entry.`, { node: mapping, property: 'single' });
    });
}

/** DOMAIN §4.2-4.3, B.12 #38: id-count is "IDs minus one"; a range ending where another starts was written as a count. */
function checkIdCountOffByOne(node: IortSmmu | IortRootComplex | IortNamedComponent, accept: ValidationAcceptor): void {
    const ranges = node.mappings.map(inputRange);
    node.mappings.forEach((mapping, i) => {
        const range = ranges[i];
        if (!range || range.end === range.start) return;
        const next = ranges.findIndex((other, j) => j !== i && other !== undefined && other.start === range.end);
        if (next < 0) return;
        const written = mapping.inputStart !== undefined
            ? `IORT mapping ids ${hex(range.start)}..${hex(range.end)} includes ID ${hex(range.end)}`
            : `IORT mapping input ${hex(range.start)} id-count ${hex(range.end - range.start)} ends on ID ${hex(range.end)} (id-count is the number of IDs minus one)`;
        report(accept, 'IORT-ID-COUNT', `${written}, where mapping ${next} starts: the ranges overlap on one ID, the classic id-count off-by-one (Linux resolves it only through a workaround).`, { node: mapping, property: mapping.inputStart !== undefined ? 'inputEnd' : 'idCount' }, [relatedAt(node.mappings[next]!, 'the overlapping mapping')]);
    });
}

// ---------------------------------------------------------------------------------------------
// 5. Xen, KVM and scenarios

function checkXenSettingsOnce(xen: Xen, accept: ValidationAcceptor): void {
    for (const r of repeats(xen.profiles, () => 'profile')) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `The xen block gives profile ${r.count} times (first at line ${lineOf(r.first)}).`, { node: r.item });
    }
    for (const r of repeats(xen.options, (o) => o.key)) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `The xen block gives ${r.item.key} ${r.count} times (first at line ${lineOf(r.first)}).`, { node: r.item, property: 'key' });
    }
}

/** Profiles model one architecture's Xen (DOMAIN A.2). */
function checkProfileMatchesArch(xen: Xen, accept: ValidationAcceptor): void {
    const arch = archOf(xen);
    if (arch === undefined) return;
    for (const profile of xen.profiles) {
        const profileArch = profile.value === 'x86-pvh' ? 'x86_64' : profile.value?.startsWith('arm-') ? 'arm64' : undefined;
        if (profileArch && profileArch !== arch) {
            report(accept, 'LANG-ARCH-MISMATCH', `Xen profile ${profile.value} models Xen on ${profileArch}, but platform ${xen.$container.name} is arch ${arch}.`, { node: profile, property: 'value' });
        }
    }
}

function checkDom0SettingsOnce(dom0: Dom0, accept: ValidationAcceptor): void {
    repeatedValues(dom0, dom0.memory, 'memory', accept, 'Dom0');
    checkPositive(dom0, dom0.memory, 'memory', 'Dom0', accept);
}

function checkDomainSettingsOnce(domain: XenDomain, accept: ValidationAcceptor): void {
    const owner = `Domain ${domain.name}`;
    repeatedValues(domain, domain.memory, 'memory', accept, owner);
    repeatedValues(domain, domain.vcpus, 'vcpus', accept, owner);
    for (const r of repeats(domain.guestType, () => 'type')) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `${owner} gives type ${r.count} times (first at line ${lineOfProperty(domain, 'guestType', 0)}).`, { node: domain, property: 'guestType', index: r.index });
    }
    checkPositive(domain, domain.memory, 'memory', owner, accept);
    checkPositive(domain, domain.vcpus, 'vcpus', owner, accept);
}

function checkVmSettingsOnce(vm: KvmVm, accept: ValidationAcceptor): void {
    repeatedValues(vm, vm.memory, 'memory', accept, `VM ${vm.name}`);
    checkPositive(vm, vm.memory, 'memory', `VM ${vm.name}`, accept);
}

function checkPositive(node: AstNode, values: readonly string[], property: string, owner: string, accept: ValidationAcceptor): void {
    values.forEach((text, index) => {
        if (valueOf(text) === 0n) report(accept, 'LANG-VALUE-RANGE', `${owner} has ${property} 0.`, { node, property: property as never, index });
    });
}

function checkOneHoleOfEachKind(domain: XenDomain, accept: ValidationAcceptor): void {
    for (const r of repeats<MmioHole>(domain.holes, (h) => h.which)) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `Domain ${domain.name} has ${r.count} ${r.item.which} MMIO holes (first at line ${lineOf(r.first)}).`, { node: r.item, property: 'which' });
    }
}

/** The low hole holds 32-bit BARs, so it ends at or below 4 GiB (DOMAIN §8.3, seed 000). */
function checkHole(hole: MmioHole, accept: ValidationAcceptor): void {
    const label = `The ${hole.which} MMIO hole of domain ${hole.$container.name}`;
    const base = valueOf(hole.base);
    const size = valueOf(hole.size);
    checkSizedRange(sizeOf(hole), label, base, size, ADDRESS_SPACE, 'the 64-bit address space', accept);
    if (hole.which !== 'low' || base === undefined || size === undefined || size === 0n || base + size <= FOUR_GIB) return;
    report(accept, 'LANG-VALUE-RANGE', `${label} at ${hex(base)} size ${hex(size)} ends at ${hex(base + size)}, above 4 GiB: the low hole holds 32-bit BARs.`, { node: hole, property: base >= FOUR_GIB ? 'base' : 'size' });
}

/** xl's vslot and QEMU's addr give a slot on the guest's bus 0 of segment 0 (DOMAIN §8.3.2, §8.4.1). */
function checkVirtualSlot(node: Assignment | AssignStep | HotPlugStep, accept: ValidationAcceptor): void {
    const vslot: PciAddress | undefined = node.vslot;
    const text = vslot?.absolute ?? vslot?.relative;
    if (!vslot || !text) return;
    const address = pciAddressValue(text);
    const where = { node, property: 'vslot' } as Where<AstNode>;
    if ((address.segment ?? 0n) !== 0n) {
        report(accept, 'LANG-VALUE-RANGE', `Virtual slot ${text} is in segment ${hex(address.segment!)}: a guest's passed-through devices sit in segment 0, bus 0.`, where);
    }
    if ((address.bus ?? 0n) !== 0n) {
        report(accept, 'LANG-VALUE-RANGE', `Virtual slot ${text} is on bus ${bus(address.bus!)}: a guest's passed-through devices sit on bus 0 (xl vslot and QEMU addr give only the slot).`, where);
    }
    if (address.device > 0x1fn) {
        report(accept, 'PCI-DEVICE-RANGE', `Virtual slot ${text} has device ${hex(address.device)}, above 0x1f.`, where);
    }
    if (address.fn > 7n) {
        report(accept, 'PCI-FUNCTION-RANGE', `Virtual slot ${text} has function ${hex(address.fn)}, above 7.`, where);
    }
}

function sriovOf(fn: PciFunction): Sriov | undefined {
    return fn.sriovs[0];
}

function totalVfs(sriov: Sriov): bigint | undefined {
    return valueOf(sriov.props.find((p) => p.key === 'total-vfs')?.value);
}

/** VFs are numbered from 0 up to TotalVFs - 1. */
function checkVirtualFunctionExists(ref: FunctionRef, accept: ValidationAcceptor): void {
    const fn = ref.function?.ref;
    const vf = valueOf(ref.vf);
    if (!fn || vf === undefined) return;
    const sriov = sriovOf(fn);
    if (!sriov) {
        report(accept, 'LANG-NO-SRIOV', `${fn.name} has no sriov capability, so ${fn.name}.vf[${vf}] does not exist.`, { node: ref, property: 'vf' }, [relatedAt(fn, `${fn.name} is declared here`)]);
        return;
    }
    const total = totalVfs(sriov);
    if (total !== undefined && vf >= total) {
        report(accept, 'LANG-VALUE-RANGE', `${fn.name}.vf[${vf}] does not exist: ${fn.name} has total-vfs ${total}, so its VFs are numbered 0 to ${total - 1n}.`, { node: ref, property: 'vf' });
    }
}

function checkEnableSriov(step: EnableSriovStep, accept: ValidationAcceptor): void {
    const fn = step.device?.ref;
    if (!fn) return;
    const sriov = sriovOf(fn);
    if (!sriov) {
        report(accept, 'LANG-NO-SRIOV', `${fn.name} has no sriov capability to enable.`, { node: step, property: 'device' });
        return;
    }
    const total = totalVfs(sriov);
    const numVfs = valueOf(step.numVfs);
    if (total !== undefined && numVfs !== undefined && numVfs > total) {
        report(accept, 'SRIOV-NUMVFS', `enable-sriov ${fn.name} num-vfs ${numVfs} exceeds its total-vfs ${total}.`, { node: step, property: 'numVfs' });
    }
}

function checkDisableSriov(step: DisableSriovStep, accept: ValidationAcceptor): void {
    const fn = step.device?.ref;
    if (fn && !sriovOf(fn)) {
        report(accept, 'LANG-NO-SRIOV', `${fn.name} has no sriov capability to disable.`, { node: step, property: 'device' });
    }
}

/** The BAR a relocate-bar step moves: the function's own, or its VFs' (SR-IOV VF BARs) for `x.vf[N]`. */
function checkRelocatedBar(step: RelocateBarStep, accept: ValidationAcceptor): void {
    const fn = step.device?.function?.ref;
    const index = valueOf(step.bar);
    if (!fn || index === undefined) return;
    const isVf = step.device.vf !== undefined;
    if (isVf && !sriovOf(fn)) return; // LANG-NO-SRIOV, at the reference
    const bars: Array<Bar | VfBar> = isVf ? sriovOf(fn)!.vfBars : fn.bars;
    const owner = isVf ? `The VFs of ${fn.name}` : fn.name;
    const bar = bars.find((b) => valueOf(b.index) === index);
    if (!bar) {
        const below = bars.find((b) => valueOf(b.index) === index - 1n && b.kind === 'mem64');
        const declared = bars.map((b) => b.index).join(', ');
        const detail = below ? `BAR ${index} is the upper half of 64-bit BAR ${index - 1n}` : declared ? `declared: ${declared}` : 'none is declared';
        report(accept, 'LANG-NO-BAR', `${owner} ${isVf ? 'have' : 'has'} no BAR ${index} to relocate (${detail}).`, { node: step, property: 'bar' });
        return;
    }
    checkRelocationAddress(step, bar, `BAR ${index} of ${isVf ? `${fn.name}.vf[${step.device.vf}]` : fn.name}`, accept);
}

/** A BAR decodes a naturally aligned range, and a 32-bit BAR cannot hold an address at or above 4 GiB (DOMAIN §5.3). */
function checkRelocationAddress(step: RelocateBarStep, bar: Bar | VfBar, label: string, accept: ValidationAcceptor): void {
    const address = valueOf(step.address);
    const size = valueOf(bar.size);
    if (address === undefined || size === undefined || size === 0n) return;
    if (bar.kind === 'mem32' && address + size > FOUR_GIB) {
        report(accept, 'PCI-BAR32-ABOVE-4G', `relocate-bar moves 32-bit ${label} (size ${hex(size)}) to ${hex(address)}, which ends above 4 GiB.`, { node: step, property: 'address' });
    }
    if ((size & (size - 1n)) === 0n && address % size !== 0n) {
        report(accept, 'PCI-BAR-MISALIGNED', `relocate-bar moves ${label} (size ${hex(size)}) to ${hex(address)}, which is not aligned to its size.`, { node: step, property: 'address' });
    }
}

/** A device is bound to one host driver at a time (DOMAIN §10.1). */
function checkOneHostDriverPerDevice(kvm: Kvm, accept: ValidationAcceptor): void {
    const keyOf = (ref: FunctionRef | undefined) => (ref?.function?.ref ? `${ref.function.ref.name}${ref.vf !== undefined ? `.vf[${valueOf(ref.vf)}]` : ''}` : undefined);
    for (const r of repeats(kvm.hostDrivers, (d) => keyOf(d.device))) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `${keyOf(r.item.device)} has ${r.count} host-driver lines (first at line ${lineOf(r.first)}): a device is bound to one driver.`, { node: r.item, property: 'device' });
    }
}
