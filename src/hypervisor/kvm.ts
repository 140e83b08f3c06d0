// The KVM/VFIO view (DOMAIN.md B.10, seed 004). The host kernel enumerates the fabric and puts
// every function in its IOMMU group; `host-driver` binds host drivers. Starting a VM binds each
// assigned device to vfio-pci (as libvirt's managed mode does), checks that its group is viable
// and not used by another VM, attaches the group to the VM's container and adds
// `-device vfio-pci,host=SSSS:BB:DD.F[,addr=DD.F][,multifunction=on][,rombar=0]` to QEMU's
// command line (B.10.3). A device bound to another host driver is not taken away from it.
import { isBridge } from '../model/platform.js';
import type { SourceLoc } from '../model/source.js';
import { sbdf } from './format.js';
import { checkGroupViability, VFIO_FRIENDLY } from './kvm-viability.js';
import { unknownReason, unknownSeverity } from './ownership.js';
import { availableResets, checkResetForGuest, emitReset } from './reset.js';
import { expandEntry, snapshot } from './domu.js';
import { allocateSlots, type SlotRequest } from './virtual-slots.js';
import { recordRefusals } from './refusals.js';
import { checkSpaprPhbs } from './spapr.js';
import { refuseBridge } from './vfio-bridge.js';
import { allocateBehindPorts, guestPortsOf, guestPortsQuiet, isBehindPort, portQemuArgs, portSlots } from './guest-ports.js';
import { checkVcpus } from './vcpus.js';
import type { Attached, ConfigEntry, DomainState, FnState, HvState } from './state.js';
import { checkMsixPageSharing } from './msix-pages.js';

export function bootKvm(state: HvState): void {
    state.booted = true;
    state.emit('host-boot', { arch: state.platform.arch, iommus: [...state.platform.smmus.map((s) => s.name), ...state.platform.x86Iommus.map((u) => u.name)].join(' ') || 'none' });
    for (const f of state.fns.values()) {
        if (f.fn.isVf) continue;
        if (f.vfsEnabled > 0) {
            state.emit('sriov-disable', { pf: f.fn.name, by: 'Linux sriov_init (VF Enable found set)', numvfs: String(f.vfsEnabled) });
            f.vfsEnabled = 0;
        }
        if (!f.present) continue;
        f.added = true;
        f.owner = 'host';
        f.iommuIds = f.fn.streamIds.map((s) => ({ ...s }));
        f.driver = state.hostDrivers.get(f.fn.name)?.driver ?? (!isBridge(f.fn.decl.kind) ? undefined : 'pcieport');
    }
    for (const [id, members] of state.groups) {
        const present = members.filter((m) => state.fn(m)?.present);
        if (present.length) state.emit('iommu-group', { group: String(id), members: present.join(' ') });
    }
    for (const [name, h] of state.hostDrivers) {
        if (state.fn(name)?.present) state.emit('driver-bind', { device: name, driver: h.driver, domain: 'host' });
    }
}

function qemuArg(state: HvState, f: FnState, a: Attached, multifunction: boolean): string {
    const parts = [`vfio-pci`, `host=${sbdf(f.fn.segment, f.fn.bus, f.fn.devfn)}`];
    if (a.guestPort !== undefined) parts.push(`bus=${a.guestPort}`);
    // The guest slot is pinned whether written or chosen, so the guest sees what was simulated.
    if (a.guestDevfn !== undefined) parts.push(`addr=0x${(a.guestDevfn >> 3n).toString(16)}.${(a.guestDevfn & 7n).toString(16)}`);
    if (multifunction) parts.push('multifunction=on');
    if (a.entry.flags.includes('no-rombar')) parts.push('rombar=0');
    if (a.entry.phb) parts.push(`bus=${a.entry.phb}.0`);
    return `-device ${parts.join(',')}`;
}

/** Gives the VM the devices of `entries`, recording those it refuses. */
function attachVm(state: HvState, d: DomainState, entries: ConfigEntry[]): void {
    const before = state.findings.length;
    attachVmOnce(state, d, entries);
    recordRefusals(state, d, [...new Set(entries.flatMap((e) => expandEntry(state, e).map((r) => r.device)))], before);
}

