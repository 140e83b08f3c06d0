// What the SMMU driver does with a master's StreamIDs before grouping (DOMAIN.md B.2.2).
// SMMUv3 keeps a StreamID -> master tree and refuses a second master for a StreamID; SMMUv2
// shares a stream-map entry between masters, which then share an IOMMU group.
import type { Platform, Smmu } from '../../model/platform.js';
import type { FabricFunction } from '../topology.js';
import { idLimit } from '../../util/arith.js';
import type { FunctionIds } from '../ids/types.js';

export type SmmuProbe =
    | { ok: true }
    /** A StreamID at or above 2^stream-id-bits (arm_smmu_sid_in_range / streamid_mask): -ERANGE. */
    | { ok: false; reason: 'range'; sid: bigint }
    /** SMMUv3: the StreamID already belongs to another master ("stream N already in tree"): -EINVAL. */
    | { ok: false; reason: 'shared'; sid: bigint; owner: FabricFunction };

/** Per-SMMU state of masters and stream-map entries, fed one master at a time in probe order. */
export class SmmuStreams {
    private readonly smmus: Map<string, Smmu>;
    /** SMMUv3: SID -> master, per SMMU. */
    private readonly owners = new Map<string, Map<bigint, FabricFunction>>();
    /** SMMUv2: stream-map entry -> the group remembered on it. */
    private readonly smes = new Map<string, Map<string, { group?: number }>>();

    constructor(platform: Platform) {
        this.smmus = new Map(platform.smmus.map((s) => [s.name, s]));
    }

    private readonly limits = new Map<Smmu, bigint>();

    private limit(smmu: Smmu): bigint {
        let limit = this.limits.get(smmu);
        if (limit === undefined) this.limits.set(smmu, (limit = idLimit(smmu.streamIdBits)));
        return limit;
    }

    smmu(name: string | undefined): Smmu | undefined {
        return name === undefined ? undefined : this.smmus.get(name);
    }

    /**
     * arm_smmu_probe_device (SMMUv3) -> arm_smmu_insert_master: for each StreamID in fwspec order,
     * check the range, then insert it into the SID tree; a StreamID owned by another master fails
     * the probe and the master's earlier insertions are rolled back. Duplicates within the
     * master's own list (two aliases translating to one StreamID) are skipped (DOMAIN.md B.2.2).
     * SMMUv2 (arm-smmu.c): every StreamID must fit streamid_mask; sharing is legal.
     */
    probe(ids: FunctionIds): SmmuProbe {
        const smmu = this.smmu(ids.iommu);
        if (!smmu) return { ok: true };
        const limit = this.limit(smmu);
        if (smmu.version === 'v2') {
            const bad = ids.streamIds.find((s) => s.id >= limit);
            return bad ? { ok: false, reason: 'range', sid: bad.id } : { ok: true };
        }
        let tree = this.owners.get(smmu.name);
        if (!tree) this.owners.set(smmu.name, (tree = new Map()));
        const inserted: bigint[] = [];
        const fail = (result: SmmuProbe): SmmuProbe => {
            for (const sid of inserted) tree.delete(sid);
            return result;
        };
        for (const { id } of ids.streamIds) {
            if (id >= limit) return fail({ ok: false, reason: 'range', sid: id });
            const owner = tree.get(id);
            if (owner === ids.fn) continue;
            if (owner) return fail({ ok: false, reason: 'shared', sid: id, owner });
            tree.set(id, ids.fn);
            inserted.push(id);
        }
        return { ok: true };
    }

    /**
     * SMMUv2 stream-map entries for a master (arm_smmu_master_alloc_smes / arm_smmu_find_sme):
     * a StreamID entirely matched by a valid SMR reuses it (the declared `stream-match` entries
     * stand for SMRs already valid); otherwise it gets its own exact entry, shared by any later
     * master with the same StreamID.
     */
    private smeKeys(smmu: Smmu, ids: FunctionIds): string[] {
        return ids.streamIds.map(({ id }) => {
            const match = smmu.streamMatches.find((m) => ((id ^ m.id) & ~m.mask) === 0n);
            return match ? `smr:${match.id}/${match.mask}` : `sid:${id}`;
        });
    }

    /**
     * arm_smmu_device_group (SMMUv2), before pci_device_group: walk the master's entries in
     * order, taking each entry's group (even an empty one, exactly as the driver's loop does);
     * two different groups -> -EINVAL. Returns the group to join, `none` to fall through to
     * pci_device_group, or `conflict`.
     */
    v2Group(ids: FunctionIds): { kind: 'join'; group: number } | { kind: 'none' } | { kind: 'conflict'; groups: [number, number] } | undefined {
        const smmu = this.smmu(ids.iommu);
        if (!smmu || smmu.version !== 'v2') return undefined;
        const table = this.table(smmu.name);
        let group: number | undefined;
        for (const key of this.smeKeys(smmu, ids)) {
            const g = table.get(key)?.group;
            if (group !== undefined && g !== undefined && g !== group) return { kind: 'conflict', groups: [group, g] };
            group = g;
        }
        return group !== undefined ? { kind: 'join', group } : { kind: 'none' };
    }

    /**
     * Record the master's entries once it has a group. The driver remembers the group on every
     * entry only when it came from pci_device_group ("Remember group for faster lookups");
     * joining through an entry leaves the entries as they were.
     */
    v2Commit(ids: FunctionIds, group: number, fromPciDeviceGroup: boolean): void {
        const smmu = this.smmu(ids.iommu);
        if (!smmu || smmu.version !== 'v2') return;
        const table = this.table(smmu.name);
        for (const key of this.smeKeys(smmu, ids)) {
            const e = table.get(key) ?? {};
            if (fromPciDeviceGroup) e.group = group;
            table.set(key, e);
        }
    }

    private table(name: string): Map<string, { group?: number }> {
        let t = this.smes.get(name);
        if (!t) this.smes.set(name, (t = new Map()));
        return t;
    }
}
