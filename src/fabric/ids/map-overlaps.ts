// B.12 #28: overlapping `iommu-map` / `msi-map` entries. Overlaps are legal; of_map_id takes the
// first matching entry in order, so the later entry silently loses the overlapping IDs.
import { finding, type Finding } from '../../findings/finding.js';
import type { HostBridge, MapEntry } from '../../model/platform.js';
import { cmp, entryRange, U32 } from './dt-id-map.js';
import { hex } from './pcie-type.js';

export interface RangeItem<T> {
    start: bigint;
    /** Exclusive. */
    end: bigint;
    index: number;
    item: T;
}

/**
 * Overlapping pairs by a sweep over ranges sorted by start (n log n): each range that starts
 * inside an earlier-starting range is paired with the one reaching furthest. Every overlapped
 * range is reported at least once; not every pair is listed.
 */
export function overlappingPairs<T>(ranges: RangeItem<T>[]): [RangeItem<T>, RangeItem<T>][] {
    const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => cmp(a.start, b.start) || a.index - b.index);
    const pairs: [RangeItem<T>, RangeItem<T>][] = [];
    let reach: RangeItem<T> | undefined;
    for (const r of sorted) {
        if (reach && r.start < reach.end) pairs.push([reach, r]);
        if (!reach || r.end > reach.end) reach = r;
    }
    return pairs;
}

export function describeEntry(kind: 'iommu-map' | 'msi-map', e: MapEntry): string {
    return `${kind} entry rid ${hex(e.ridBase)} count ${hex(e.count)} -> ${e.target} ${hex(e.targetBase)}`;
}

function line(e: { loc: { start: { line: number } } }): number {
    return e.loc.start.line + 1;
}

export function mapOverlapFindings(hb: HostBridge, kind: 'iommu-map' | 'msi-map'): Finding[] {
    const entries = kind === 'iommu-map' ? hb.iommuMap : hb.msiMap;
    const mask = ((kind === 'iommu-map' ? hb.iommuMapMask : hb.msiMapMask) ?? U32) & U32;
    // Entries unreachable under the mask are MAP-ID-BASE-MASK (language level); leave them out.
    const ranges = entries
        .map((item, index) => ({ ...entryRange(item), index, item }))
        .filter((r) => (r.item.ridBase & ~mask & U32) === 0n);
    const out: Finding[] = [];
    const reported = new Set<number>();
    for (const [a, b] of overlappingPairs(ranges)) {
        const [winner, loser] = a.index < b.index ? [a, b] : [b, a];
        if (reported.has(loser.index)) continue;
        // Same target and same offset: both entries translate the shared IDs identically.
        if (winner.item.target === loser.item.target && winner.item.targetBase - winner.item.ridBase === loser.item.targetBase - loser.item.ridBase) continue;
        reported.add(loser.index);
        const start = a.start > b.start ? a.start : b.start;
        const last = (a.end < b.end ? a.end : b.end) - 1n;
        const out0 = (start - winner.item.ridBase + winner.item.targetBase) & U32;
        const out1 = (last - winner.item.ridBase + winner.item.targetBase) & U32;
        out.push(
            finding(
                'MAP-OVERLAP',
                `The ${describeEntry(kind, loser.item)} of host bridge ${hb.name} overlaps the entry at line ${line(winner.item)} (rid ${hex(winner.item.ridBase)} count ${hex(winner.item.count)} -> ${winner.item.target} ${hex(winner.item.targetBase)}) on IDs ${hex(start)}..${hex(last)}: the first matching entry wins, so these IDs go to ${winner.item.target} ${hex(out0)}..${hex(out1)}, not through this entry.`,
                loser.item.loc,
                [{ loc: winner.item.loc, message: `the ${kind} entry that wins for ${hex(start)}..${hex(last)}` }],
            ),
        );
    }
    return out;
}
