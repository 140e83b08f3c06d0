// Findings about requester-ID translation (DOMAIN.md B.12 #27, #29, #36, #37) and about the
// two firmware descriptions disagreeing. Findings that would repeat for thousands of functions
// behind one map entry are reported once per entry, naming the first function and a count.
import { finding, type Finding, type RelatedLoc } from '../../findings/finding.js';
import type { Iort, IortMapping, IortRootComplex, MapEntry, Platform } from '../../model/platform.js';
import type { SourceLoc } from '../../model/source.js';
import { idLimit } from '../../util/arith.js';
import type { FabricFunction, Topology } from '../topology.js';
import type { DmaAlias } from './dma-aliases.js';
import { iortRangeEnd } from './iort-walk.js';
import { describeEntry } from './map-overlaps.js';
import { bdf, hex, isDmaMaster } from './pcie-type.js';
import type { AliasLookup, FunctionIds, IdTranslation } from './types.js';

export function who(f: FabricFunction): string {
    return `${f.name} (${bdf(f)})`;
}

function aliasText(alias: DmaAlias): string {
    if (alias.kind === 'own') return `its requester ID ${hex(alias.rid)}`;
    if (alias.kind === 'quirk') return `its DMA alias ${hex(alias.rid)} (dma-alias quirk)`;
    return `its DMA alias ${hex(alias.rid)} (taken by bridge ${who(alias.via)})`;
}

function aliasRelated(alias: DmaAlias | undefined): RelatedLoc[] {
    return alias?.kind === 'bridge' ? [{ loc: alias.via.loc, message: `bridge ${alias.via.name}, which aliases the DMA as ${hex(alias.rid)}` }] : [];
}

function isMapEntry(e: MapEntry | IortMapping): e is MapEntry {
    return 'ridBase' in e;
}

function entryText(e: MapEntry | IortMapping, kind: 'iommu-map' | 'msi-map', hostBridge: string): string {
    if (isMapEntry(e)) return `The ${describeEntry(kind, e)} of host bridge ${hostBridge}`;
    return `IORT mapping ids ${hex(e.inputBase)}..${hex(iortRangeEnd(e))} -> ${e.target} ${hex(e.outputBase)}`;
}

/** B.12 #27: a DMA master with an alias no map entry translates gets no IOMMU. */
export function unmappedFindings(functions: readonly FunctionIds[], rcOf: (segment: bigint) => IortRootComplex | undefined, smmuNames: ReadonlySet<string>): Finding[] {
    const out: Finding[] = [];
    for (const ids of functions) {
        const f = ids.fn;
        if (!isDmaMaster(f)) continue;
        const hb = f.hostBridge;
        if (ids.dt?.noIommu?.reason === 'unmapped' && ids.dt.noIommu.alias) {
            const alias = ids.dt.noIommu.alias;
            out.push(
                finding(
                    'MAP-RID-UNMAPPED',
                    `${who(f)}: ${aliasText(alias)} matches no iommu-map entry of host bridge ${hb.name}: Linux stops there and gives the device no IOMMU (no StreamIDs, no IOMMU group), and Xen on Arm cannot add it to the SMMU.`,
                    f.loc,
                    [{ loc: hb.iommuMap[0]!.loc, message: `iommu-map of host bridge ${hb.name}` }, ...aliasRelated(alias)],
                ),
            );
        }
        const rc = rcOf(f.segment);
        if (ids.iort?.noIommu?.reason === 'unmapped' && ids.iort.noIommu.alias && rc && rc.mappings.some((m) => smmuNames.has(m.target))) {
            const alias = ids.iort.noIommu.alias;
            out.push(
                finding(
                    'IORT-RID-UNMAPPED',
                    `${who(f)}: ${aliasText(alias)} is not mapped to an SMMU by IORT root-complex ${rc.hostBridge}: Linux gives the device no IOMMU (no StreamIDs, no IOMMU group).`,
                    f.loc,
                    [{ loc: rc.loc, message: `IORT root-complex ${rc.hostBridge}` }, ...aliasRelated(alias)],
                ),
            );
        }
    }
    return out;
}

/**
 * Aliases translated to different IOMMUs. iommu_fwspec_init compares the driver: another SMMU of
 * the same driver is accepted and its StreamID recorded under the first SMMU (where the alias's
 * DMA does not arrive); another driver fails the setup (-EINVAL), leaving no IOMMU.
 */
