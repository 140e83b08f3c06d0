// Requester IDs and their translation for every enumerated function: RID, DMA aliases
// (dma-aliases.ts), MSI RID (msi-rid.ts), StreamIDs and ITS DeviceIDs through the platform's
// firmware description (iommu-translation.ts), and the findings about them.
import { appendAll } from '../../util/arrays.js';
import type { Finding } from '../../findings/finding.js';
import type { HostBridge, Platform } from '../../model/platform.js';
import { rid, type FabricFunction, type Topology } from '../topology.js';
import { dmaAliases, phantomRids } from './dma-aliases.js';
import { idRangeFindings, iortRootComplexMissing, mismatchFindings, unmappedFindings, aliasSplitFindings } from './id-findings.js';
import { iortOverlapFindings } from './iort-overlaps.js';
import { IortTable, type IortNode } from './iort-walk.js';
import { dtTranslation, iortTranslation, smmuIndex, x86Translation } from './iommu-translation.js';
import { mapOverlapFindings } from './map-overlaps.js';
import { msiRid } from './msi-rid.js';
import { DmarScopes } from './dmar-scope.js';
import { platformStreamFindings } from './platform-streams.js';
import type { FunctionIds, IdTranslation, IdsResult } from './types.js';

/** Whether the host bridge carries device-tree ID maps (or an msi-parent). */
export function hasDtMaps(hb: HostBridge): boolean {
    return hb.iommuMap.length > 0 || hb.msiMap.length > 0 || hb.msiParent !== undefined;
}

/**
 * POWER (issue 14): each PHB is its own IOMMU (its TCE tables see requester IDs directly, as an x86
 * IOMMU does), so every function below a PHB is translated by it. IOMMU groups then follow Linux's
 * generic PCI grouping; powernv's PE assignment is not modelled.
 */
function powerTranslation(platform: Platform, hb: HostBridge, aliases: Parameters<typeof x86Translation>[1], smmus: Parameters<typeof x86Translation>[2]): IdTranslation | undefined {
    return platform.arch === 'ppc64' ? x86Translation(hb.name, aliases, smmus) : undefined;
}

export function computeIds(topology: Topology, platform: Platform = topology.platform): IdsResult {
    const smmus = smmuIndex(platform);
    const iort = platform.iort ? new IortTable(platform.iort) : undefined;
    const segmentOf = new Map<string, bigint>(topology.hostBridges.map((h) => [h.hostBridge.name, h.segment]));
    const rcBySegment = new Map<bigint, IortNode | undefined>();
    const rcFor = (segment: bigint): IortNode | undefined => {
        if (!iort) return undefined;
        if (!rcBySegment.has(segment)) {
            const rc = iort.rootComplexFor(segment, (name) => segmentOf.get(name));
            rcBySegment.set(segment, rc && { type: 'root-complex', node: rc });
        }
        return rcBySegment.get(segment);
    };
    const dmar = new DmarScopes(platform);

    const functions: FunctionIds[] = [];
    const byFunction = new Map<FabricFunction, FunctionIds>();
    for (const f of topology.functions) {
        if (f.invisible) continue;
        const aliases = dmaAliases(f);
        const msi = msiRid(f, aliases);
        const hb = f.hostBridge;
        const dt = hasDtMaps(hb) ? dtTranslation(hb, aliases, msi, smmus) : undefined;
        const acpi = iort ? iortTranslation(iort, rcFor(f.segment), aliases, msi, smmus) : undefined;
        const x86Iommu = dmar.unitFor(f);
        // ACPI boots use the IORT; device-tree boots the host bridge's maps; x86 the DMAR/IVRS scope.
        const translation: IdTranslation | undefined = acpi ?? dt ?? (x86Iommu !== undefined ? x86Translation(x86Iommu, aliases, smmus) : undefined) ?? powerTranslation(platform, hb, aliases, smmus);
        const ids: FunctionIds = {
            fn: f,
            rid: rid(f),
            aliases,
            msiRid: msi,
            phantomRids: phantomRids(f),
            translation,
            dt,
            iort: acpi,
            iommu: translation?.iommu,
            streamIds: translation?.streamIds ?? [],
            deviceIds: translation?.deviceIds ?? [],
        };
        functions.push(ids);
        byFunction.set(f, ids);
    }

    const findings: Finding[] = [];
    for (const { hostBridge } of topology.hostBridges) {
        findings.push(...mapOverlapFindings(hostBridge, 'iommu-map'), ...mapOverlapFindings(hostBridge, 'msi-map'));
    }
    if (platform.iort) {
        findings.push(...iortOverlapFindings(platform.iort));
        findings.push(...iortRootComplexMissing(topology, platform.iort, (segment) => rcFor(segment) !== undefined));
    }
    const rcOf = (segment: bigint) => {
        const rc = rcFor(segment);
        return rc?.type === 'root-complex' ? rc.node : undefined;
    };
    appendAll(findings, unmappedFindings(functions, rcOf, new Set(smmus.keys())));
    appendAll(findings, aliasSplitFindings(functions));
    appendAll(findings, idRangeFindings(functions, platform));
    appendAll(findings, mismatchFindings(functions));
    appendAll(findings, platformStreamFindings(platform, functions));
    return { functions, byFunction, findings };
}