function attachVmOnce(state: HvState, d: DomainState, entries: ConfigEntry[]): void {
    const wanted: { f: FnState; req: SlotRequest; loc: SourceLoc }[] = [];
    for (const e of entries) {
        for (const req of expandEntry(state, e)) {
            const f = state.fn(req.device);
            if (!f || !f.present) {
                state.report('HV-DEVICE-UNKNOWN', `${d.name} cannot get ${req.device}: ${unknownReason(state, f, req.device)}`, { at: e.loc, severity: unknownSeverity(state, f, req.device) }, `${d.name}|${req.device}`);
                continue;
            }
            const other = state.domains.get(f.owner);
            if (other?.running) {
                state.report('HV-ASSIGNED-TWICE', `${d.name} is given ${req.device}, which the running VM ${other.name} already holds`, { at: e.loc }, `${d.name}|${req.device}`);
                continue;
            }
            if (refuseBridge(state, d.name, f, e.loc)) continue;
            const host = state.hostDrivers.get(req.device);
            if (host && !VFIO_FRIENDLY.has(host.driver)) {
                state.report(
                    'KVM-HOST-DRIVER',
                    `${d.name} is given ${req.device}, but the host binds it to ${host.driver}: the device cannot be both a host device and a VFIO device; drop the host-driver binding or the assignment`,
                    { at: e.loc, related: [{ loc: host.loc, message: `host-driver ${req.device} ${host.driver}` }] },
                    `${d.name}|${req.device}`,
                );
                continue;
            }
            if (!wanted.some((w) => w.f === f)) wanted.push({ f, req, loc: e.loc });
        }
    }
    for (const w of wanted) {
        if (w.f.driver !== 'vfio-pci') {
            state.emit('vfio-bind', { device: w.f.fn.name, sbdf: sbdf(w.f.fn.segment, w.f.fn.bus, w.f.fn.devfn), from: w.f.driver ?? 'none' });
            w.f.driver = 'vfio-pci';
        }
    }
    const viable = checkGroupViability(state, d.name, wanted.map((w) => ({ f: w.f, loc: w.loc })));
    const viableWanted = wanted.filter((w) => w.f.fn.group === undefined || viable.get(w.f.fn.group) === true);
    // POWER: every group on one guest PHB, and one group per PHB with the v1 TCE IOMMU (spapr.ts).
    const usable = state.platform.arch === 'ppc64' ? checkSpaprPhbs(state, d, viableWanted) : viableWanted;
    for (const w of wanted.filter((x) => x.f.fn.group === undefined)) {
        state.report('HV-DEVICE-UNKNOWN', `${d.name} cannot get ${w.f.fn.name}: it has no IOMMU group (${w.f.fn.noGroup ?? 'no IOMMU translates its DMA'}), so VFIO cannot take it`, { at: w.loc }, `${d.name}|${w.f.fn.name}|nogroup`);
    }
    const groupsUsed = [...new Set(usable.filter((w) => w.f.fn.group !== undefined).map((w) => w.f.fn.group!))];
    for (const g of groupsUsed) {
        if (state.iommuContexts.get(d.name)?.has(`group ${g}`)) continue;
        let set = state.iommuContexts.get(d.name);
        if (!set) state.iommuContexts.set(d.name, (set = new Set()));
        set.add(`group ${g}`);
        state.emit('vfio-group-attach', { vm: d.name, group: String(g), path: `/dev/vfio/${g}`, container: `${d.name} container` });
    }
    const ports = guestPortsOf(state, d);
    const grouped = usable.filter((w) => w.f.fn.group !== undefined).map((w) => w.req);
    const slots = allocateSlots(state, d, grouped.filter((r) => !isBehindPort(r.entry)), portSlots(ports));
    const behind = allocateBehindPorts(state, d, ports, grouped.filter((r) => isBehindPort(r.entry)));
    const attached: Attached[] = [];
    for (const w of usable) {
        if (w.f.fn.group === undefined) continue;
        const port = behind.get(w.f.fn.name);
        const devfn = port?.devfn ?? (isBehindPort(w.req.entry) ? undefined : slots.get(w.f.fn.name));
        if (devfn === undefined) continue;
        w.f.owner = d.name;
        const a: Attached = { device: w.f.fn.name, entry: w.req.entry, guestDevfn: devfn, guestBars: [], ...(port && { guestBus: port.port.bus, guestPort: port.port.name }) };
        d.attached.set(a.device, a);
        attached.push(a);
        checkMsixPageSharing(state, w.f, d.name);
    }
    for (const a of attached) {
        const f = state.fn(a.device)!;
        const slotMates = [...d.attached.values()].filter((o) => o !== a && o.guestBus === a.guestBus && o.guestDevfn !== undefined && a.guestDevfn !== undefined && o.guestDevfn >> 3n === a.guestDevfn >> 3n);
        const mf = a.guestDevfn !== undefined && (a.guestDevfn & 7n) === 0n && slotMates.length > 0;
        const arg = qemuArg(state, f, a, mf);
        state.emit(state.ctx.kind === 'hot-plug' || state.ctx.kind === 'assign' ? 'qemu-device_add' : 'qemu-device', { vm: d.name, device: a.device, arg });
        checkResetForGuest(state, f, d.name);
    }
}

