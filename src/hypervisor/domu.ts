// Xen domUs: `xl create` with PCI devices, `xl pci-attach` / `pci-detach`, `xl destroy`.
//
// For each device libxl checks that it is assignable (bound to pciback; with `seize` it unbinds
// dom0's driver itself), then asks Xen to move it with XEN_DOMCTL_assign_device, which accepts
// a device only from the hardware domain or dom_io (-EBUSY otherwise) and, upstream on Arm,
// gives it a virtual slot (vpci.c, -EOPNOTSUPP for function ≠ 0, -ENOSPC past 32 slots)
// (tools/libs/light/libxl_pci.c, xen/drivers/passthrough/pci.c; DOMAIN.md B.8.2-B.8.4).
// Xen reprograms the device's StreamIDs for the domain's context. The guest then sees a virtual
// host bridge (libxl_arm.c adds a `pcie@10000000` node on Arm) with the device at its virtual
// slot and its virtual BARs mapped (guest-bars.ts). The design tells Xen the guest SBDF with
// PHYSDEVOP_map_sbdf and maps the guest's ITS DeviceID (the guest RID) to the host DeviceID
// (seed 000 §4.3-§4.4). Leaving a guest, a device is deassigned into quarantine (dom_io) and
// reset (libxl__device_pci_reset).
//
// A device Xen or libxl refuses is left out and the domain starts without it, so the scenario
// plays on; the finding says what would fail.
import { checkVcpus } from './vcpus.js';
import { passPlatformDevices } from './platform-passthrough.js';
import { hex, range, sbdf } from './format.js';
import { checkAliasesForGuest } from './device-add.js';
import { checkHoles, guestHoles } from './guest-layout.js';
import { placeGuestBars, unmapGuestBars } from './guest-bars.js';
import { programIommu, releaseContexts } from './iommu-tables.js';
import { checkBarPageSharing, checkIsolation } from './isolation.js';
import { unmapdForDriver } from './its.js';
import { ownsRelated, unknownReason, unknownSeverity } from './ownership.js';
import { availableResets, checkResetForGuest, emitReset } from './reset.js';
import { allocateSlots, guestSbdfText, type SlotRequest } from './virtual-slots.js';
import { removeXenstore, writeXenstore } from './xl-config.js';
import { recordRefusals } from './refusals.js';
import { ownerText, type Attached, type ConfigEntry, type DomainState, type FnState, type HvState } from './state.js';
import { checkMsixPageSharing } from './msix-pages.js';
import { checkXenConfigAccessForDevice } from './config-access.js';

/** The devices one configuration entry stands for (all functions of the slot with `all-functions`). */
export function expandEntry(state: HvState, e: ConfigEntry): SlotRequest[] {
    const f = state.fn(e.device);
    if (!f) return [{ device: e.device, entry: e, physicalFn: 0n }];
    if (!e.flags.includes('all-functions')) return [{ device: e.device, entry: e, physicalFn: f.fn.devfn & 7n }];
    const all = [f, ...state.slotSiblings(e.device)].sort((a, b) => Number(a.fn.devfn - b.fn.devfn));
    return all.map((x) => ({ device: x.fn.name, entry: e, physicalFn: x.fn.devfn & 7n }));
}

