// Which reset a device has, as dom0's (or the host's) kernel picks one: FLR, then PM (D3hot →
// D0, useless with No_Soft_Reset), then a secondary bus reset through the parent bridge, which
// Linux does only when the device is alone on its bus and not on the root bus
// (linux:drivers/pci/pci.c pci_parent_bus_reset). VFs always have FLR (the SR-IOV specification
// requires it). libxl resets a device through pciback's do_flr and the sysfs `reset` when it
// leaves a guest (libxl_pci.c libxl__device_pci_reset, DOMAIN.md B.8.4.4); a device without a
// usable reset carries state from one domain to the next (B.12 #49).
import { nameList } from './isolation.js';
import type { ResetMethod } from '../model/platform.js';
import { isBridge } from '../model/platform.js';
import { unknownReason } from './ownership.js';
import { ownerText, type FnState, type HvState } from './state.js';

export interface ResetAvailability {
    /** Usable methods, best first. */
    methods: ResetMethod[];
    /** Why the others are not, for messages. */
    why: string;
    /** Functions a bus reset also resets. */
    busPeers: FnState[];
}

export function busPeers(state: HvState, f: FnState): FnState[] {
    return state.onBus(f.fn.segment, f.fn.bus).filter((o) => o !== f && o.present);
}

export function availableResets(state: HvState, f: FnState): ResetAvailability {
    const fn = f.fn;
    const peers = busPeers(state, f);
    const quirk = (x: { quirks?: { effect: string; linux: string }[] } | undefined, effect: string) => x?.quirks?.find((q) => q.effect === effect);
    const noFlr = quirk(fn, 'no-flr');
    if (fn.isVf) return noFlr ? { methods: [], why: `Linux never uses FLR on ${fn.name} (${noFlr.linux}: PCI_DEV_FLAGS_NO_FLR_RESET)`, busPeers: peers } : { methods: ['flr'], why: '', busPeers: peers };
    const declared = fn.decl.resets;
    if (declared.includes('none')) return { methods: [], why: `${fn.name} is declared with no reset`, busPeers: peers };
    const methods: ResetMethod[] = [];
    const notes: string[] = [];
    if (declared.includes('flr')) {
        // PCI_DEV_FLAGS_NO_FLR_RESET: pcie_reset_flr and pci_af_flr answer -ENOTTY.
        if (noFlr) notes.push(`Linux never uses its FLR (${noFlr.linux}: FLR hangs this device)`);
        else methods.push('flr');
    }
    const noPm = quirk(fn, 'no-pm-reset');
    if (declared.includes('pm')) {
        if (declared.includes('no-soft-reset')) notes.push('its PM reset does nothing (No_Soft_Reset)');
        else if (noPm) notes.push(`Linux never uses its PM reset (${noPm.linux}: D3hot->D0 does not reset it)`);
        else methods.push('pm');
    }
    // PCI_DEV_FLAGS_NO_BUS_RESET on the device (pci_parent_bus_reset) or on the bridge above (pci_bus_resettable).
    const bridge = fn.upstream === undefined ? undefined : state.fn(fn.upstream)?.fn;
    const noBus = quirk(fn, 'no-bus-reset') ?? quirk(bridge, 'no-bus-reset');
    if (noBus && fn.upstream !== undefined) notes.push(`Linux never resets its bus (${noBus.linux})`);
    const canBusReset = fn.upstream !== undefined && !isBridge(fn.decl.kind) && peers.length === 0 && !noBus;
    const wantsBus = declared.includes('bus') || declared.includes('slot') || declared.length === 0 || !declared.some((m) => m !== 'no-soft-reset');
    if (wantsBus) {
        if (canBusReset) methods.push(declared.includes('slot') ? 'slot' : 'bus');
        else if (fn.upstream === undefined) notes.push('a bus reset is impossible on the root bus');
        else if (peers.length > 0) notes.push(`a bus reset would also reset ${peers.map((p) => p.fn.name).join(', ')} on bus ${fn.bus.toString(16).padStart(2, '0')}, so Linux refuses it`);
    }
    if (methods.length === 0 && !declared.includes('flr') && !declared.includes('pm')) notes.unshift('it has no FLR and no PM reset');
    return { methods, why: notes.join('; '), busPeers: peers };
}

/** dom0 resets a device and tells Xen (linux:drivers/xen/pci.c xen_reset_device always passes FLR). */
export function emitReset(state: HvState, f: FnState, method: ResetMethod | undefined, via: string): void {
    state.emit('pci-reset', { device: f.fn.name, method: method ?? 'none', via });
    if (method && state.rules.hypervisor === 'xen') state.emit('PHYSDEVOP_pci_device_reset', { device: f.fn.name, flags: 'PCI_DEVICE_RESET_FLR (0x3)' });
}