export function aliasSplitFindings(functions: readonly FunctionIds[]): Finding[] {
    const out: Finding[] = [];
    for (const ids of functions) {
        for (const t of [ids.dt, ids.iort]) {
            if (!t) continue;
            const first = t.lookups[0];
            const other = t.lookups.find((l) => l.iommu !== undefined && l.iommu !== first?.iommu);
            if (!first || !other) continue;
            const f = ids.fn;
            const how = t.source === 'iort' ? 'the IORT' : 'iommu-map';
            const message =
                t.noIommu?.reason === 'split'
                    ? `${who(f)}: ${aliasText(first.alias)} translates to ${first.iommu} but ${aliasText(other.alias).replace(/^its /, '')} to ${other.iommu} (through ${how}), IOMMUs of different drivers: Linux fails the device's IOMMU setup (-EINVAL), so it gets no IOMMU.`
                    : `${who(f)}: ${aliasText(first.alias)} translates to ${first.iommu} but ${aliasText(other.alias).replace(/^its /, '')} to ${other.iommu} (through ${how}): Linux keeps one IOMMU per device and records StreamID ${hex(other.id)} under ${first.iommu}, so DMA tagged with the alias reaches ${other.iommu}, which has no entry for it.`;
            const related: RelatedLoc[] = [first, other].flatMap((l) => (l.entry ? [{ loc: l.entry.loc, message: `translates ${hex(l.alias.rid)} to ${l.iommu} ${hex(l.id)}` }] : []));
            out.push(finding('MAP-ALIAS-SPLIT', message, f.loc, related));
        }
    }
    return out;
}

interface Aggregate {
    loc: SourceLoc;
    text: string;
    first: FunctionIds;
    id: bigint;
    target: string;
    targetLoc: SourceLoc;
    bits: number;
    count: number;
}

/** B.12 #29 (StreamID >= 2^stream-id-bits) and #36 (DeviceID >= 2^device-id-bits), per entry. */
export function idRangeFindings(functions: readonly FunctionIds[], platform: Platform): Finding[] {
    const smmus = new Map(platform.smmus.map((s) => [s.name, s]));
    const itses = new Map(platform.its.map((i) => [i.name, i]));
    const streams = new Map<object, Aggregate>();
    const devices = new Map<object, Aggregate>();
    const note = (map: Map<object, Aggregate>, key: object, make: () => Omit<Aggregate, 'count'>) => {
        const a = map.get(key);
        if (a) a.count++;
        else map.set(key, { ...make(), count: 1 });
    };
    for (const ids of functions) {
        const hb = ids.fn.hostBridge;
        for (const t of [ids.dt, ids.iort]) {
            if (!t) continue;
            const seen = new Set<object>();
            for (const l of t.lookups) {
                const smmu = l.iommu !== undefined ? smmus.get(l.iommu) : undefined;
                if (!smmu || l.id < idLimit(smmu.streamIdBits)) continue;
                const key: object = l.entry ?? ids.fn.loc;
                if (seen.has(key)) continue;
                seen.add(key);
                note(streams, key, () => ({ loc: l.entry?.loc ?? ids.fn.loc, text: l.entry ? entryText(l.entry, 'iommu-map', hb.name) : `The translation of ${hex(l.alias.rid)}`, first: ids, id: l.id, target: smmu.name, targetLoc: smmu.loc, bits: smmu.streamIdBits }));
            }
            for (const d of t.deviceIds) {
                const its = itses.get(d.its);
                if (!its || d.id < idLimit(its.deviceIdBits)) continue;
                const key: object = t.msiEntry ?? hb;
                note(devices, key, () => ({ loc: t.msiEntry?.loc ?? hb.nameLoc, text: t.msiEntry ? entryText(t.msiEntry, 'msi-map', hb.name) : `The msi-parent of host bridge ${hb.name}`, first: ids, id: d.id, target: its.name, targetLoc: its.loc, bits: its.deviceIdBits }));
            }
        }
    }
    const more = (a: Aggregate) => (a.count > 1 ? ` (and ${a.count - 1} more function${a.count > 2 ? 's' : ''})` : '');
    const out: Finding[] = [];
    for (const a of streams.values()) {
        out.push(
            finding(
                'SMMU-STREAM-ID-RANGE',
                `${a.text} gives ${who(a.first.fn)} StreamID ${hex(a.id)} on ${a.target}, beyond its ${a.bits} stream-id bits (StreamIDs below ${hex(idLimit(a.bits))})${more(a)}: the SMMU driver rejects the master (-ERANGE), so it gets no IOMMU group.`,
                a.loc,
                [{ loc: a.targetLoc, message: `${a.target}: stream-id-bits ${a.bits}` }, { loc: a.first.fn.loc, message: who(a.first.fn) }],
            ),
        );
    }
    for (const a of devices.values()) {
        out.push(
            finding(
                'ITS-DEVICE-ID-RANGE',
                `${a.text} gives ${who(a.first.fn)} ITS DeviceID ${hex(a.id)} on ${a.target}, beyond its ${a.bits} device-id bits (DeviceIDs below ${hex(idLimit(a.bits))})${more(a)}: the ITS cannot map the device (MAPD fails), so its MSIs never arrive.`,
                a.loc,
                [{ loc: a.targetLoc, message: `${a.target}: device-id-bits ${a.bits}` }, { loc: a.first.fn.loc, message: who(a.first.fn) }],
            ),
        );
    }
    return out;
}