/** Whether this hypervisor can give PCI devices to the domain at all (reported once per domain). */
function passthroughAvailable(state: HvState, d: DomainState, at: ConfigEntry): boolean {
    const xen = state.platform.xen;
    if (xen?.iommu === false) {
        state.report('XEN-IOMMU-OFF', `${d.name} is given PCI devices but Xen runs with the IOMMU off (\`iommu off\`): XEN_DOMCTL_assign_device fails, and without an IOMMU the device's DMA could reach any memory`, { at: at.loc }, d.name);
        return false;
    }
    if (state.rules.arch === 'arm') {
        // issue 14: upstream Xen builds PCI only on arm64 (xen/arch/arm/Kconfig: PCI_PASSTHROUGH depends on ARM_64).
        if (state.platform.arch === 'arm32' && state.profile === 'arm-upstream') {
            state.report('XEN-ARM32-NO-PCI', `${d.name} is given PCI devices, but platform ${state.platform.name} is 32-bit Arm and upstream Xen builds PCI support only on arm64 (PCI_PASSTHROUGH depends on ARM_64 and selects HAS_PCI): Xen knows no PCI device to assign (arm-upstream)`, { at: at.loc }, d.name);
            return false;
        }
        if (!state.rules.domUVpci) {
            const pt = xen?.pciPassthrough === true ? '' : '; `pci-passthrough` is also off (the default)';
            state.report(
                'XEN-NO-VPCI',
                `${d.name} is given PCI devices, but domU PCI passthrough is not functional: vPCI is compiled but has_vpci() is hard-wired false for domUs, so the guest gets no virtual configuration space and no MSIs${pt} (arm-upstream: domU vPCI is not enabled in Xen)`,
                { at: at.loc },
                d.name,
            );
            return true; // the in-tree vPCI path is simulated anyway, to report what it would refuse
        }
        if (xen?.pciPassthrough === false) {
            state.report('XEN-NO-VPCI', `${d.name} is given PCI devices but Xen runs with \`pci-passthrough off\`: Xen on Arm does not set up PCI passthrough (${state.profile})`, { at: at.loc }, d.name);
            return false;
        }
    }
    if (state.rules.arch === 'x86' && (d.xen?.guestType === 'pv' || d.xen?.guestType === 'pvh')) {
        state.report(
            'XEN-PVH-GUEST-TYPE',
            `${d.name} is a ${d.xen.guestType.toUpperCase()} guest with PCI devices, but with a PVH dom0 there is no pciback/pcifront path: passthrough works only to HVM guests (x86-pvh: CHANGELOG 4.21; SUPPORT.md lists passthrough with a PVH dom0 as missing)`,
            { at: at.loc },
            d.name,
        );
    }
    return true;
}

function unbindDom0Driver(state: HvState, f: FnState): void {
    state.emit('driver-unbind', { device: f.fn.name, driver: f.driver ?? 'none', domain: 'dom0' });
    if (state.rules.arch === 'arm') unmapdForDriver(state, f);
    f.restoreDriver = f.driver;
    f.driver = 'pciback';
    state.emit('pciback-bind', { device: f.fn.name, sbdf: sbdf(f.fn.segment, f.fn.bus, f.fn.devfn) });
}

/** `xl pci-assignable-add`: pciback, then quarantine in dom_io (libxl__device_pci_assignable_add). */
export function quarantine(state: HvState, f: FnState, via: string): void {
    if (f.driver !== 'pciback') unbindDom0Driver(state, f);
    state.emit('XEN_DOMCTL_assign_device', { domain: 'dom_io', machine_sbdf: sbdf(f.fn.segment, f.fn.bus, f.fn.devfn), device: f.fn.name, flags: 'XEN_DOMCTL_DEV_RDM_RELAXED', via, result: '0' });
    f.owner = 'dom_io';
    programIommu(state, f, 'dom_io');
}

