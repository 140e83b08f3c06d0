// Plays scenario steps in order against the hypervisor state. Each step checks that it makes
// sense in the current state (booted, guest running, device assigned…) and reports a scenario
// finding at the step when not; otherwise it calls the hypervisor operation, which records trace
// events and reports rule findings. A failing step changes nothing and the scenario plays on.
import type { Step } from '../model/platform.js';
import { assignableAdd, assignableRemove } from '../hypervisor/assignable.js';
import { relocateBar } from '../hypervisor/bar-relocation.js';
import { destroyXenDomain, hotPlugXen, hotUnplugXen, startXenDomain } from '../hypervisor/domu.js';
import { bootKvm, destroyVm, hotPlugVm, hotUnplugVm, startVm } from '../hypervisor/kvm.js';
import { resetDevice } from '../hypervisor/reset.js';
import { disableSriov, enableSriov } from '../hypervisor/sriov.js';
import { refName, type ConfigEntry, type DomainState, type HvState } from '../hypervisor/state.js';
import { bootXen } from '../hypervisor/xen-boot.js';
import { declaredVfSteps } from './implicit.js';
import { checkCancelled } from '../util/cancellation.js';

export function playSteps(state: HvState, steps: Step[], explicit: boolean): void {
    steps.forEach((step, index) => {
        checkCancelled();
        state.ctx = { step: index + 1, kind: step.kind, loc: step.loc, explicit };
        playStep(state, step);
    });
}

const NEEDS_BOOT = new Set<Step['kind']>(['disable-sriov', 'assign', 'deassign', 'assignable-add', 'assignable-remove', 'start', 'destroy', 'relocate-bar', 'hot-plug', 'hot-unplug', 'reset']);
const XEN_ONLY = new Set<Step['kind']>(['assignable-add', 'assignable-remove']);

function playStep(state: HvState, step: Step): void {
    const xen = state.rules.hypervisor === 'xen';
    if (step.kind === 'boot') {
        if (state.booted) {
            state.report('SCN-ALREADY-BOOTED', `boot: the platform is already booted (step ${firstBoot(state)})`, {}, `boot|${state.ctx.step}`);
            return;
        }
        if (xen) bootXen(state, step.reports);
        else {
            if (step.reports) state.report('SCN-DOM0-REPORT-PROFILE', `boot { ... }: dom0's reports to Xen mean nothing under the ${state.profile} profile, where the host enumerates PCI itself; the block is ignored`, { severity: 'warning' }, `kvmreports|${state.ctx.step}`);
            bootKvm(state);
        }
        if (state.ctx.explicit) enableDeclaredVfs(state);
        return;
    }
    if (NEEDS_BOOT.has(step.kind) && !state.booted) {
        state.report('SCN-NOT-BOOTED', `${step.kind}: nothing is booted yet; the scenario needs a \`boot\` step first`, {}, `noboot|${state.ctx.step}`);
        return;
    }
    if (XEN_ONLY.has(step.kind) && !xen) {
        state.report('SCN-STEP-PROFILE', `${step.kind} is a Xen toolstack operation (xl pci-${step.kind}); it does nothing under the ${state.profile} profile`, { severity: 'warning' }, `profile|${state.ctx.step}`);
        return;
    }
    switch (step.kind) {
        case 'enable-sriov':
            return enableSriov(state, step.device, step.numVfs);
        case 'disable-sriov':
            return disableSriov(state, step.device);
        case 'assignable-add':
            return assignableAdd(state, refName(step.device));
        case 'assignable-remove':
            return assignableRemove(state, refName(step.device));
        case 'relocate-bar':
            return relocateBar(state, refName(step.device), step.bar, step.address);
        case 'reset':
            return resetDevice(state, refName(step.device), step.method);
        case 'start': {
            const d = guest(state, step.guest, 'start');
            if (!d) return;
            if (d.running) {
                state.report('SCN-GUEST-STATE', `start ${d.name}: ${d.name} is already running${d.domid !== undefined && xen ? ` (domid ${d.domid})` : ''}`, {}, `start|${state.ctx.step}`);
                return;
            }
            return xen ? startXenDomain(state, d) : startVm(state, d);
        }
        case 'destroy': {
            const d = guest(state, step.guest, 'destroy');
            if (!d) return;
            if (!d.running) {
                state.report('SCN-GUEST-STATE', `destroy ${d.name}: ${d.name} is not running`, {}, `destroy|${state.ctx.step}`);
                return;
            }
            return xen ? destroyXenDomain(state, d) : destroyVm(state, d);
        }
        case 'assign':
        case 'hot-plug': {
            const name = refName(step.device);
            if (step.guest === 'dom0') return giveBackToDom0(state, name);
            const d = guest(state, step.guest, step.kind);
            if (!d) return;
            const entry: ConfigEntry = { device: name, ref: step.device, vslot: step.vslot, flags: [], loc: step.loc };
            if (step.kind === 'hot-plug' && !d.running) {
                state.report('SCN-GUEST-STATE', `hot-plug ${name} to ${d.name}: ${d.name} is not running (xl pci-attach needs a running domain; use \`assign\` to add it to the configuration)`, {}, `hotplug|${state.ctx.step}`);
                return;
            }
            if (d.config.some((e) => e.device === name) && (!d.running || d.attached.has(name))) {
                state.emit(xen ? 'xl-config' : 'vm-config', { domain: d.name, pci: `${name} (already configured)` });
                return;
            }
            d.config.push(entry);
            if (!d.running) {
                state.emit(xen ? 'xl-config' : 'vm-config', { domain: d.name, pci: `+ ${name}`, vslot: step.vslot ? `00:${step.vslot.device.toString(16).padStart(2, '0')}.${step.vslot.fn.toString(16)}` : undefined });
                return;
            }
            return xen ? hotPlugXen(state, d, entry) : hotPlugVm(state, d, entry);
        }
        case 'deassign':
        case 'hot-unplug': {
            const name = refName(step.device);
            const d = guest(state, step.guest, step.kind);
            if (!d) return;
            const configured = d.config.some((e) => e.device === name);
            if (step.kind === 'hot-unplug' && !d.running) {
                state.report('SCN-GUEST-STATE', `hot-unplug ${name} from ${d.name}: ${d.name} is not running (xl pci-detach needs a running domain)`, {}, `hotunplug|${state.ctx.step}`);
                return;
            }
            if (!configured && !d.attached.has(name)) {
                state.report('SCN-NOT-ASSIGNED', `${step.kind} ${name} from ${d.name}: ${d.name} does not have ${name}`, {}, `notassigned|${state.ctx.step}`);
                return;
            }
            d.config = d.config.filter((e) => e.device !== name);
            if (d.running && d.attached.has(name)) return xen ? hotUnplugXen(state, d, name) : hotUnplugVm(state, d, name);
            if (d.running) {
                state.report('SCN-NOT-ASSIGNED', `${step.kind} ${name} from ${d.name}: ${name} is configured for ${d.name} but was never attached`, { severity: 'warning' }, `notattached|${state.ctx.step}`);
                return;
            }
            state.emit(xen ? 'xl-config' : 'vm-config', { domain: d.name, pci: `- ${name}` });
            return;
        }
    }
}

