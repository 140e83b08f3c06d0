// IORT checks (DOMAIN §4, B.12 #37-39): mapping fields in the 32-bit ID space, root-complex
// segments distinct and matching their host bridge, SMMU node kind matching the SMMU, the SMMUv3
// DeviceID mapping index, single mappings on SMMU nodes, and the id-count off-by-one.
// Codes LANG-VALUE-RANGE, PCI-SEGMENT-RANGE, IORT-RC-SEGMENT, LANG-CONTRADICTORY,
// LANG-NOT-APPLICABLE, IORT-DEVICE-ID-INDEX, IORT-SINGLE-MAPPING, IORT-ID-COUNT.
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { Iort, IortMapping, IortNamedComponent, IortRootComplex, IortSmmu, PciplatAstType } from '../generated/ast.js';
import { hex } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { U32_MAX, lineOf, lineOfProperty, valueOf } from './ast-helpers.js';
import { repeats } from './repeat-helpers.js';
import { relatedAt, report } from './report.js';

export function iortChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Iort: checkRootComplexSegmentsDistinct,
        IortRootComplex: [checkRootComplexSegmentMatchesBridge, checkIdCountOffByOne],
        IortNamedComponent: checkIdCountOffByOne,
        IortSmmu: [checkIortSmmuKind, checkDeviceIdIndex, checkSingleMappingOnSmmu, checkIdCountOffByOne],
        IortMapping: checkIortMappingFields,
    };
}

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