/** libxl's checks before XEN_DOMCTL_assign_device (B.8.2.1, B.12 #45 #47). */
function prepare(state: HvState, d: DomainState, req: SlotRequest): boolean {
    const f = state.fn(req.device);
    const at = { at: req.entry.loc, related: f ? [{ loc: f.fn.loc, message: req.device }] : [], severity: unknownSeverity(state, f, req.device) };
    if (!f || !f.present || !f.added) {
        state.report('HV-DEVICE-UNKNOWN', `${d.name} cannot get ${req.device}: ${unknownReason(state, f, req.device)}; XEN_DOMCTL_assign_device fails with -ENODEV`, at, `${d.name}|${req.device}`);
        return false;
    }
    if (f.owner === 'xen') {
        state.report('XEN-OWNED', `${d.name} is given ${req.device}, which Xen keeps for itself: XEN_DOMCTL_assign_device fails with -EBUSY (owned by DomXEN)`, { at: req.entry.loc, related: ownsRelated(state, req.device) }, `${d.name}|${req.device}`);
        return false;
    }
    if (f.owner === d.name) {
        state.report('HV-ASSIGNED-TWICE', `${req.device} is already assigned to ${ownerText(state, d.name)}`, { ...at, severity: 'warning' }, `${d.name}|${req.device}|self`);
        return false;
    }
    if (state.domains.has(f.owner)) {
        const other = state.domains.get(f.owner)!;
        const otherEntry = other.config.find((e) => e.device === req.device || expandEntry(state, e).some((r) => r.device === req.device));
        state.report(
            'HV-ASSIGNED-TWICE',
            `${d.name} is given ${req.device}, which ${ownerText(state, f.owner)} already holds: XEN_DOMCTL_assign_device accepts a device only from dom0 or dom_io (-EBUSY)`,
            { at: req.entry.loc, related: otherEntry ? [{ loc: otherEntry.loc, message: `assigned to ${f.owner} here` }] : [] },
            `${d.name}|${req.device}`,
        );
        return false;
    }
    if (f.driver === 'dom0' || f.driver === 'pcieport') {
        if (!req.entry.flags.includes('seize')) {
            const uses = state.dom0Uses.get(req.device);
            state.report(
                'XEN-DEVICE-IN-USE',
                `${d.name} is given ${req.device}, but dom0's driver is bound to it${uses ? ' (dom0 uses it)' : ''} and it is not assignable: libxl refuses ("not assignable"); make it assignable first (\`assignable\`, \`xl pci-assignable-add\`) or add \`seize\``,
                { at: req.entry.loc, related: uses ? [{ loc: uses, message: `dom0 uses ${req.device}` }] : [] },
                `${d.name}|${req.device}`,
            );
            return false;
        }
        state.emit('libxl-seize', { device: req.device, domain: d.name, driver: f.driver });
        quarantine(state, f, 'seize');
    }
    return true;
}

// B.12 #46: `F=*` needs a vslot and every function bound to pciback.
function checkAllFunctions(state: HvState, d: DomainState, e: ConfigEntry): boolean {
    if (!e.flags.includes('all-functions')) return true;
    if (!e.vslot) {
        state.report('XEN-ALL-FUNCTIONS', `${e.device} is passed with all-functions (xl \`F=*\`) but without a virtual slot: libxl requires a vslot for a multi-function assignment`, { at: e.loc }, `${d.name}|${e.device}|vslot`);
        return false;
    }
    const bound = expandEntry(state, e).filter((r) => state.fn(r.device)?.driver === 'dom0' && !e.flags.includes('seize'));
    if (bound.length > 0) {
        state.report(
            'XEN-ALL-FUNCTIONS',
            `${e.device} is passed with all-functions, but ${bound.map((b) => b.device).join(', ')} ${bound.length > 1 ? 'are' : 'is'} still bound to a dom0 driver: libxl's pci_multifunction_check requires every function to be bound to pciback`,
            { at: e.loc },
            `${d.name}|${e.device}|bound`,
        );
        return false;
    }
    return true;
}

/** Assigns the devices of `entries` to the running (or starting) domain `d`, recording those it refuses. */
export function attachEntries(state: HvState, d: DomainState, entries: ConfigEntry[]): string[] {
    const before = state.findings.length;
    const names = attachEntriesOnce(state, d, entries);
    recordRefusals(state, d, [...new Set(entries.flatMap((e) => expandEntry(state, e).map((r) => r.device)))], before);
    return names;
}

