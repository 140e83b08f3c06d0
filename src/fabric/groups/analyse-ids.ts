// One call for the engine: requester IDs, their translation and the IOMMU groups, with a flat
// per-function view (what hover and the JSON output show).
import type { Finding } from '../../findings/finding.js';
import type { Platform } from '../../model/platform.js';
import { computeIds } from '../ids/compute-ids.js';
import type { DeviceId, FunctionIds, IdsResult, StreamId } from '../ids/types.js';
import type { FabricFunction, Topology } from '../topology.js';
import type { AppliedQuirk } from '../quirks/apply.js';
import { quirksInEffect } from '../quirks/in-effect.js';
import { computeGroups, type GroupOptions, type GroupsResult, type NoGroup } from './iommu-groups.js';

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
    /** Why there is no group (absent when there is one). */
    noGroup?: string;
    /** `acs unknown` functions whose ACS decided the group. */
    acsUnknown?: string[];
    /** Quirks in effect (written, and Linux's ID tables), for hovers and the JSON. */
    quirks?: AppliedQuirk[];
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
            noGroup: noGroupText(grouping.noGroup.get(i.fn)),
            acsUnknown: grouping.acsUnknown.get(i.fn)?.map((u) => u.name),
            quirks: nonEmpty(quirksInEffect(i.fn, grouping.acsQuirks.get(i.fn))),
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

function nonEmpty<T>(list: T[]): T[] | undefined {
    return list.length > 0 ? list : undefined;
}

/** Why a function has no IOMMU group, in words. */
export function noGroupText(why: NoGroup | undefined): string | undefined {
    switch (why?.reason) {
        case undefined:
            return undefined;
        case 'no-iommu':
            return 'no IOMMU translates its host bridge';
        case 'outside-dmar-scope':
            return `it is outside the DMAR device scopes of ${why.units.join(', ')}, and no INCLUDE_PCI_ALL unit has its host bridge`;
        case 'outside-iommu':
            return 'it is outside every IOMMU\'s scope (`outside-iommu`: no DMAR device scope or IVRS entry covers it)';
        case 'iommu-itself':
            return `it is the AMD IOMMU ${why.iommu}'s own function, which the AMD IOMMU driver never translates`;
        case 'refused':
            return `the SMMU driver refused it (${why.probe.reason})`;
        case 'conflict':
            return `its StreamIDs hit stream-map entries of groups ${why.groups[0]} and ${why.groups[1]}`;
    }
}
