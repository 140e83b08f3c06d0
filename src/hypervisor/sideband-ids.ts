// The IDs the hypervisor programs into the IOMMU for one function.
//
// Xen on Arm (xen/drivers/passthrough/device_tree.c iommu_add_dt_pci_sideband_ids) looks the
// function's own RID, and each phantom function's, up in the `iommu-map` of its host bridge node
// with dt_map_id (a copy of Linux's of_map_id, DOMAIN.md B.3.3/B.3.5); it does not walk bridge
// aliases (B.1.4.2). The 2015 design translates every requester ID the device may use, aliases
// included (seed 000). Xen on x86 (VT-d) programs a context entry per requester ID: the device,
// and for devices behind a PCIe-to-PCI or legacy bridge the bridge and (secondary bus, 00.0)
// (xen/drivers/passthrough/vtd/iommu.c domain_context_mapping, B.1.4.1).
import type { HostBridge, MapEntry, Platform } from '../model/platform.js';
import { hex } from './format.js';
import { idLimit } from '../util/arith.js';
import type { HvFunction } from './input.js';
import type { HvState } from './state.js';

const U32 = 0xffff_ffffn;

export type SidebandLookup =
    | { ok: true; iommu: string; id: bigint; entry: MapEntry }
    | { ok: false; rid: bigint; reason: 'no-map' | 'unmatched' | 'bad-entry' | 'range' | 'not-smmu'; entry?: MapEntry; iommu?: string; id?: bigint };

/** dt_map_id on the host bridge's iommu-map, then the SMMU's StreamID width (arm_smmu_sid_in_range). */
export function sidebandLookup(platform: Platform, hb: HostBridge, rid: bigint): SidebandLookup {
    if (hb.iommuMap.length === 0) return { ok: false, rid, reason: 'no-map' };
    const mask = (hb.iommuMapMask ?? U32) & U32;
    const masked = rid & mask;
    for (const entry of hb.iommuMap) {
        if ((entry.ridBase & ~mask & U32) !== 0n) return { ok: false, rid, reason: 'bad-entry', entry };
        const start = entry.ridBase & U32;
        if (masked < start || masked >= start + entry.count) continue;
        const id = (masked - start + entry.targetBase) & U32;
        const smmu = platform.smmus.find((s) => s.name === entry.target);
        if (!smmu) return { ok: false, rid, reason: 'not-smmu', entry, iommu: entry.target, id };
        if (id >= idLimit(smmu.streamIdBits)) return { ok: false, rid, reason: 'range', entry, iommu: smmu.name, id };
        return { ok: true, iommu: smmu.name, id, entry };
    }
    return { ok: false, rid, reason: 'unmatched' };
}

export function lookupFailureText(f: Extract<SidebandLookup, { ok: false }>, hb: HostBridge, platform: Platform): string {
    switch (f.reason) {
        case 'no-map':
            return platform.iort
                ? `host bridge ${hb.name} has no iommu-map, and Xen on Arm has no ACPI PCI support, so the IORT is not read`
                : `host bridge ${hb.name} has no iommu-map`;
        case 'unmatched':
            return `no iommu-map entry of ${hb.name} covers RID ${hex(f.rid)}${hb.iommuMapMask !== undefined ? ` (mask ${hex(hb.iommuMapMask)})` : ''}`;
        case 'bad-entry':
            return `the iommu-map entry with rid-base ${hex(f.entry!.ridBase)} has bits outside the mask ${hex(hb.iommuMapMask ?? U32)} (-EFAULT)`;
        case 'range':
            return `StreamID ${hex(f.id!)} is beyond ${f.iommu}'s StreamID width (-ERANGE)`;
        case 'not-smmu':
            return `its iommu-map entry targets ${f.iommu}, which is not a declared SMMU (the language reports it at the entry)`;
    }
}

export interface ProgrammedIds {
    ids: { iommu: string; id: bigint; rid: bigint }[];
    /** The own RID could not be translated: PHYSDEVOP_pci_device_add fails. */
    failure?: { text: string; entry?: MapEntry; reportedAtEntry?: boolean };
    /** Aliases the design translates but no entry covers (their DMA still aborts). */
    unmappedAliases: { rid: bigint; text: string }[];
}

/** The IDs the hypervisor of this profile programs for `fn`. */
export function programmedIds(state: HvState, fn: HvFunction): ProgrammedIds {
    const { platform, rules } = state;
    const result: ProgrammedIds = { ids: [], unmappedAliases: [] };
    const push = (iommu: string, id: bigint, rid: bigint) => {
        if (!result.ids.some((i) => i.iommu === iommu && i.id === id)) result.ids.push({ iommu, id, rid });
    };
    if (platform.xen?.iommu === false && rules.hypervisor === 'xen') return result;
    const hb = platform.hostBridges.find((h) => h.name === fn.hostBridge);
    if (rules.hypervisor === 'kvm') {
        for (const s of fn.streamIds) push(s.iommu, s.id, s.id);
        return result;
    }
    if (rules.arch === 'x86') {
        // The unit the fabric found for it (DMAR device scope or INCLUDE_PCI_ALL, dmar-scope.ts).
        const iommu = platform.x86Iommus.find((u) => u.name === fn.streamIds[0]?.iommu);
        if (!iommu) {
            result.failure = { text: platform.x86Iommus.some((u) => u.deviceScope?.length) ? `no DMAR device scope covers it and no INCLUDE_PCI_ALL unit has host bridge ${fn.hostBridge}` : `no VT-d/AMD-Vi unit has host bridge ${fn.hostBridge} in its scope` };
            return result;
        }
        push(iommu.name, fn.rid, fn.rid);
        for (const rid of fn.phantomRids) push(iommu.name, rid, rid);
        for (const alias of fn.aliases) {
            const bridge = alias.bridge ? state.fn(alias.bridge)?.fn : undefined;
            if (bridge) push(iommu.name, bridge.rid, bridge.rid);
            push(iommu.name, alias.rid, alias.rid);
        }
        return result;
    }
    if (!hb) {
        result.failure = { text: `host bridge ${fn.hostBridge} is unknown` };
        return result;
    }
    const own = sidebandLookup(platform, hb, fn.rid);
    if (!own.ok) {
        result.failure = { text: lookupFailureText(own, hb, platform), entry: own.entry, reportedAtEntry: own.reason === 'not-smmu' };
        return result;
    }
    push(own.iommu, own.id, fn.rid);
    const extra = [...fn.phantomRids, ...(rules.aliasStreamIds ? fn.aliases.map((a) => a.rid) : [])];
    for (const rid of extra) {
        const r = sidebandLookup(platform, hb, rid);
        if (r.ok) push(r.iommu, r.id, rid);
        else result.unmappedAliases.push({ rid, text: lookupFailureText(r, hb, platform) });
    }
    return result;
}