function attachEntriesOnce(state: HvState, d: DomainState, entries: ConfigEntry[]): string[] {
    if (entries.length === 0) return [];
    if (!passthroughAvailable(state, d, entries[0]!)) return [];
    const requests: SlotRequest[] = [];
    for (const e of entries) {
        if (!checkAllFunctions(state, d, e)) continue;
        for (const r of expandEntry(state, e)) if (!requests.some((q) => q.device === r.device) && prepare(state, d, r)) requests.push(r);
    }
    // Upstream vPCI refuses functions other than 0 inside XEN_DOMCTL_assign_device (B.8.3.2, #41).
    const notZero = (r: SlotRequest) => state.rules.functionZeroOnly && (state.fn(r.device)!.fn.devfn & 7n) !== 0n;
    const slots = allocateSlots(state, d, requests.filter((r) => !notZero(r)));
    const attached: Attached[] = [];
    for (const r of requests) {
        const f = state.fn(r.device)!;
        const machine = sbdf(f.fn.segment, f.fn.bus, f.fn.devfn);
        checkXenConfigAccessForDevice(state, r.device, d.name, r.entry.loc);
        if (notZero(r)) {
            state.emit('XEN_DOMCTL_assign_device', { domain: ownerText(state, d.name), machine_sbdf: machine, device: r.device, result: '-EOPNOTSUPP' });
            state.report(
                'XEN-FUNCTION-NOT-ZERO',
                `${r.device} (${machine}) is function ${f.fn.devfn & 7n} of its device: Xen passes only function 0 to a domU (arm-upstream: vpci.c assign_virtual_sbdf returns -EOPNOTSUPP, multi-function devices are not supported)`,
                { at: r.entry.loc, related: [{ loc: f.fn.loc, message: r.device }] },
                `${d.name}|${r.device}`,
            );
            continue;
        }
        const devfn = slots.get(r.device);
        if (devfn === undefined) {
            if (!state.rules.vslotHonoured) state.emit('XEN_DOMCTL_assign_device', { domain: ownerText(state, d.name), machine_sbdf: machine, device: r.device, result: '-ENOSPC' });
            continue;
        }
        state.emit('XEN_DOMCTL_assign_device', {
            domain: ownerText(state, d.name),
            machine_sbdf: machine,
            device: r.device,
            flags: r.entry.rdmPolicy === 'strict' ? '0' : 'XEN_DOMCTL_DEV_RDM_RELAXED',
            result: '0',
        });
        f.owner = d.name;
        programIommu(state, f, d.name);
        checkAliasesForGuest(state, f, d.name);
        const a: Attached = { device: r.device, entry: r.entry, guestDevfn: devfn, guestBars: [] };
        d.attached.set(r.device, a);
        attached.push(a);
        checkMsixPageSharing(state, f, d.name);
        announceGuestSbdf(state, d, f, devfn);
    }
    if (attached.length === 0) return [];
    if (state.rules.arch === 'arm' && !d.guestHostBridge) {
        d.guestHostBridge = true;
        const low = d.holes.find((h) => h.which === 'low')!;
        const high = d.holes.find((h) => h.which === 'high')!;
        state.emit('guest-dt-node', { domain: ownerText(state, d.name), node: 'pcie@10000000', compatible: 'pci-host-ecam-generic', ecam: range(0x1000_0000n, 0x1000_0000n), mem: range(low.base, low.size), prefetch: range(high.base, high.size) });
    }
    placeGuestBars(state, d, attached);
    for (const a of attached) writeXenstore(state, d, a);
    const names = attached.map((a) => a.device);
    checkIsolation(state, d.name, [...d.attached.keys()]);
    for (const a of attached) {
        const f = state.fn(a.device)!;
        checkResetForGuest(state, f, d.name);
        checkBarPageSharing(state, f, d.name);
    }
    return names;
}

function announceGuestSbdf(state: HvState, d: DomainState, f: FnState, devfn: bigint): void {
    const machine = sbdf(f.fn.segment, f.fn.bus, f.fn.devfn);
    const guest = guestSbdfText(devfn);
    if (state.rules.guestIts) {
        // The design: pciback tells Xen the guest SBDF (seed 000 §4.3, PHYSDEVOP_map_sbdf = 43).
        state.emit('PHYSDEVOP_map_sbdf', { domain: ownerText(state, d.name), sbdf: machine, gsbdf: guest, device: f.fn.name });
        for (const { its, id } of f.fn.deviceIds) {
            // The guest's virtual ITS sees the guest RID (bus 0) as DeviceID (seed 000 §4.4, §5).
            state.emit('its-assign-device', { its, deviceId: hex(id), domain: ownerText(state, d.name), vDeviceID: hex(devfn), device: f.fn.name });
        }
    } else if (state.rules.arch === 'arm') {
        state.emit('vpci-virtual-sbdf', { domain: ownerText(state, d.name), device: f.fn.name, sbdf: machine, guest });
    } else {
        state.emit('qemu-xen-pt', { domain: ownerText(state, d.name), device: f.fn.name, host: machine, addr: guest });
    }
}