export function qemuArgsOf(state: HvState, d: DomainState): string[] {
    const ports = (d.kvm?.rootPorts?.length ?? 0) > 0 ? portQemuArgs(guestPortsQuiet(d)) : [];
    return [...ports, ...[...d.attached.values()].map((a) => {
        const slotMates = [...d.attached.values()].filter((o) => o !== a && o.guestBus === a.guestBus && o.guestDevfn !== undefined && a.guestDevfn !== undefined && o.guestDevfn >> 3n === a.guestDevfn >> 3n);
        return qemuArg(state, state.fn(a.device)!, a, a.guestDevfn !== undefined && (a.guestDevfn & 7n) === 0n && slotMates.length > 0);
    })];
}

export function startVm(state: HvState, d: DomainState): void {
    d.attached.clear();
    state.emit('qemu-start', { vm: d.name, memory: d.kvm?.memory !== undefined ? `${d.kvm.memory >> 20n}M` : undefined });
    d.running = true;
    for (const phb of d.kvm?.phbs ?? []) state.emit('qemu-device', { vm: d.name, device: phb.name, arg: `-device spapr-pci-host-bridge,index=${phb.index},id=${phb.name}` });
    checkVcpus(state, d.name, d.kvm?.vcpus, d.kvm?.vcpusLoc);
    attachVm(state, d, d.config);
    d.lastQemuArgs = qemuArgsOf(state, d);
    snapshot(d);
}

export function hotPlugVm(state: HvState, d: DomainState, entry: ConfigEntry): void {
    attachVm(state, d, [entry]);
    d.lastQemuArgs = qemuArgsOf(state, d);
    snapshot(d);
}

function release(state: HvState, d: DomainState, a: Attached): void {
    const f = state.fn(a.device)!;
    f.owner = 'host';
    emitReset(state, f, availableResets(state, f).methods[0], 'VFIO (device release)');
    d.attached.delete(a.device);
}

export function hotUnplugVm(state: HvState, d: DomainState, device: string): void {
    const a = d.attached.get(device);
    if (!a) return;
    state.emit('qemu-device_del', { vm: d.name, device });
    release(state, d, a);
    d.lastQemuArgs = qemuArgsOf(state, d);
    snapshot(d);
}

export function destroyVm(state: HvState, d: DomainState): void {
    state.emit('qemu-quit', { vm: d.name });
    for (const a of [...d.attached.values()]) release(state, d, a);
    for (const g of state.iommuContexts.get(d.name) ?? []) state.emit('vfio-group-detach', { vm: d.name, group: g.replace('group ', '') });
    state.iommuContexts.delete(d.name);
    d.running = false;
}
