// dom0 reports each device it enumerates with PHYSDEVOP_pci_device_add {seg, bus, devfn, flags
// (EXTFN 0x1, VIRTFN 0x2, PXM 0x4), physfn} (xen/drivers/pci/physdev.c; DOMAIN.md B.8.1.3).
// Xen then finds the device's IOMMU IDs (Arm: the host bridge's iommu-map, own RID + phantom
// functions only), adds it to the IOMMU and gives it to dom0. It fails with -ENODEV when no
// IOMMU ID is found (smmu-v3.c arm_smmu_add_device, B.3.3, B.12 #27) and, for a VF, when the PF
// is not known yet (pci.c pci_add_device, B.7.6, B.12 #50). Linux adds devices bus by bus:
// every device of a bus, then the buses below (linux:drivers/pci/bus.c pci_bus_add_devices),
// and its driver probes right after the add.
import { hex, sbdf } from './format.js';
import { mapBarsForPvhDom0, trapMsiForPvhDom0 } from './dom0-mappings.js';
import type { HvFunction } from './input.js';
import { programIommu } from './iommu-tables.js';
import { mapdForDriver } from './its.js';
import { checkMsixPageSharing } from './msix-pages.js';
import { initialDriver } from './ownership.js';
import { programmedIds } from './sideband-ids.js';
import { ownerText, type FnState, type HvState } from './state.js';
import { isBridge } from '../model/platform.js';

/** Linux's add order (pci_bus_add_devices), host bridge by host bridge; VFs and invisible functions left out. */
export function linuxAddOrder(state: HvState): FnState[] {
    const visible = state.input.functions.filter((f) => !f.isVf && f.invisible === undefined);
    const below = new Map<string | undefined, HvFunction[]>();
    for (const f of visible) {
        const key = f.upstream ?? `#root:${f.hostBridge}`;
        let list = below.get(key);
        if (!list) below.set(key, (list = []));
        list.push(f);
    }
    const out: FnState[] = [];
    const addBus = (list: HvFunction[]) => {
        for (const f of list) out.push(state.fn(f.name)!);
        for (const f of list) {
            const children = below.get(f.name);
            if (children) addBus(children);
        }
    };
    for (const hb of state.platform.hostBridges) addBus(below.get(`#root:${hb.name}`) ?? []);
    return out;
}

function addFlags(state: HvState, f: HvFunction): string {
    const flags: string[] = [];
    // linux:drivers/xen/pci.c xen_add_device: EXTFN for ARI functions beyond the first 8.
    if (f.ari && !f.isVf && f.devfn >> 3n !== 0n) flags.push('XEN_PCI_DEV_EXTFN');
    if (f.isVf) flags.push('XEN_PCI_DEV_VIRTFN');
    const hb = state.platform.hostBridges.find((h) => h.name === f.hostBridge);
    if (hb?.numaNode !== undefined) flags.push('XEN_PCI_DEV_PXM');
    return flags.length ? flags.join('|') : '0';
}

