// The assignable-device database (seed 002): `xl pci-assignable-add` unbinds dom0's driver
// (remembering it), binds pciback and quarantines the device in dom_io; `xl pci-assignable-remove
// -r` gives it back to dom0 and rebinds the driver; `xl pci-assignable-list` lists what pciback
// holds (tools/libs/light/libxl_pci.c, docs/man/xl.1.pod.in; DOMAIN.md B.8.2.2).
import type { SourceLoc } from '../model/source.js';
import { sbdf } from './format.js';
import { programIommu } from './iommu-tables.js';
import { mapdForDriver } from './its.js';
import { quarantine } from './domu.js';
import { ownsRelated, unknownReason, unknownSeverity } from './ownership.js';
import { ownerText, type HvState } from './state.js';

export function assignableAdd(state: HvState, name: string, at?: SourceLoc): void {
    const f = state.fn(name);
    if (!f || !f.present || !f.added) {
        state.report('HV-DEVICE-UNKNOWN', `xl pci-assignable-add ${name}: ${unknownReason(state, f, name)}`, { at, severity: unknownSeverity(state, f, name) }, `assignable|${name}`);
        return;
    }
    if (f.owner === 'xen') {
        state.report('XEN-OWNED', `xl pci-assignable-add ${name}: Xen keeps ${name} for itself, so it cannot be made assignable (-EBUSY)`, { at, related: ownsRelated(state, name) }, `assignable|${name}`);
        return;
    }
    if (f.owner === 'dom_io') {
        state.report('XEN-ASSIGNABLE-STATE', `xl pci-assignable-add ${name}: ${name} is already assignable (quarantined in dom_io)`, { at, severity: 'warning' }, `add|${name}|${state.ctx.step}`);
        return;
    }
    if (state.domains.has(f.owner)) {
        state.report('XEN-ASSIGNABLE-STATE', `xl pci-assignable-add ${name}: ${name} is assigned to ${ownerText(state, f.owner)}; detach it first`, { at }, `add|${name}|${state.ctx.step}`);
        return;
    }
    state.emit('xl-pci-assignable-add', { device: name, sbdf: sbdf(f.fn.segment, f.fn.bus, f.fn.devfn) });
    quarantine(state, f, 'xl pci-assignable-add');
}

export function assignableRemove(state: HvState, name: string, at?: SourceLoc): void {
    const f = state.fn(name);
    if (!f || !f.present || !f.added) {
        state.report('HV-DEVICE-UNKNOWN', `xl pci-assignable-remove ${name}: ${unknownReason(state, f, name)}`, { at, severity: unknownSeverity(state, f, name) }, `assignable|${name}`);
        return;
    }
    if (state.domains.has(f.owner)) {
        state.report('XEN-ASSIGNABLE-STATE', `xl pci-assignable-remove ${name}: ${name} is still assigned to ${ownerText(state, f.owner)}; libxl refuses until it is detached`, { at }, `remove|${name}|${state.ctx.step}`);
        return;
    }
    if (f.owner !== 'dom_io' && f.driver !== 'pciback') {
        state.report('XEN-ASSIGNABLE-STATE', `xl pci-assignable-remove ${name}: ${name} is not assignable (owned by ${f.owner}, driver ${f.driver ?? 'none'})`, { at, severity: 'warning' }, `remove|${name}|${state.ctx.step}`);
        return;
    }
    const machine = sbdf(f.fn.segment, f.fn.bus, f.fn.devfn);
    state.emit('xl-pci-assignable-remove', { device: name, sbdf: machine, rebind: f.restoreDriver ?? 'dom0' });
    if (f.owner === 'dom_io') state.emit('XEN_DOMCTL_deassign_device', { domain: 'dom_io', machine_sbdf: machine, device: name, to: 'dom0', result: '0' });
    f.owner = 'dom0';
    programIommu(state, f, 'dom0');
    state.emit('pciback-unbind', { device: name });
    f.driver = f.restoreDriver ?? 'dom0';
    f.restoreDriver = undefined;
    state.emit('driver-bind', { device: name, driver: f.driver, domain: 'dom0' });
    if (state.rules.arch === 'arm' && f.driver === 'dom0') mapdForDriver(state, f, 'dom0');
}

/** `xl pci-assignable-list`. */
export function assignableList(state: HvState): string[] {
    return [...state.fns.values()].filter((f) => f.present && f.driver === 'pciback' && !state.domains.has(f.owner)).map((f) => f.fn.name);
}