/** `xl create`: the domain comes up with the devices of its configuration. */
export function startXenDomain(state: HvState, d: DomainState): void {
    d.domid = state.nextDomid++;
    d.vmid = state.nextVmid++;
    d.attached.clear();
    d.xenstore = [];
    d.nextBackendIndex = 0;
    if (d.xen) {
        d.holes = guestHoles(state, d.xen);
        checkHoles(state, d.xen);
    }
    state.emit('xl-create', { domain: d.name, domid: String(d.domid), pci: String(d.config.length) });
    checkVcpus(state, d.name, d.xen?.vcpus, d.xen?.vcpusLoc);
    passPlatformDevices(state, d);
    d.running = true;
    attachEntries(state, d, d.config);
    snapshot(d);
}

/** `xl pci-attach` to a running domain. */
export function hotPlugXen(state: HvState, d: DomainState, entry: ConfigEntry): void {
    state.emit('xl-pci-attach', { domain: ownerText(state, d.name), device: entry.device });
    attachEntries(state, d, [entry]);
    snapshot(d);
}

function detach(state: HvState, d: DomainState, a: Attached): void {
    const f = state.fn(a.device)!;
    unmapGuestBars(state, d, a);
    state.emit('XEN_DOMCTL_deassign_device', { domain: ownerText(state, d.name), machine_sbdf: sbdf(f.fn.segment, f.fn.bus, f.fn.devfn), device: a.device, to: 'dom_io', result: '0' });
    f.owner = 'dom_io';
    programIommu(state, f, 'dom_io');
    emitReset(state, f, availableResets(state, f).methods[0], 'libxl (pciback do_flr, sysfs reset)');
    d.attached.delete(a.device);
}

/** `xl pci-detach`. */
export function hotUnplugXen(state: HvState, d: DomainState, device: string): void {
    const a = d.attached.get(device);
    if (!a) return;
    state.emit('xl-pci-detach', { domain: ownerText(state, d.name), device });
    detach(state, d, a);
    removeXenstore(state, d, device);
    snapshot(d);
}

/** `xl destroy`. */
export function destroyXenDomain(state: HvState, d: DomainState): void {
    state.emit('xl-destroy', { domain: ownerText(state, d.name) });
    for (const [dev, holder] of [...state.platformPassedTo]) if (holder === d.name) state.platformPassedTo.delete(dev);
    for (const a of [...d.attached.values()].reverse()) detach(state, d, a);
    if (d.xenstore.length > 0) state.emit('xenstore-rm', { path: `/local/domain/0/backend/pci/${d.domid}` });
    d.xenstore = [];
    releaseContexts(state, d.name);
    d.guestHostBridge = false;
    d.running = false;
}

/** Keeps the layout of the run for the result. */
export function snapshot(d: DomainState): void {
    const bySlot = [...d.attached.values()].sort((a, b) => Number(((a.guestBus ?? 0n) << 8n | (a.guestDevfn ?? 0n)) - ((b.guestBus ?? 0n) << 8n | (b.guestDevfn ?? 0n))));
    d.lastDevices = bySlot.map((a) => a.device);
    d.lastGuestSbdf = Object.fromEntries([...d.attached.values()].filter((a) => a.guestDevfn !== undefined).map((a) => [a.device, guestSbdfText(a.guestDevfn!, a.guestBus)]));
    d.lastGuestBars = [...d.attached.values()].flatMap((a) => a.guestBars);
    d.lastHoles = d.holes.map((h) => ({ ...h }));
}
