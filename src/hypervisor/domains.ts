// The guests of the configuration being simulated: Xen domUs (`xen { domain … }`) under the Xen
// profiles, VMs (`kvm { vm … }`) under `kvm`. Their configurations start as written; scenario
// steps add and remove devices.
import type { Assignment } from '../model/platform.js';
import { refName, type ConfigEntry, type DomainState, type HvState } from './state.js';

function entryOf(a: Assignment): ConfigEntry {
    return { device: refName(a.device), ref: a.device, vslot: a.vslot && { device: a.vslot.device, fn: a.vslot.fn, loc: a.vslot.loc }, flags: [...a.flags], rdmPolicy: a.rdmPolicy, ...(a.phb ? { phb: a.phb } : {}), guestPort: a.guestPort, loc: a.loc };
}

function blank(name: string, hypervisor: DomainState['hypervisor'], loc: DomainState['loc']): DomainState {
    return {
        name,
        hypervisor,
        config: [],
        running: false,
        attached: new Map(),
        holes: [],
        guestHostBridge: false,
        xenstore: [],
        nextBackendIndex: 0,
        lastDevices: [],
        lastGuestSbdf: {},
        lastGuestBars: [],
        lastQemuArgs: [],
        lastHoles: [],
        loc,
    };
}

export function createDomains(state: HvState): void {
    if (state.rules.hypervisor === 'xen') {
        for (const d of state.platform.xen?.domains ?? []) {
            state.domains.set(d.name, { ...blank(d.name, 'xen', d.loc), xen: d, config: d.assignments.map(entryOf) });
        }
    } else {
        for (const vm of state.platform.kvm?.vms ?? []) {
            state.domains.set(vm.name, { ...blank(vm.name, 'kvm', vm.loc), kvm: vm, config: vm.assignments.map(entryOf) });
        }
    }
}
