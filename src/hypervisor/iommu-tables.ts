// The IOMMU tables the hypervisor writes when a device changes hands: on Arm one SMMU
// stream-table entry (STE) per StreamID pointing at the domain's stage-2 context (VMID), on x86
// one VT-d/AMD-Vi context entry per requester ID. Xen's SMMUv3 driver writes one STE per SID per
// master and does not notice a SID shared by two masters: the last write wins
// (xen/drivers/passthrough/arm/smmu-v3.c arm_smmu_install_ste_for_dev, DOMAIN.md B.2.2.5).
// dom_io (quarantine) gets no translation on Arm: the STE aborts (disable_bypass = 1).
import { isBridge } from '../model/platform.js';
import { hex } from './format.js';
import { HvState, ownerText, type FnState } from './state.js';

function vmidOf(state: HvState, domain: string): number | undefined {
    if (domain === 'dom0') return 1;
    return state.domains.get(domain)?.vmid;
}

function ensureContext(state: HvState, iommu: string, domain: string): void {
    if (domain === 'dom_io') return;
    let set = state.iommuContexts.get(domain);
    if (!set) state.iommuContexts.set(domain, (set = new Set()));
    if (set.has(iommu)) return;
    set.add(iommu);
    if (state.rules.arch === 'arm') state.emit('smmu-context', { smmu: iommu, domain: ownerText(state, domain), vmid: String(vmidOf(state, domain) ?? '?') });
    else state.emit('iommu-domain', { iommu, domain: ownerText(state, domain) });
}

/** Frees the domain's contexts (domain destruction). */
export function releaseContexts(state: HvState, domain: string): void {
    for (const iommu of state.iommuContexts.get(domain) ?? []) {
        if (state.rules.arch === 'arm') state.emit('smmu-context-free', { smmu: iommu, domain: ownerText(state, domain) });
        else state.emit('iommu-domain-free', { iommu, domain: ownerText(state, domain) });
    }
    state.iommuContexts.delete(domain);
}

/** Points every IOMMU entry of `f` at `domain`, reporting StreamIDs another master owns. */
export function programIommu(state: HvState, f: FnState, domain: string): void {
    const arm = state.rules.arch === 'arm';
    // One finding per other master and IOMMU, naming every ID the two share.
    const shared = new Map<string, { iommu: string; ids: bigint[]; previous: { master: string; domain: string } }>();
    for (const { iommu, id } of f.iommuIds) {
        const key = `${iommu}/${id}`;
        const previous = state.iommuTable.get(key);
        if (previous && previous.master !== f.fn.name) {
            const pair = `${previous.master}/${iommu}`;
            const entry = shared.get(pair);
            if (entry) entry.ids.push(id);
            else shared.set(pair, { iommu, ids: [id], previous: { ...previous } });
        }
        ensureContext(state, iommu, domain);
        if (arm) {
            state.emit('smmu-ste', {
                smmu: iommu,
                sid: hex(id),
                master: f.fn.name,
                domain: ownerText(state, domain),
                config: domain === 'dom_io' ? 'abort (quarantine)' : `stage-2 translate, VMID ${vmidOf(state, domain) ?? '?'}`,
            });
        } else {
            state.emit('iommu-context', { iommu, rid: hex(id), master: f.fn.name, domain: ownerText(state, domain) });
        }
        state.iommuTable.set(key, { master: f.fn.name, domain });
    }
    for (const { iommu, ids, previous } of shared.values()) reportSharedId(state, f, iommu, ids, previous, domain);
}

/** Removes the entries of a device that leaves (PHYSDEVOP_pci_device_remove). */
export function clearIommu(state: HvState, f: FnState): void {
    for (const { iommu, id } of f.iommuIds) {
        const key = `${iommu}/${id}`;
        if (state.iommuTable.get(key)?.master !== f.fn.name) continue;
        state.iommuTable.delete(key);
        state.emit(state.rules.arch === 'arm' ? 'smmu-ste-clear' : 'iommu-context-clear', { iommu, id: hex(id), master: f.fn.name });
    }
}

/**
 * An IOMMU's ID for a master, in that IOMMU's own words: an SMMU's StreamID, a VT-d context
 * entry's source-id, an AMD-Vi device-table entry's DeviceID (both the requester ID).
 */
function idText(state: HvState, iommu: string, ids: readonly bigint[]): string {
    const many = ids.length > 1;
    const list = many ? `${ids.slice(0, -1).map(hex).join(', ')} and ${hex(ids.at(-1)!)}` : hex(ids[0]!);
    if (state.rules.arch === 'arm') return `StreamID${many ? 's' : ''} ${list} on ${iommu}`;
    const kind = state.platform.x86Iommus.find((u) => u.name === iommu)?.kind;
    if (kind === 'vt-d') return `source-id${many ? 's' : ''} (requester ID${many ? 's' : ''}) ${list} in the VT-d context table of ${iommu}`;
    if (kind === 'amd-vi') return `DeviceID${many ? 's' : ''} (requester ID${many ? 's' : ''}) ${list} in the AMD-Vi device table of ${iommu}`;
    return `requester ID${many ? 's' : ''} ${list} on ${iommu}`;
}

// DOMAIN.md B.12 #30, B.2.2.2/B.2.2.5.
function reportSharedId(state: HvState, f: FnState, iommu: string, ids: readonly bigint[], previous: { master: string; domain: string }, domain: string): void {
    const other = state.fn(previous.master);
    const arm = state.rules.arch === 'arm';
    const what = idText(state, iommu, ids);
    // A bridge's own RID entry is not a DMA master's: moving it with the device behind is expected.
    if (other && !other.fn.isVf && isBridge(other.fn.decl.kind)) return;
    const otherOwner = other?.owner ?? previous.domain;
    const differ = otherOwner !== domain;
    // VT-d shares context entries of devices behind one legacy bridge by design (its group is the
    // topmost legacy bridge, B.2.2.5): only a split across domains matters there.
    if (!arm && !differ) return;
    const note = arm
        ? state.profile === 'arm-upstream'
            ? ' (arm-upstream: Xen does not detect a StreamID shared by two masters; the last STE write wins, while Linux\'s SMMUv3 driver refuses the second master)'
            : ' (Linux\'s SMMUv3 driver refuses the second master; one STE cannot translate for two masters)'
        : '';
    const message = differ
        ? `${f.fn.name} and ${previous.master} share ${what}: ${ids.length > 1 ? 'the entries now translate' : 'the entry now translates'} for ${ownerText(state, domain)}, so ${previous.master}'s DMA (owned by ${ownerText(state, otherOwner)}) goes through ${ownerText(state, domain)}'s tables${note}`
        : `${f.fn.name} and ${previous.master} share ${what}${note}`;
    if (differ) state.idSharersReported.add(HvState.sharerPair(f.fn.name, previous.master));
    state.report(
        arm ? 'XEN-STREAMID-SHARED' : 'XEN-REQUESTER-ID-SHARED',
        message,
        {
            at: differ && state.domains.has(domain) ? state.entryLoc(domain, f.fn.name) : f.fn.loc,
            related: other ? [{ loc: other.fn.loc, message: `${previous.master} uses ${what}` }] : [],
            severity: differ ? 'error' : 'warning',
            declaration: !differ,
        },
        `${[f.fn.name, previous.master].sort().join('|')}|${iommu}|${ids.join(',')}|${differ ? domain : 'same'}`,
    );
}
