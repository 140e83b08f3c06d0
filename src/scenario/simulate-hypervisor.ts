// The hypervisor + scenario simulation of one platform under one profile: builds the state from
// the fabric's view (HypervisorInput), plays the named scenario (or the implicit one: boot,
// enable the declared VFs, start every guest) and collects the result.
import { assignableList } from '../hypervisor/assignable.js';
import { createDomains } from '../hypervisor/domains.js';
import type { HypervisorInput } from '../hypervisor/input.js';
import { collectIntent } from '../hypervisor/ownership.js';
import type { DomainResult, FunctionOutcome, HypervisorResult } from '../hypervisor/result.js';
import type { Refusal } from '../hypervisor/refusals.js';
import { HvState, type FnState } from '../hypervisor/state.js';
import { xlConfigLines, xlDomainConfig } from '../hypervisor/xl-config.js';
import { IMPLICIT_SCENARIO, implicitSteps } from './implicit.js';
import { playSteps } from './play.js';

export function simulateHypervisor(input: HypervisorInput, scenarioName?: string): HypervisorResult {
    const state = new HvState(input);
    const scenario = scenarioName === undefined ? undefined : input.platform.scenarios.find((s) => s.name === scenarioName);
    createDomains(state);
    collectIntent(state, scenario);
    if (scenarioName !== undefined && !scenario) {
        const known = input.platform.scenarios.map((s) => s.name);
        state.report(
            'SCN-UNKNOWN',
            `No scenario named ${scenarioName} in platform ${input.platform.name}${known.length ? ` (it has ${known.join(', ')})` : ''}; the implicit scenario (boot, start every guest) is played instead`,
            { at: input.platform.loc },
        );
    }
    if (scenario) playSteps(state, scenario.steps, true);
    else playSteps(state, implicitSteps(state), false);
    return resultOf(state, scenario?.name ?? IMPLICIT_SCENARIO);
}

function resultOf(state: HvState, scenario: string): HypervisorResult {
    const domains: DomainResult[] = [...state.domains.values()].map((d) => ({
        name: d.name,
        hypervisor: d.hypervisor,
        domid: d.hypervisor === 'xen' ? d.domid : undefined,
        running: d.running,
        devices: d.lastDevices,
        guestSbdf: d.lastGuestSbdf,
        guestBars: d.lastGuestBars,
        holes: d.lastHoles,
        xlConfig: d.hypervisor === 'xen' ? xlConfigLines(state, d) : [],
        xl: d.hypervisor === 'xen' ? xlDomainConfig(state, d) : undefined,
        xenstore: d.xenstore,
        qemuArgs: d.lastQemuArgs,
    }));
    const functions: FunctionOutcome[] = [...state.fns.values()].map((f) => ({
        name: f.fn.name,
        owner: f.present || f.added ? f.owner : 'none',
        driver: f.present ? f.driver : undefined,
        added: f.added,
        iommuIds: f.iommuIds,
        ...(refusedAtEnd(f) ? { refused: refusedAtEnd(f) } : {}),
    }));
    return {
        profile: state.profile,
        scenario,
        domains,
        functions,
        owner: Object.fromEntries(functions.map((f) => [f.name, f.owner])),
        assignable: state.rules.hypervisor === 'xen' ? assignableList(state) : [],
        trace: state.trace,
        traceLeftOut: state.traceLeftOut,
        findings: state.findings,
    };
}

/** The refusals still true at the end: a domain that got the device later (a hot-plug) did not refuse it. */
function refusedAtEnd(f: FnState): Refusal[] | undefined {
    const list = (f.refused ?? []).filter((r) => r.domain !== f.owner);
    return list.length > 0 ? list : undefined;
}
