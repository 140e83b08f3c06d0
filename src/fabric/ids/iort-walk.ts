// ACPI IORT ID translation: Linux's iort_node_map_id / iort_id_map
// (linux:drivers/acpi/arm64/iort.c; DOMAIN.md B.4). A requester ID enters at the PCI root-complex
// node matched by segment and follows ID mappings (RC -> SMMU -> ITS group) until a node of the
// wanted type: an SMMU for DMA (the StreamID), an ITS group for MSI (the DeviceID).
import type { Iort, IortItsGroup, IortMapping, IortRootComplex, IortSmmuNode } from '../../model/platform.js';
import { U32 } from './dt-id-map.js';

export type IortNode =
    | { type: 'root-complex'; node: IortRootComplex }
    | { type: 'smmu'; name: string; node?: IortSmmuNode }
    | { type: 'its-group'; node: IortItsGroup };

export interface IortWalk {
    /** The node of the wanted type, or undefined when the walk failed (Linux: "no node"). */
    node?: IortNode;
    /** The translated ID; on failure the original input, as iort_node_map_id returns it. */
    id: bigint;
    /** The mappings applied, in order (the last one produced the final ID). */
    via: IortMapping[];
}

/** Last ID a mapping covers: id_count is the number of IDs minus one (inclusive range). */
export function iortRangeEnd(m: IortMapping): bigint {
    return m.inputBase + m.idCount;
}

/** Node lookups by name, built once per IORT. */
export class IortTable {
    private readonly smmus = new Map<string, IortSmmuNode>();
    private readonly itsGroups = new Map<string, IortItsGroup>();

    constructor(readonly iort: Iort) {
        for (const s of iort.smmus) if (!this.smmus.has(s.smmu)) this.smmus.set(s.smmu, s);
        for (const g of iort.itsGroups) if (!this.itsGroups.has(g.name)) this.itsGroups.set(g.name, g);
    }

    /**
     * iort_match_node_callback: the first RC node whose pci_segment_number equals the bus's
     * domain (Linux assumes segment <-> RC is one-to-one and takes the first match).
     */
    rootComplexFor(segment: bigint, segmentOfHostBridge: (name: string) => bigint | undefined): IortRootComplex | undefined {
        return this.iort.rootComplexes.find((rc) => (rc.segment ?? segmentOfHostBridge(rc.hostBridge)) === segment);
    }

    /** The node a mapping's output_reference points at. */
    target(name: string): IortNode | undefined {
        const group = this.itsGroups.get(name);
        if (group) return { type: 'its-group', node: group };
        // An SMMU named by a mapping is an SMMU node even when the IORT block lists no mappings for it.
        return { type: 'smmu', name, node: this.smmus.get(name) };
    }

    /**
     * iort_node_map_id(node, id_in, &id_out, type_mask). At each node: stop if its type is
     * wanted; else scan its mappings in order (skipping an SMMUv3's DeviceID mapping index,
     * iort_get_id_mapping_index) with iort_id_map, follow the matching mapping's output
     * reference. No mapping matches -> fail: the output is the original input and no node.
     */
    mapId(start: IortNode, idIn: bigint, want: 'smmu' | 'its-group'): IortWalk {
        let node: IortNode | undefined = start;
        let id = idIn;
        const via: IortMapping[] = [];
        // A real table cannot loop (references are offsets to other node types); a written one
        // could, so the walk is bounded instead of hanging as Linux would.
        for (let steps = 0; node && steps < 32; steps++) {
            if (node.type === want) return { node, id, via };
            const mappings = mappingsOf(node);
            if (mappings.length === 0) break;
            const skip = specialIndex(node);
            const mapId = id;
            let chosen: IortMapping | undefined;
            let provisional: IortMapping | undefined;
            let last: 'ok' | 'again' | 'nxio' | undefined;
            for (let i = 0; i < mappings.length; i++) {
                if (i === skip) continue;
                const m = mappings[i]!;
                const r = iortIdMap(m, node.type, mapId, provisional !== undefined);
                last = r.rc;
                if (r.rc === 'ok' || r.rc === 'again') id = r.id!;
                if (r.rc === 'ok') {
                    chosen = m;
                    break;
                }
                if (r.rc === 'again') provisional = m;
            }
            // `if (i == node->mapping_count && !out_ref) goto fail_map;`
            if (!chosen && !provisional) break;
            // `node = rc ? out_ref : map->output_reference;`
            const taken: IortMapping = last !== 'ok' ? provisional! : chosen!;
            via.push(taken);
            node = this.target(taken.target);
        }
        return { node: undefined, id: idIn, via: [] };
    }
}

function mappingsOf(node: IortNode): IortMapping[] {
    switch (node.type) {
        case 'root-complex':
            return node.node.mappings;
        case 'smmu':
            return node.node?.mappings ?? [];
        case 'its-group':
            return [];
    }
}

/**
 * iort_get_id_mapping_index: an SMMUv3 node's DeviceID mapping (its own MSIs) is skipped in
 * translation walks; an index not below the mapping count is a FW_BUG and nothing is skipped.
 */
function specialIndex(node: IortNode): number | undefined {
    if (node.type !== 'smmu' || !node.node || node.node.kind !== 'smmu-v3') return undefined;
    const index = node.node.deviceIdIndex;
    if (index === undefined || index >= BigInt(node.node.mappings.length)) return undefined;
    return Number(index);
}

/**
 * iort_id_map: single mappings give output_base whatever the input on RC and named-component
 * nodes, and are skipped (FW_BUG, -ENXIO) elsewhere; otherwise the inclusive range
 * [input_base, input_base + id_count]. A match on the last ID of a range (id_count > 0) is
 * provisional (-EAGAIN): the off-by-one workaround lets a later mapping that *starts* on that ID
 * supersede it; any other later match after a provisional one is a "conflicting mapping" and
 * is disregarded.
 */
function iortIdMap(m: IortMapping, type: IortNode['type'], idIn: bigint, checkOverlap: boolean): { rc: 'ok' | 'again' | 'nxio'; id?: bigint } {
    if (m.single) {
        if (type === 'root-complex') return { rc: 'ok', id: m.outputBase & U32 };
        return { rc: 'nxio' };
    }
    if (idIn < m.inputBase || idIn > iortRangeEnd(m)) return { rc: 'nxio' };
    if (checkOverlap && idIn !== m.inputBase) return { rc: 'nxio' };
    const id = (m.outputBase + (idIn - m.inputBase)) & U32;
    if (m.idCount > 0n && idIn === iortRangeEnd(m)) return { rc: 'again', id };
    return { rc: 'ok', id };
}
