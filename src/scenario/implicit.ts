// The scenario played when none is named: boot, let dom0 (or the host) enable the SR-IOV VFs the
// platform declares (`num-vfs`; a written `boot` does the same, see play.ts), then start every guest of the configuration in declaration
// order (dom0less domains are built during boot).
import type { Step } from '../model/platform.js';
import type { HvState } from '../hypervisor/state.js';

export const IMPLICIT_SCENARIO = '(implicit)';

export function implicitSteps(state: HvState): Step[] {
    const { platform } = state;
    const bootLoc = (state.rules.hypervisor === 'xen' ? platform.xen?.loc : platform.kvm?.loc) ?? platform.loc;
    const steps: Step[] = [{ kind: 'boot', loc: bootLoc }, ...declaredVfSteps(state)];
    for (const d of state.domains.values()) {
        if (d.xen?.dom0less) continue;
        steps.push({ kind: 'start', guest: d.name, loc: d.xen?.nameLoc ?? d.kvm?.nameLoc ?? d.loc });
    }
    return steps;
}

/**
 * What `num-vfs` asks dom0 (the host) to do while it boots: enable that many VFs on each PF
 * Linux found. A `num-vfs` above `total-vfs` enables none: the language reports it
 * (SRIOV-NUMVFS) and the fabric creates no VF, so the boot has nothing to enable; nor does a
 * capability Linux refused.
 */
export function declaredVfSteps(state: HvState): Extract<Step, { kind: 'enable-sriov' }>[] {
    const steps: Extract<Step, { kind: 'enable-sriov' }>[] = [];
    for (const f of state.input.functions) {
        const sriov = f.decl.sriov;
        if (f.isVf || f.invisible !== undefined || !sriov || sriov.numVfs === 0n || sriov.numVfs > sriov.totalVfs) continue;
        if (f.vfRefusal !== undefined) continue;
        const vfs = state.vfsOf(f.name);
        // Linux refused the capability (SRIOV-OFFSET-STRIDE, SRIOV-VF-BUS-OUT-OF-RANGE…): no VF
        // ever exists, so none is enabled, added or assigned.
        if (vfs.length === 0 || vfs.every((v) => v.fn.invisible !== undefined)) continue;
        steps.push({ kind: 'enable-sriov', device: f.name, numVfs: sriov.numVfs, loc: sriov.loc });
    }
    return steps;
}
