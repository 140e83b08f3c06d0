// IORT mappings of one node that cover the same input IDs. Linux takes the first matching
// mapping; a later one only wins in the off-by-one case (a range ending on the ID where the next
// one starts, reported at language level as IORT-ID-COUNT). Any other overlap is a "conflicting
// mapping" (FW_BUG) and the later mapping is disregarded for those IDs.
import { finding, type Finding } from '../../findings/finding.js';
import type { Iort, IortMapping } from '../../model/platform.js';
import { iortRangeEnd } from './iort-walk.js';
import { overlappingPairs, type RangeItem } from './map-overlaps.js';
import { hex } from './pcie-type.js';

function describe(m: IortMapping): string {
    return `ids ${hex(m.inputBase)}..${hex(iortRangeEnd(m))} -> ${m.target} ${hex(m.outputBase)}`;
}

export function iortOverlapFindings(iort: Iort): Finding[] {
    const nodes: { label: string; mappings: IortMapping[]; skip?: bigint }[] = [
        ...iort.rootComplexes.map((n) => ({ label: `root-complex ${n.hostBridge}`, mappings: n.mappings })),
        ...iort.smmus.map((n) => ({ label: `${n.kind} ${n.smmu}`, mappings: n.mappings, skip: n.kind === 'smmu-v3' ? n.deviceIdIndex : undefined })),
        ...iort.namedComponents.map((n) => ({ label: `named-component ${n.device}`, mappings: n.mappings })),
    ];
    const out: Finding[] = [];
    for (const node of nodes) {
        const ranges: RangeItem<IortMapping>[] = node.mappings
            .map((item, index) => ({ start: item.inputBase, end: iortRangeEnd(item) + 1n, index, item }))
            // Single mappings ignore the input; the DeviceID index is not part of translation.
            .filter((r) => !r.item.single && BigInt(r.index) !== node.skip);
        const reported = new Set<number>();
        for (const [a, b] of overlappingPairs(ranges)) {
            const [winner, loser] = a.index < b.index ? [a, b] : [b, a];
            const start = a.start > b.start ? a.start : b.start;
            const last = (a.end < b.end ? a.end : b.end) - 1n;
            // The one-ID off-by-one overlap: IORT-ID-COUNT (language level) covers it.
            if (start === last && (b.start === a.end - 1n || a.start === b.end - 1n)) continue;
            if (reported.has(loser.index)) continue;
            if (winner.item.target === loser.item.target && winner.item.outputBase - winner.item.inputBase === loser.item.outputBase - loser.item.inputBase) continue;
            reported.add(loser.index);
            out.push(
                finding(
                    'IORT-MAPPING-OVERLAP',
                    `IORT ${node.label} mapping ${describe(loser.item)} overlaps mapping ${describe(winner.item)} (line ${winner.item.loc.start.line + 1}) on IDs ${hex(start)}..${hex(last)}: Linux uses the first matching mapping (later ones are a "conflicting mapping", FW_BUG), so these IDs go to ${winner.item.target}.`,
                    loser.item.loc,
                    [{ loc: winner.item.loc, message: `the mapping that wins for ${hex(start)}..${hex(last)}` }],
                ),
            );
        }
    }
    return out;
}
