// One call for the engine: requester IDs, their translation and the IOMMU groups, with a flat
// per-function view (what hover and the JSON output show).
import type { Finding } from '../../findings/finding.js';
import type { Platform } from '../../model/platform.js';
import { computeIds } from '../ids/compute-ids.js';
import type { DeviceId, FunctionIds, IdsResult, StreamId } from '../ids/types.js';
import type { FabricFunction, Topology } from '../topology.js';
import { computeGroups, type GroupOptions, type GroupsResult } from './iommu-groups.js';

export interface FunctionIdentity {
    name: string;
    fn: FabricFunction;
    rid: bigint;
    /** DMA aliases in pci_for_each_dma_alias order (own RID first). */
    aliases: bigint[];
    msiRid: bigint;
    streamIds: StreamId[];
    deviceIds: DeviceId[];
    /** IOMMU group number, or null (no IOMMU, or refused by the SMMU driver). */
    group: number | null;
    ids: FunctionIds;
}

export interface IdAnalysis {
    functions: FunctionIdentity[];
    byName: Map<string, FunctionIdentity>;
    groups: { id: number; members: string[] }[];
    ids: IdsResult;
    grouping: GroupsResult;
    findings: Finding[];
}

export function analyseIds(topology: Topology, platform: Platform = topology.platform, options: GroupOptions = {}): IdAnalysis {
    const ids = computeIds(topology, platform);
    const grouping = computeGroups(topology, platform, ids, options);
    const functions = ids.functions.map(
        (i): FunctionIdentity => ({
            name: i.fn.name,
            fn: i.fn,
            rid: i.rid,
            aliases: i.aliases.map((a) => a.rid),
            msiRid: i.msiRid,
            streamIds: i.streamIds,
            deviceIds: i.deviceIds,
            group: grouping.groupOf.get(i.fn)?.id ?? null,
            ids: i,
        }),
    );
    return {
        functions,
        byName: new Map(functions.map((f) => [f.name, f])),
        groups: grouping.groups.map((g) => ({ id: g.id, members: g.members.map((m) => m.name) })),
        ids,
        grouping,
        findings: [...ids.findings, ...grouping.findings],
    };
}