/** B.12 #37: a host bridge whose segment has no IORT root-complex node. */
export function iortRootComplexMissing(topology: Topology, iort: Iort, hasRootComplex: (segment: bigint) => boolean): Finding[] {
    const out: Finding[] = [];
    const count = new Map<object, number>();
    for (const f of topology.functions) if (!f.invisible) count.set(f.hostBridge, (count.get(f.hostBridge) ?? 0) + 1);
    for (const h of topology.hostBridges) {
        const n = count.get(h.hostBridge) ?? 0;
        if (n === 0 || hasRootComplex(h.segment)) continue;
        out.push(
            finding(
                'IORT-RC-MISSING',
                `Host bridge ${h.hostBridge.name} (segment ${hex(h.segment)}) has no IORT root-complex node: Linux matches RC nodes by segment and finds none, so none of its ${n} function${n > 1 ? 's' : ''} gets an IOMMU or an IORT MSI mapping.`,
                h.hostBridge.nameLoc,
                [{ loc: iort.loc, message: 'the IORT' }],
            ),
        );
    }
    return out;
}

/** What one side's translation of an alias gives, as the object of "gives". */
function lookupText(l: AliasLookup | undefined): string {
    if (!l) return 'nothing (the translation stopped at an earlier alias that no entry covers)';
    return l.iommu !== undefined ? `StreamID ${hex(l.id)} on ${l.iommu}` : 'no StreamID (no entry covers the RID)';
}

function firstStreamDifference(dt: IdTranslation, iort: IdTranslation): number | undefined {
    const n = Math.max(dt.lookups.length, iort.lookups.length);
    for (let i = 0; i < n; i++) {
        const a = dt.lookups[i];
        const b = iort.lookups[i];
        if (!a || !b || a.iommu !== b.iommu || a.id !== b.id) return i;
    }
    return dt.iommu !== iort.iommu ? 0 : undefined;
}

/** The device-tree maps and the IORT translate the same function differently. */
export function mismatchFindings(functions: readonly FunctionIds[]): Finding[] {
    type Diff = { ids: FunctionIds; text: string; loc: SourceLoc; related: RelatedLoc[]; count: number };
    const streams = new Map<object, Diff>();
    const devices = new Map<object, Diff>();
    for (const ids of functions) {
        const { dt, iort } = ids;
        if (!dt || !iort) continue;
        const hb = ids.fn.hostBridge;
        if (hb.iommuMap.length > 0) {
            const i = firstStreamDifference(dt, iort);
            if (i !== undefined) {
                const d = streams.get(hb);
                if (d) d.count++;
                else {
                    const a = dt.lookups[i];
                    const b = iort.lookups[i];
                    const alias = (a ?? b)?.alias ?? ids.aliases[0]!;
                    streams.set(hb, {
                        ids,
                        text: `for alias ${hex(alias.rid)} the iommu-map gives ${lookupText(a)} but the IORT gives ${lookupText(b)}`,
                        loc: a?.entry?.loc ?? hb.iommuMap[0]!.loc,
                        related: b?.entry ? [{ loc: b.entry.loc, message: 'the IORT mapping' }] : [],
                        count: 1,
                    });
                }
            }
        }
        if (hb.msiMap.length > 0) {
            const a = dt.deviceIds[0];
            const b = iort.deviceIds[0];
            if (a?.its !== b?.its || a?.id !== b?.id) {
                const d = devices.get(hb);
                if (d) d.count++;
                else {
                    const text = (x: typeof a) => (x ? `DeviceID ${hex(x.id)} on ${x.its}` : 'no DeviceID (no entry maps it to an ITS)');
                    devices.set(hb, {
                        ids,
                        text: `for MSI requester ID ${hex(ids.msiRid)} the msi-map gives ${text(a)} but the IORT gives ${text(b)}`,
                        loc: dt.msiEntry?.loc ?? hb.msiMap[0]!.loc,
                        related: iort.msiEntry ? [{ loc: iort.msiEntry.loc, message: 'the IORT mapping' }] : [],
                        count: 1,
                    });
                }
            }
        }
    }
    const out: Finding[] = [];
    for (const [kind, map] of [['iommu-map', streams], ['msi-map', devices]] as const) {
        for (const d of map.values()) {
            const hb = d.ids.fn.hostBridge;
            const more = d.count > 1 ? ` (and ${d.count - 1} more function${d.count > 2 ? 's' : ''})` : '';
            out.push(
                finding(
                    'MAP-IORT-MISMATCH',
                    `The ${kind} of host bridge ${hb.name} and the IORT translate ${who(d.ids.fn)} differently${more}: ${d.text}. A device-tree boot (and Xen) and an ACPI boot would program different IDs.`,
                    d.loc,
                    d.related,
                ),
            );
        }
    }
    return out;
}
