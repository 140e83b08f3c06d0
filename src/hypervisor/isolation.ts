// Isolation between domains. The IOMMU group is the smallest set of functions the IOMMU can
// tell apart (Linux's pci_device_group, DOMAIN.md B.2); functions of one group can reach each
// other peer to peer without the IOMMU seeing it, so they must all go to the same domain, or be
// quarantined, or be bridges (B.12 #32, #35; seed 004). Xen on Arm has no notion of groups
// (no get_device_group_id), so keeping a group together is the toolstack's job (B.2.2.5); a
// multi-function device without ACS must also not be split (seed 002, B.12 #34).
import { isBridge } from '../model/platform.js';
import type { FnState, HvState } from './state.js';
import { ownerText } from './state.js';

function hasAcs(f: FnState): boolean {
    // Quirks in effect: written ones, and Linux's pci_dev_acs_enabled[] answer (the fabric's).
    const quirks = f.fn.quirks ?? [];
    if (quirks.some((q) => q.effect === 'acs-isolated')) return true;
    if (quirks.some((q) => q.effect === 'no-acs')) return false;
    if (f.fn.decl.quirks.some((q) => q.kind === 'acs-isolated')) return true;
    if (f.fn.decl.quirks.some((q) => q.kind === 'no-acs')) return false;
    return f.fn.decl.acs !== undefined && !f.fn.decl.acs.disabled && !f.fn.decl.acs.unknown;
}

/** A peer in one of these states does not break isolation. */
function harmless(peer: FnState, domain: string): boolean {
    if (!peer.fn.isVf && isBridge(peer.fn.decl.kind)) return true;
    if (!peer.present || peer.fn.invisible !== undefined) return true;
    return peer.owner === domain || peer.owner === 'dom_io' || peer.owner === 'none';
}

/** A group that depends on an ACS the description does not give says so (`acs unknown`). */
export function acsUnknownNote(f: FnState): string {
    const unknown = f.fn.acsUnknown ?? [];
    if (unknown.length === 0) return '';
    return `; group ${f.fn.group} depends on the ACS of ${unknown.join(' and ')}, which the description does not give (\`acs unknown\`), and is computed as if ${unknown.length > 1 ? 'they have' : 'it has'} none`;
}

function groupNote(state: HvState): string {
    if (state.rules.hypervisor === 'kvm') return '';
    return state.rules.arch === 'arm'
        ? ` (${state.profile}: Xen on Arm does not know IOMMU groups, so nothing stops this split)`
        : ` (${state.profile}: Xen's VT-d grouping ignores ACS, so nothing stops this split)`;
}

/** Checks every device `domain` holds against its group and slot peers. */
export function checkIsolation(state: HvState, domain: string, devices: string[]): void {
    for (const name of devices) {
        const f = state.fn(name);
        if (!f) continue;
        for (const peer of state.groupPeers(name)) {
            if (harmless(peer, domain)) continue;
            const key = `${[name, peer.fn.name].sort().join('|')}|${domain}|${peer.owner}`;
            state.report(
                'HV-GROUP-SPLIT',
                `${name} goes to ${ownerText(state, domain)} but ${peer.fn.name}, in the same IOMMU group ${f.fn.group}, stays with ${ownerText(state, peer.owner)}: peer-to-peer DMA between them bypasses the IOMMU, so the domains are not isolated${groupNote(state)}${acsUnknownNote(f)}`,
                { at: state.entryLoc(domain, name), related: [{ loc: peer.fn.loc, message: `${peer.fn.name} (IOMMU group ${f.fn.group})` }] },
                key,
            );
        }
        for (const sib of state.slotSiblings(name)) {
            if (harmless(sib, domain)) continue;
            if (f.fn.group !== undefined && sib.fn.group === f.fn.group) continue; // reported as a group split
            if (hasAcs(f) && hasAcs(sib)) continue;
            const key = `${[name, sib.fn.name].sort().join('|')}|${domain}|${sib.owner}`;
            const lacking = [f, sib].filter((x) => !hasAcs(x)).map((x) => x.fn.name);
            state.report(
                'HV-MF-SPLIT',
                `${name} goes to ${ownerText(state, domain)} but ${sib.fn.name}, another function of the same multi-function device, stays with ${ownerText(state, sib.owner)}; ${lacking.join(' and ')} ${lacking.length > 1 ? 'have' : 'has'} no ACS, so the functions reach each other inside the device`,
                { at: state.entryLoc(domain, name), related: [{ loc: sib.fn.loc, message: sib.fn.name }] },
                key,
            );
        }
    }
}

// B.5.3.4, B.12 #16: BAR mapping works on 4 KiB pages; a sub-page BAR sharing its page with
// another domain's BAR exposes that BAR to the guest ("not security supported", SUPPORT.md).
export function checkBarPageSharing(state: HvState, f: FnState, domain: string): void {
    const PAGE = 0x1000n;
    for (const bar of f.fn.bars) {
        const address = f.bars.get(bar.index);
        if (bar.kind === 'io' || address === undefined || bar.size >= PAGE) continue;
        const page = address / PAGE;
        for (const other of state.fns.values()) {
            if (other === f || !other.present) continue;
            for (const ob of other.fn.bars) {
                const oa = other.bars.get(ob.index);
                if (ob.kind === 'io' || oa === undefined) continue;
                if (oa / PAGE > page || (oa + ob.size - 1n) / PAGE < page) continue;
                const same = other.owner === domain;
                state.report(
                    'HV-BAR-PAGE-SHARED',
                    `${f.fn.name} BAR ${bar.index} (${hexOf(address)}, ${bar.size} bytes) shares the 4 KiB page ${hexOf(page * PAGE)} with ${other.fn.name} BAR ${ob.index}${same ? `, also in ${ownerText(state, domain)}` : `, which stays with ${ownerText(state, other.owner)}`}: mapping the page gives ${ownerText(state, domain)} access to both`,
                    { at: state.entryLoc(domain, f.fn.name), related: [{ loc: bar.loc, message: `${f.fn.name} BAR ${bar.index}` }, { loc: ob.loc, message: `${other.fn.name} BAR ${ob.index}` }], severity: same ? 'warning' : 'error' },
                    `${[f.fn.name, other.fn.name].sort().join('|')}|${domain}`,
                );
            }
        }
    }
}

function hexOf(v: bigint): string {
    return `0x${v.toString(16)}`;
}