/** PHYSDEVOP_pci_device_add for one function and what follows: IOMMU entries, traps, driver probe. */
export function addDevice(state: HvState, f: FnState): boolean {
    const fn = f.fn;
    const pf = fn.pf ? state.fn(fn.pf) : undefined;
    const args: Record<string, string | undefined> = {
        sbdf: sbdf(fn.segment, fn.bus, fn.devfn),
        device: fn.name,
        flags: addFlags(state, fn),
        physfn: pf ? sbdf(pf.fn.segment, pf.fn.bus, pf.fn.devfn) : undefined,
    };
    const hb = state.platform.hostBridges.find((h) => h.name === fn.hostBridge);
    if (hb?.numaNode !== undefined) args.pxm = String(hb.numaNode);

    if (pf && !pf.added) {
        state.emit('PHYSDEVOP_pci_device_add', { ...args, result: '-ENODEV' });
        f.notAddedWhy = `its PF ${pf.fn.name} is not known to Xen${pf.notAddedWhy ? ` (${pf.notAddedWhy})` : ''}`;
        // The PF's own add failed and was reported: the VF failing after it is that fault's
        // consequence, not a boot-order problem (one cause, one finding).
        if (pf.notAddedWhy !== undefined) return false;
        state.report(
            'XEN-VF-BEFORE-PF',
            `VF ${fn.name} (${args.sbdf}) is reported before Xen knows its PF ${pf.fn.name}: PHYSDEVOP_pci_device_add with XEN_PCI_DEV_VIRTFN fails with -ENODEV`,
            { at: fn.loc, related: [{ loc: pf.fn.loc, message: `PF ${pf.fn.name}` }] },
            fn.name,
        );
        return false;
    }

    if (state.xenUnknownHostBridges.has(fn.hostBridge)) {
        // Reported once at the host bridge (XEN-HOST-BRIDGE-NO-DRIVER); each refused add follows from it.
        state.emit('PHYSDEVOP_pci_device_add', { ...args, result: '-ENODEV' });
        f.notAddedWhy = `Xen has no driver for its host bridge ${fn.hostBridge}`;
        f.owner = 'dom0';
        f.driver = initialDriver(state, f);
        return false;
    }
    const ids = programmedIds(state, fn);
    if (ids.failure) {
        state.emit('PHYSDEVOP_pci_device_add', { ...args, result: '-ENODEV' });
        f.notAddedWhy = ids.failure.text;
        f.owner = 'dom0';
        f.driver = initialDriver(state, f);
        const xenKeepsSmmu = state.rules.arch === 'arm';
        state.report(
            xenKeepsSmmu ? 'XEN-NO-STREAMID' : 'XEN-NO-IOMMU-UNIT',
            `${fn.name} (${args.sbdf}, ${xenKeepsSmmu ? 'RID' : 'requester ID'} ${hex(fn.rid)}) gets no ${xenKeepsSmmu ? 'StreamID' : 'VT-d context entry or AMD-Vi device-table entry'}: ${ids.failure.text}; PHYSDEVOP_pci_device_add fails with -ENODEV, so Xen does not know the device, its DMA ${xenKeepsSmmu ? 'hits no stream-table entry and aborts' : 'is blocked'}, and it cannot be assigned`,
            {
                at: fn.loc,
                related: ids.failure.entry ? [{ loc: ids.failure.entry.loc, message: 'this map entry' }] : hb ? [{ loc: hb.nameLoc, message: `host bridge ${hb.name}` }] : [],
                declaration: true,
                // The fault is the entry's, an error there already: this is its consequence.
                severity: ids.failure.reportedAtEntry ? 'info' : undefined,
            },
            fn.name,
        );
        return false;
    }

    state.emit('PHYSDEVOP_pci_device_add', { ...args, result: '0' });
    f.added = true;
    f.iommuIds = ids.ids.map(({ iommu, id }) => ({ iommu, id }));
    if (state.xenOwns.has(fn.name)) {
        f.owner = 'xen';
        f.driver = undefined;
        return true;
    }
    f.owner = 'dom0';
    programIommu(state, f, 'dom0');
    checkAliasesXenIgnores(state, f);
    for (const gap of ids.unmappedAliases) {
        state.report(
            'XEN-NO-STREAMID',
            `${fn.name}'s DMA alias ${hex(gap.rid)} gets no StreamID: ${gap.text}; DMA tagged with it aborts`,
            { at: fn.loc, severity: 'warning', declaration: true },
            `${fn.name}|${gap.rid}`,
        );
    }
    checkPhantoms(state, f);

    // SR-IOV already on when the PF is reported (B.7.6, B.12 #50).
    if (fn.decl.sriov && !fn.isVf && f.vfsEnabled > 0) {
        f.vfBarsUnsized = true;
        state.report(
            'XEN-SRIOV-AT-ADD',
            `${fn.name} is reported to Xen with VF Enable already set (${f.vfsEnabled} VFs enabled before boot): Xen sizes VF BARs only when VF Enable and VF MSE are clear, so it does not know ${fn.name}'s VF BARs; Linux then clears VF Enable in sriov_init`,
            { at: fn.decl.sriov.loc, declaration: true },
            fn.name,
        );
        state.emit('sriov-disable', { pf: fn.name, by: 'Linux sriov_init (VF Enable found set)', numvfs: String(f.vfsEnabled) });
        f.vfsEnabled = 0;
        for (const vf of state.vfsOf(fn.name)) vf.present = false;
    }

    f.driver = isBridge(fn.decl.kind) && !fn.isVf ? 'pcieport' : initialDriver(state, f);
    if (state.rules.dom0Traps) {
        if (fn.isVf && !state.rules.dom0Sriov) {
            // x86-pvh: vPCI has no SR-IOV support; the VF's BARs are not mapped for dom0 (B.7.6).
            state.emit('vpci-skip', { device: fn.name, why: 'VF BARs are not handled by vPCI (no SR-IOV with a PVH dom0)' });
        } else {
            trapMsiForPvhDom0(state, f);
            f.decoding = true;
            mapBarsForPvhDom0(state, f);
            checkMsixPageSharing(state, f, 'dom0');
        }
    }
    if (f.driver === 'pciback') state.emit('pciback-bind', { device: fn.name, sbdf: args.sbdf!, why: 'named for passthrough (xen-pciback.hide)' });
    else if (f.driver === 'dom0' && state.rules.arch === 'arm') mapdForDriver(state, f, 'dom0');
    return true;
}

