// A function's IDs through one firmware description: DT iommu-map/msi-map, ACPI IORT, or an x86
// IOMMU's scope. Each alias is looked up as Linux does it at IOMMU setup (of_pci_iommu_init,
// iort_pci_iommu_init: once per alias, the walk stopping at the first failure), and the MSI RID
// once for the ITS DeviceID.
import type { HostBridge, Platform, Smmu } from '../../model/platform.js';
import type { DmaAlias } from './dma-aliases.js';
import { ofMapId } from './dt-id-map.js';
import type { IortNode, IortTable } from './iort-walk.js';
import type { AliasLookup, DeviceId, IdTranslation, NoIommuReason, StreamId } from './types.js';

/**
 * The fwspec Linux builds from the lookups. iommu_fwspec_init compares the IOMMU *ops*, not the
 * instance: a later alias on another SMMU of the same driver is accepted and its ID recorded
 * under the first SMMU's fwspec; another driver (SMMUv2 vs v3) fails with -EINVAL.
 */
function attach(lookups: AliasLookup[], smmus: Map<string, Smmu>, failed?: { reason: NoIommuReason; alias?: DmaAlias }): Pick<IdTranslation, 'iommu' | 'streamIds' | 'noIommu'> {
    if (failed) return { streamIds: [], noIommu: failed };
    const first = lookups[0]?.iommu;
    if (first === undefined) return { streamIds: [], noIommu: { reason: 'no-map' } };
    const driver = (name: string) => smmus.get(name)?.version ?? 'x86';
    for (const l of lookups) {
        if (l.iommu !== first && driver(l.iommu!) !== driver(first)) {
            return { streamIds: [], noIommu: { reason: 'split', alias: l.alias } };
        }
    }
    const streamIds: StreamId[] = lookups.map((l) => ({ iommu: first, id: l.id }));
    return { iommu: first, streamIds };
}

export function smmuIndex(platform: Platform): Map<string, Smmu> {
    return new Map(platform.smmus.map((s) => [s.name, s]));
}

/** DT: of_pci_iommu_init per alias through `iommu-map`, of_msi_map_id for the MSI RID. */
export function dtTranslation(hb: HostBridge, aliases: readonly DmaAlias[], msiRid: bigint, smmus: Map<string, Smmu>): IdTranslation {
    const lookups: AliasLookup[] = [];
    let failed: { reason: NoIommuReason; alias?: DmaAlias } | undefined;
    if (hb.iommuMap.length === 0) {
        // No iommu-map: of_map_id returns -ENODEV when a target is wanted; no IOMMU.
        failed = { reason: 'no-map' };
    } else {
        for (const alias of aliases) {
            const r = ofMapId(hb.iommuMap, hb.iommuMapMask, alias.rid);
            if (r.kind === 'match') {
                lookups.push({ alias, iommu: r.target, id: r.id, entry: r.entry });
                continue;
            }
            if (r.kind === 'bypass') {
                // No target -> of_iommu_xlate returns NO_IOMMU, which also ends the alias walk.
                lookups.push({ alias, id: r.id });
                failed = { reason: 'unmapped', alias };
            } else {
                failed = { reason: 'bad-entry', alias };
            }
            break;
        }
    }
    const msi = dtDeviceId(hb, msiRid);
    return { source: 'iommu-map', lookups, ...attach(lookups, smmus, failed), deviceIds: msi.deviceIds, msiEntry: msi.entry };
}

/**
 * The ITS DeviceID: `msi-map` (first match, target from the entry); with no map, or no match
 * (bypass: the unmasked RID, no target), the host bridge's `msi-parent` ITS takes the RID as is
 * (of_msi_get_domain falls back to msi-parent; of_msi_map_id returns the RID unchanged).
 */
function dtDeviceId(hb: HostBridge, msiRid: bigint): { deviceIds: DeviceId[]; entry?: IdTranslation['msiEntry'] } {
    const r = ofMapId(hb.msiMap, hb.msiMapMask, msiRid);
    if (r.kind === 'match') return { deviceIds: [{ its: r.target, id: r.id }], entry: r.entry };
    if (r.kind === 'bad-entry') return { deviceIds: [] };
    return { deviceIds: hb.msiParent ? [{ its: hb.msiParent, id: msiRid }] : [] };
}

/**
 * IORT: iort_pci_iommu_init per alias (walk from the RC node to an SMMU node), and
 * iort_msi_map_id / iort_get_device_domain for the MSI RID (walk to an ITS group; Linux uses
 * the group's first ITS). A walk that fails returns no node: no IOMMU, identity MSI ID on no ITS.
 */
export function iortTranslation(table: IortTable, rc: IortNode | undefined, aliases: readonly DmaAlias[], msiRid: bigint, smmus: Map<string, Smmu>): IdTranslation {
    if (!rc) {
        return { source: 'iort', lookups: [], streamIds: [], noIommu: { reason: 'no-root-complex' }, deviceIds: [] };
    }
    const lookups: AliasLookup[] = [];
    let failed: { reason: NoIommuReason; alias?: DmaAlias } | undefined;
    for (const alias of aliases) {
        const walk = table.mapId(rc, alias.rid, 'smmu');
        if (walk.node?.type === 'smmu') {
            lookups.push({ alias, iommu: walk.node.name, id: walk.id, entry: walk.via[walk.via.length - 1] });
            continue;
        }
        lookups.push({ alias, id: walk.id });
        failed = { reason: 'unmapped', alias };
        break;
    }
    const msi = table.mapId(rc, msiRid, 'its-group');
    const its = msi.node?.type === 'its-group' ? msi.node.node.its[0] : undefined;
    const deviceIds: DeviceId[] = its !== undefined ? [{ its, id: msi.id }] : [];
    return { source: 'iort', lookups, ...attach(lookups, smmus, failed), deviceIds, msiEntry: its !== undefined ? msi.via[msi.via.length - 1] : undefined };
}

/** x86 VT-d / AMD-Vi: the IOMMU sees requester IDs directly; every alias is its own source ID. */
export function x86Translation(iommu: string, aliases: readonly DmaAlias[], smmus: Map<string, Smmu>): IdTranslation {
    const lookups: AliasLookup[] = aliases.map((alias) => ({ alias, iommu, id: alias.rid }));
    return { source: 'x86-iommu', lookups, ...attach(lookups, smmus), deviceIds: [] };
}
