// Xen on Arm's own StreamIDs for a PCI function: it does not walk bridge aliases; it maps the
// function's RID and its phantom functions through the host bridge's `iommu-map`
// (xen:xen/drivers/passthrough/device_tree.c iommu_add_dt_pci_sideband_ids; DOMAIN.md B.1.4.2,
// B.3.5). DMA tagged with a bridge alias therefore hits a StreamID Xen never programmed.
import type { FabricFunction } from '../topology.js';
import { phantomRids } from './dma-aliases.js';
import { ofMapId } from './dt-id-map.js';
import type { StreamId } from './types.js';

export type XenSidebandIds =
    /** No iommu-map on the host bridge: Xen treats the device as "not protected" and the SMMU driver refuses it. */
    | { kind: 'no-map' }
    /** A RID no entry matches (Xen passes the NULL target on) or an entry outside the mask (-EFAULT). */
    | { kind: 'unmapped'; rid: bigint }
    | { kind: 'ok'; streamIds: StreamId[] };

export function xenSidebandIds(f: FabricFunction): XenSidebandIds {
    const hb = f.hostBridge;
    if (hb.iommuMap.length === 0) return { kind: 'no-map' };
    const streamIds: StreamId[] = [];
    for (const rid of [(f.bus << 8n) | f.devfn, ...phantomRids(f)]) {
        const r = ofMapId(hb.iommuMap, hb.iommuMapMask, rid);
        if (r.kind !== 'match') return { kind: 'unmapped', rid };
        streamIds.push({ iommu: r.target, id: r.id });
    }
    return { kind: 'ok', streamIds };
}