// Xen on Arm programs only the own RID and phantoms (device_tree.c, B.1.4.2, B.12 #31).
function checkAliasesXenIgnores(state: HvState, f: FnState, domain = 'dom0'): void {
    if (state.rules.arch !== 'arm' || state.rules.aliasStreamIds) return;
    for (const alias of f.fn.aliases) {
        const bridge = alias.bridge ? state.fn(alias.bridge) : undefined;
        state.report(
            'XEN-BRIDGE-ALIAS',
            `${f.fn.name} also issues DMA as ${hex(alias.rid)}${alias.bridge ? ` (the alias of ${alias.bridge})` : ''}, but Xen programs only its own RID ${hex(f.fn.rid)}${f.fn.phantomRids.length ? ' and phantom functions' : ''}: DMA tagged with the alias hits a stream-table entry Xen never wrote and aborts (arm-upstream: iommu_add_dt_pci_sideband_ids does not walk bridge aliases)`,
            {
                at: domain === 'dom0' ? f.fn.loc : state.entryLoc(domain, f.fn.name),
                related: bridge ? [{ loc: bridge.fn.loc, message: `${alias.bridge} rewrites the requester ID` }] : [],
                severity: domain === 'dom0' ? 'warning' : 'error',
                declaration: domain === 'dom0',
            },
            `${f.fn.name}|${alias.rid}|${domain === 'dom0' ? 'dom0' : 'guest'}`,
        );
    }
}

/** The bridge-alias rule again when the device goes to a guest (an error there). */
export function checkAliasesForGuest(state: HvState, f: FnState, domain: string): void {
    checkAliasesXenIgnores(state, f, domain);
}

// DOMAIN.md B.1.1.6, B.12 #48.
function checkPhantoms(state: HvState, f: FnState): void {
    for (const rid of f.fn.phantomRids) {
        const real = state.onBus(f.fn.segment, rid >> 8n).find((o) => o !== f && o.fn.invisible === undefined && o.fn.rid === rid);
        if (!real) continue;
        state.report(
            'XEN-PHANTOM-OCCUPIED',
            `${f.fn.name}'s phantom function ${hex(rid)} is the RID of ${real.fn.name}: Xen adds the phantom to ${f.fn.name}'s IOMMU entries, so ${real.fn.name}'s DMA follows ${ownerText(state, f.owner)}`,
            { at: f.fn.loc, related: [{ loc: real.fn.loc, message: `${real.fn.name} has RID ${hex(rid)}` }], declaration: true },
            `${f.fn.name}|${rid}`,
        );
    }
}