/**
 * A written `boot` enables the VFs of `num-vfs`, as the implicit scenario's steps do: each as a
 * part of the boot described by the declaration, so its findings point at the `sriov` line (and
 * are the implicit run's, not a second finding for the same fault).
 */
function enableDeclaredVfs(state: HvState): void {
    const boot = state.ctx;
    for (const step of declaredVfSteps(state)) {
        state.ctx = { step: boot.step, kind: boot.kind, loc: step.loc, explicit: false };
        enableSriov(state, step.device, step.numVfs);
    }
    state.ctx = boot;
}

function firstBoot(state: HvState): string {
    return String(state.trace.find((e) => e.stepKind === 'boot')?.step ?? '?');
}

function guest(state: HvState, name: string, what: string): DomainState | undefined {
    const d = state.domains.get(name);
    if (d) return d;
    const other = state.rules.hypervisor === 'xen' ? state.platform.kvm?.vms.some((v) => v.name === name) : state.platform.xen?.domains.some((x) => x.name === name);
    const message =
        name === 'dom0'
            ? `${what} dom0: dom0 is the hardware domain Xen builds at boot; it cannot be ${what === 'start' ? 'started' : what === 'destroy' ? 'destroyed' : 'used here'}`
            : other
              ? `${what} ${name}: ${name} is a ${state.rules.hypervisor === 'xen' ? 'KVM vm' : 'Xen domain'}, but the simulation runs under the ${state.profile} profile`
              : `${what} ${name}: no guest named ${name}`;
    state.report('SCN-GUEST-STATE', message, {}, `guest|${state.ctx.step}`);
    return undefined;
}

/** `assign X to dom0`: the device goes back from quarantine to dom0's driver. */
function giveBackToDom0(state: HvState, name: string): void {
    const f = state.fn(name);
    if (f && state.domains.get(f.owner)?.running) {
        state.report('SCN-GUEST-STATE', `assign ${name} to dom0: ${name} is held by ${f.owner}; detach it first`, {}, `dom0|${state.ctx.step}`);
        return;
    }
    if (f?.owner === 'dom0' && f.driver !== 'pciback') {
        state.emit('xl-config', { domain: 'dom0', pci: `${name} (already dom0's)` });
        return;
    }
    assignableRemove(state, name);
}
