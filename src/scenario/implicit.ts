// The scenario played when none is named: boot, let dom0 (or the host) enable the SR-IOV VFs the
// platform declares (`num-vfs`), then start every guest of the configuration in declaration
// order (dom0less domains are built during boot).
import type { Step } from '../model/platform.js';
import type { HvState } from '../hypervisor/state.js';

export const IMPLICIT_SCENARIO = '(implicit)';

export function implicitSteps(state: HvState): Step[] {
    const { platform } = state;
    const bootLoc = (state.rules.hypervisor === 'xen' ? platform.xen?.loc : platform.kvm?.loc) ?? platform.loc;
    const steps: Step[] = [{ kind: 'boot', loc: bootLoc }];
    for (const f of state.input.functions) {
        const sriov = f.decl.sriov;
        if (f.isVf || f.invisible !== undefined || !sriov || sriov.numVfs === 0n) continue;
        if (state.vfsOf(f.name).length === 0) continue;
        steps.push({ kind: 'enable-sriov', device: f.name, numVfs: sriov.numVfs, loc: sriov.loc });
    }
    for (const d of state.domains.values()) {
        if (d.xen?.dom0less) continue;
        steps.push({ kind: 'start', guest: d.name, loc: d.xen?.nameLoc ?? d.kvm?.nameLoc ?? d.loc });
    }
    return steps;
}
