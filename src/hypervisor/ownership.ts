// Who owns each device. Xen keeps the devices it drives itself: on Arm the SMMUs, ITSes, GICs
// and the devices written in `owns` (its console UART…), marked used by DOMID_XEN and withheld
// from dom0 (xen/arch/arm/domain_build.c); on x86 the IOMMUs, IO-APICs and `owns` devices, PCI
// ones made read-only and owned by DomXEN (pci_ro_device / pci_hide_device, DOMAIN.md B.8.2.3).
// dom0 (the hardware domain) owns every other device it reports. `xl pci-assignable-add` moves a
// device to pciback and quarantines it in dom_io; XEN_DOMCTL_assign_device then accepts it only
// from the hardware domain or dom_io (-EBUSY otherwise, B.8.2.1).
//
// Drivers: dom0 drives a device it `uses`, and by default every device that no guest
// configuration, `assign`/`hot-plug` step or `assignable` names; a device named for passthrough
// carries no dom0 driver (the administrator hides it, as with `xen-pciback.hide=`), so libxl
// finds it assignable. An `assignable-add` step unbinds dom0's driver itself.
import type { Scenario } from '../model/platform.js';
import { hex } from './format.js';
import { refName, type FnState, type HvState } from './state.js';

/** Reads the configuration's intent: Xen-owned devices, dom0's drivers, passthrough candidates. */
export function collectIntent(state: HvState, scenario: Scenario | undefined): void {
    const { platform } = state;
    if (state.rules.hypervisor === 'xen') {
        const xen = platform.xen;
        for (const o of xen?.owns ?? []) state.xenOwns.set(o.name, o.loc);
        for (const u of xen?.dom0.uses ?? []) state.dom0Uses.set(refName(u), u.loc);
        for (const d of xen?.domains ?? []) {
            for (const a of d.assignments) {
                state.passthrough.add(refName(a.device));
                if (a.flags.includes('all-functions')) for (const s of state.slotSiblings(refName(a.device))) state.passthrough.add(s.fn.name);
            }
        }
        for (const a of xen?.assignable ?? []) state.passthrough.add(refName(a));
    } else {
        for (const h of platform.kvm?.hostDrivers ?? []) state.hostDrivers.set(refName(h.device), { driver: h.driver, loc: h.loc });
        for (const vm of platform.kvm?.vms ?? []) for (const a of vm.assignments) state.passthrough.add(refName(a.device));
    }
    for (const step of scenario?.steps ?? []) {
        if ((step.kind === 'assign' || step.kind === 'hot-plug') && step.guest !== 'dom0') state.passthrough.add(refName(step.device));
    }
}

/** The devices Xen keeps, announced at boot. */
export function keepXenDevices(state: HvState): void {
    const { platform, rules } = state;
    const iommuOn = platform.xen?.iommu !== false;
    if (rules.arch === 'arm') {
        if (iommuOn) for (const s of platform.smmus) state.emit('xen-keeps', { device: s.name, kind: `SMMU${s.version}`, base: hex(s.base), why: 'Xen drives the SMMU (hidden from dom0)' });
        for (const g of platform.gics) state.emit('xen-keeps', { device: g.name, kind: `GIC${g.version}`, base: hex(g.base), why: 'virtualised for dom0' });
        for (const i of platform.its) state.emit('xen-keeps', { device: i.name, kind: 'ITS', base: hex(i.base), why: 'dom0 gets a virtual ITS (host DeviceIDs 1:1)' });
    } else {
        if (iommuOn) for (const u of platform.x86Iommus) state.emit('xen-keeps', { device: u.name, kind: u.kind, base: hex(u.base), why: 'Xen drives the IOMMU' });
        for (const io of platform.ioapics) state.emit('xen-keeps', { device: io.name, kind: 'IO-APIC', base: hex(io.base), why: 'dom0 gets a virtual IO-APIC' });
    }
    for (const [name] of state.xenOwns) {
        const pd = platform.platformDevices.find((p) => p.name === name);
        if (pd) state.emit('xen-keeps', { device: name, kind: pd.kind, base: `${pd.io ? 'io ' : ''}${hex(pd.base)}`, why: 'owns (withheld from dom0)' });
        else if (state.fn(name)) state.emit('xen-keeps', { device: name, kind: 'PCI function', why: rules.arch === 'x86' ? 'owns (pci_ro_device: read-only to dom0, owned by DomXEN)' : 'owns (used by DOMID_XEN)' });
    }
    // dom0 cannot drive what Xen keeps (B.12 #45).
    for (const [name, loc] of state.dom0Uses) {
        if (!state.xenOwns.has(name)) continue;
        state.report(
            'XEN-OWNED',
            `dom0 uses ${name}, which Xen keeps for itself (${rules.arch === 'x86' ? 'read-only to dom0, owned by DomXEN' : 'withheld from dom0'})`,
            { at: loc, related: ownsRelated(state, name), declaration: true },
            `dom0|${name}`,
        );
    }
}

export function ownsRelated(state: HvState, name: string) {
    const loc = state.xenOwns.get(name);
    return loc ? [{ loc, message: `Xen keeps ${name} here` }] : [];
}

/** The dom0 driver dom0 binds at probe time (see the header). */
export function initialDriver(state: HvState, f: FnState): string {
    if (state.dom0Uses.has(f.fn.name)) return 'dom0';
    return state.passthrough.has(f.fn.name) ? 'pciback' : 'dom0';
}

/** Why a device the hypervisor was asked to use is not there. */
/**
 * The severity of HV-DEVICE-UNKNOWN for `f`: a note when the reason is a fault reported where it
 * lies (SR-IOV Linux refused, a device add that failed with XEN-NO-STREAMID…), so that one
 * cause gives one error; an error otherwise (the catalogue's).
 */
export function unknownSeverity(state: HvState, f: FnState | undefined, name: string): 'info' | undefined {
    if (!f) return state.refusedVf(name) ? 'info' : undefined;
    if (f.fn.isVf && f.fn.invisible !== undefined) return 'info';
    if (f.present && !f.added && f.notAddedWhy !== undefined) return 'info';
    return undefined;
}

export function unknownReason(state: HvState, f: FnState | undefined, name: string): string {
    if (!f) {
        // A VF of a PF whose SR-IOV enable Linux refused is never built: say why, once.
        const refused = state.refusedVf(name);
        return refused ? `${name} never exists (${refused.reason})` : `${name} is not a function of this platform`;
    }
    if (f.fn.isVf && f.fn.invisible !== undefined) return `${name} never exists (${f.fn.invisible})`;
    if (f.fn.invisible !== undefined) return `Linux's scan never finds ${name} (${f.fn.invisible}), so ${state.rules.hypervisor === 'xen' ? 'dom0 never reports it to Xen' : 'the host has no such device'}`;
    if (f.fn.isVf && !f.present) return `${name} does not exist: SR-IOV on ${f.fn.pf} has ${state.fn(f.fn.pf!)?.vfsEnabled ? 'fewer' : 'no'} VFs enabled`;
    if (!f.added) return `PHYSDEVOP_pci_device_add failed for ${name}${f.notAddedWhy ? ` (${f.notAddedWhy})` : ''}`;
    return `${name} is unknown to the hypervisor`;
}