/** B.12 #49: warn when a device goes to a guest without a usable reset. */
export function checkResetForGuest(state: HvState, f: FnState, domain: string): void {
    const r = availableResets(state, f);
    if (r.methods.length > 0) return;
    // VFIO's hot reset (VFIO_DEVICE_PCI_HOT_RESET) resets the bus when the VM owns every device on it.
    if (state.rules.hypervisor === 'kvm' && f.fn.upstream !== undefined && r.busPeers.length > 0 && r.busPeers.every((p) => p.owner === domain)) return;
    state.report(
        'HV-NO-RESET',
        `${f.fn.name} goes to ${domain} without a usable reset: ${r.why}; its state (DMA setup, keys, buffers) carries over to the next owner`,
        { at: state.entryLoc(domain, f.fn.name), related: [{ loc: f.fn.loc, message: f.fn.name }] },
        `${f.fn.name}|${domain}`,
    );
}

/** The `reset` step: dom0 (or the host) resets a device with a method or the best one it has. */
export function resetDevice(state: HvState, name: string, method: ResetMethod | undefined): void {
    const f = state.fn(name);
    if (!f || !f.present) {
        state.report('HV-DEVICE-UNKNOWN', `reset ${name}: ${unknownReason(state, f, name)}`, {}, `reset|${name}|${state.ctx.step}`);
        return;
    }
    const avail = availableResets(state, f);
    let chosen = method;
    const holder = state.domains.get(f.owner);
    if ((method === 'bus' || method === 'slot') && state.rules.hypervisor === 'kvm' && f.fn.upstream !== undefined && avail.busPeers.length > 0) {
        // VFIO_DEVICE_PCI_HOT_RESET: the VM must own every device the bus reset reaches (B.10.3).
        const others = avail.busPeers.filter((p) => !holder?.running || p.owner !== f.owner);
        if (others.length > 0) {
            state.report(
                'HV-RESET-SCOPE',
                holder?.running
                    ? `reset ${name} ${method}: a secondary bus reset also resets ${others.map((o) => `${o.fn.name} (${ownerText(state, o.owner)})`).join(', ')}; VFIO allows a hot reset only when ${holder.name} owns every device on the bus`
                    : `reset ${name} ${method}: no running VM holds ${name}, and the host's bus reset (pci_parent_bus_reset) refuses with -ENOTTY while ${nameList(others.map((o) => o.fn.name))} ${others.length > 1 ? 'share' : 'shares'} the bus; reset it while one VM holds every function on the bus (VFIO hot reset), or use a function-level method`,
                { related: others.map((o) => ({ loc: o.fn.loc, message: o.fn.name })) },
                `reset|${name}|${state.ctx.step}|bus`,
            );
            return;
        }
        state.emit('vfio-hot-reset', { vm: f.owner, devices: [f, ...avail.busPeers].map((x) => x.fn.name).join(' ') });
        emitReset(state, f, method, 'VFIO_DEVICE_PCI_HOT_RESET');
        return;
    }
    if (method && !avail.methods.includes(method)) {
        state.report('SCN-RESET-METHOD', `reset ${name} ${method}: ${name} has no usable ${method} reset${avail.why ? ` (${avail.why})` : ''}${avail.methods.length ? `; it has ${avail.methods.join(', ')}` : ''}`, { related: [{ loc: f.fn.loc, message: name }] }, `reset|${name}|${state.ctx.step}`);
        return;
    }
    if (!chosen) chosen = avail.methods[0];
    if (!chosen) {
        state.report('HV-NO-RESET', `reset ${name}: ${name} has no usable reset (${avail.why})`, { related: [{ loc: f.fn.loc, message: name }] }, `reset|${name}|${state.ctx.step}`);
        state.emit('pci-reset', { device: name, method: 'none', result: '-ENOTTY' });
        return;
    }
    if (holder?.running && state.rules.hypervisor === 'xen') {
        state.report('HV-RESET-SCOPE', `reset ${name}: ${name} is in use by ${holder.name}; resetting it from ${state.rules.hypervisor === 'xen' ? 'dom0' : 'the host'} loses the guest driver's device state`, { severity: 'warning' }, `reset|${name}|${state.ctx.step}`);
    }
    emitReset(state, f, chosen, state.rules.hypervisor === 'xen' ? 'dom0 (sysfs reset)' : 'host (VFIO_DEVICE_RESET / sysfs reset)');
}
