// The one engine: the CLI and the language server both call `simulate` on a lowered platform.
// The fabric layer runs as Linux would on the platform (enumerate, place resources, derive IDs
// and IOMMU groups); the hypervisor layer then plays the scenario under the profile. Each stage
// is guarded: a stage that throws becomes an ENGINE-INTERNAL finding and the stages that do not
// depend on it still report.
import type { FindingCode } from '../findings/codes.js';
import { capFindings } from '../findings/cap.js';
import { finding, type Finding } from '../findings/finding.js';
import { enumerate, type Enumeration } from '../fabric/enumerate.js';
import { analyseIds, type IdAnalysis } from '../fabric/groups/analyse-ids.js';
import { physicalMapFindings } from '../fabric/physical-map.js';
import { configVmallocFindings } from '../fabric/config-vmalloc.js';
import { configAccessSpecialFindings } from '../fabric/config-access-special.js';
import { placeResources, type BridgePlacement, type FunctionPlacement, type PlacementResult } from '../fabric/placement/place.js';
import { vfBarAddress } from '../fabric/placement/result.js';
import type { FabricFunction, Topology } from '../fabric/topology.js';
import type { HypervisorInput } from '../hypervisor/input.js';
import type { HypervisorResult } from '../hypervisor/result.js';
import type { Platform, Profile } from '../model/platform.js';
import { simulateHypervisor } from '../scenario/simulate-hypervisor.js';
import { appendAll } from '../util/arrays.js';
import { allFunctions } from '../model/walk.js';
import { hypervisorInput } from './hypervisor-input.js';
import { defaultProfile } from './profile.js';
import { checkCancelled, isSimulationCancelled, withCancellation, type CancellationToken } from '../util/cancellation.js';
import type { BarResult, BridgeResult, FunctionResult, ScenarioOutcome, SimulationResult } from './result.js';

/** Findings about Linux's own IOMMU driver attaching devices (meaningful when Linux owns the IOMMU). */
const LINUX_IOMMU_DRIVER_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>(['MAP-RID-UNMAPPED', 'IORT-RID-UNMAPPED', 'SMMU-STREAM-ID-SHARED']);

export interface SimulationOptions {
    /** Overrides the platform's profile (`--profile`). */
    profile?: Profile;
    /** The scenario to play; the implicit one (boot, start every domain) when absent. */
    scenario?: string;
    /**
     * With no `scenario`: also play every written scenario after the implicit one (what `check`,
     * SARIF and the editor do), adding the findings the implicit run does not already have, each
     * saying its scenario and step, and a summary per scenario (`SimulationResult.scenarios`).
     */
    everyScenario?: boolean;
    /**
     * Checked at safe points (cancellation.ts): once it reads cancelled, `simulate` throws
     * SimulationCancelled instead of finishing (the language server's stale runs).
     */
    cancellation?: CancellationToken;
}

export function simulate(platform: Platform, options: SimulationOptions = {}): SimulationResult {
    return withCancellation(options.cancellation, () => simulateUncancelled(platform, options));
}

function simulateUncancelled(platform: Platform, options: SimulationOptions): SimulationResult {
    const profile = options.profile ?? defaultProfile(platform);
    const findings: Finding[] = [];
    const stage: Stage = (name, run) => {
        checkCancelled();
        try {
            return run();
        } catch (error) {
            if (isSimulationCancelled(error)) throw error;
            const why = error instanceof Error ? error.message : String(error);
            findings.push(finding('ENGINE-INTERNAL', `pciplat's ${name} failed on platform ${platform.name} (${why}); the other results are still reported. Please report it with the file.`, platform.loc));
            return undefined;
        }
    };

    const fabric = fabricOf(platform, options, stage);
    const { topology, placement, ids, functions } = fabric;
    appendAll(findings, fabric.findings);
    const hypervisor: HypervisorResult | undefined = topology && stage('hypervisor simulation', () => simulateHypervisor(hypervisorInputOf(fabric, profile)!, options.scenario));
    // Under Xen, Xen drives the IOMMU, not Linux: the fabric's findings about Linux's IOMMU driver
    // attaching devices give way to the Xen layer's own (XEN-NO-STREAMID, XEN-STREAMID-SHARED).
    const xenOwnsIommu = hypervisor !== undefined && profile !== 'kvm';
    appendAll(findings, (ids?.findings ?? []).filter((f) => !(xenOwnsIommu && LINUX_IOMMU_DRIVER_CODES.has(f.code))));
    appendAll(findings, hypervisor?.findings ?? []);
    for (const f of functions) f.owner = hypervisor?.owner[f.name];
    if (hypervisor) {
        const refused = new Map(hypervisor.functions.filter((o) => o.refused).map((o) => [o.name, o.refused!]));
        for (const f of functions) if (refused.has(f.name)) f.refused = refused.get(f.name);
    }
    const scenarios = options.everyScenario && options.scenario === undefined ? writtenScenarios(platform, profile, fabric, findings, stage) : undefined;
    return {
        platform: platform.name,
        profile,
        scenario: hypervisor?.scenario,
        ...(scenarios ? { scenarios } : {}),
        functions,
        groups: ids?.groups ?? [],
        domains: hypervisor?.domains ?? [],
        assignable: hypervisor?.assignable ?? [],
        trace: hypervisor?.trace ?? [],
        ...(hypervisor?.traceLeftOut ? { traceLeftOut: hypervisor.traceLeftOut } : {}),
        findings: capFindings(findings, `platform ${platform.name}`, platform.loc),
    };
}

/**
 * Plays each written scenario on the platform (one fabric per distinct set of enabled VFs: most
 * scenarios share the implicit one's) and appends to `findings` what the implicit run (or an
 * earlier scenario) did not already report: the same fault found twice is one finding. Each
 * added finding's message starts with its scenario and step, so every printer shows it.
 */
function writtenScenarios(platform: Platform, profile: Profile, implicit: Fabric, findings: Finding[], stage: Stage): ScenarioOutcome[] {
    const seen = new Set(findings.map(findingKey));
    const fabrics = new Map<string, Fabric>([[vfsKey(vfsEverEnabled(platform, undefined)), implicit]]);
    const outcomes: ScenarioOutcome[] = [];
    for (const scenario of platform.scenarios) {
        checkCancelled();
        const key = vfsKey(vfsEverEnabled(platform, scenario.name));
        let fabric = fabrics.get(key);
        if (!fabric) {
            fabric = fabricOf(platform, { scenario: scenario.name }, stage);
            fabrics.set(key, fabric);
        }
        const own: Finding[] = [...fabric.findings, ...(fabric.ids?.findings ?? [])];
        const played = fabric.topology && stage(`simulation of scenario ${scenario.name}`, () => simulateHypervisor(hypervisorInputOf(fabric!, profile)!, scenario.name));
        const outcome: ScenarioOutcome = { name: scenario.name, errors: 0, warnings: 0, infos: 0, loc: scenario.nameLoc };
        const xenOwnsIommu = played !== undefined && profile !== 'kvm';
        for (const f of [...own.filter((f) => !(xenOwnsIommu && LINUX_IOMMU_DRIVER_CODES.has(f.code))), ...(played?.findings ?? [])]) {
            if (f.severity === 'error') outcome.errors++;
            else if (f.severity === 'warning') outcome.warnings++;
            else outcome.infos++;
            const k = findingKey(f);
            if (seen.has(k)) continue;
            seen.add(k);
            const origin = f.step === undefined ? `scenario ${scenario.name}` : `scenario ${scenario.name}, step ${f.step}`;
            findings.push({ ...f, message: `${origin}: ${f.message}`, scenario: scenario.name });
        }
        outcomes.push(outcome);
    }
    return outcomes;
}

function findingKey(f: Finding): string {
    return JSON.stringify([f.code, f.severity, f.message, f.loc ?? null]);
}

function vfsKey(counts: ReadonlyMap<string, bigint>): string {
    return [...counts].map(([name, n]) => `${name}=${n}`).sort().join(',');
}

/** Runs one stage of the engine; `simulate`'s turns a throw into ENGINE-INTERNAL and undefined. */
export type Stage = <T>(name: string, run: () => T) => T | undefined;

/** The fabric layer's results for one platform, as `simulate` computes them before the hypervisor layer. */
export interface Fabric {
    enumeration?: Enumeration;
    topology?: Topology;
    placement?: PlacementResult;
    ids?: IdAnalysis;
    /** Per-function results in enumeration order (VFs included). */
    functions: FunctionResult[];
    byName: ReadonlyMap<string, FunctionResult>;
    /** Address-map, enumeration and placement findings (the IDs' findings stay in `ids.findings`). */
    findings: Finding[];
}

/**
 * The fabric layer as Linux would run it on the platform: enumerate (with the VFs the scenario
 * enables), place resources, derive requester IDs, DMA aliases, StreamIDs/DeviceIDs and IOMMU
 * groups. `stage` guards each step (by default a throw propagates).
 */
export function fabricOf(platform: Platform, options: SimulationOptions = {}, stage: Stage = (_name, run) => run()): Fabric {
    const enumeration: Enumeration | undefined = stage('enumeration', () => enumerate(platform, { numVfs: vfsEverEnabled(platform, options.scenario) }));
    const topology = enumeration?.topology;
    const placement: PlacementResult | undefined = stage('resource placement', () => placeResources(platform, { topology }));
    const ids: IdAnalysis | undefined = topology && stage('requester-ID and IOMMU-group analysis', () => analyseIds(topology, platform));
    const addressMap = stage('physical address map check', () => physicalMapFindings(platform)) ?? [];
    const vmalloc = stage('32-bit configuration-space mapping check', () => configVmallocFindings(platform)) ?? [];
    const special = (topology && stage('config-access special check', () => configAccessSpecialFindings(topology))) ?? [];
    const functions = (topology?.functions ?? []).map((f) => {
        checkCancelled();
        return functionResult(f, placement, ids);
    });
    return {
        enumeration,
        topology,
        placement,
        ids,
        functions,
        byName: new Map(functions.map((f) => [f.name, f])),
        findings: [...addressMap, ...vmalloc, ...special, ...(enumeration?.findings ?? []), ...(placement?.findings ?? [])],
    };
}

/** The hypervisor layer's view of a fabric under a profile (undefined when enumeration failed). */
export function hypervisorInputOf(fabric: Fabric, profile: Profile): HypervisorInput | undefined {
    return fabric.topology && hypervisorInput(fabric.topology, profile, fabric.byName, fabric.placement, fabric.ids);
}

/**
 * VFs to enumerate per PF: the declared NumVFs, or more when the scenario enables more later
 * (`enable-sriov X num-vfs N`), so that the scenario's VFs exist to act on. A step asking for
 * more than TotalVFs creates no VF (Linux refuses it with -ERANGE; the scenario reports it), so
 * it does not count.
 */
function vfsEverEnabled(platform: Platform, scenarioName: string | undefined): Map<string, bigint> {
    const counts = new Map<string, bigint>();
    const steps = platform.scenarios.find((s) => s.name === scenarioName)?.steps ?? [];
    for (const step of steps) {
        if (step.kind !== 'enable-sriov') continue;
        const totalVfs = findFunction(platform, step.device)?.sriov?.totalVfs;
        if (totalVfs !== undefined && step.numVfs > totalVfs) continue;
        if (step.numVfs > (counts.get(step.device) ?? 0n)) counts.set(step.device, step.numVfs);
    }
    const declared = (name: string) => findFunction(platform, name)?.sriov?.numVfs ?? 0n;
    for (const [name, n] of counts) if (n <= declared(name)) counts.delete(name);
    return counts;
}

function findFunction(platform: Platform, name: string) {
    return allFunctions(platform.hostBridges.flatMap((hb) => hb.functions)).find((fn) => fn.name === name);
}

function functionResult(f: FabricFunction, placement: PlacementResult | undefined, ids: IdAnalysis | undefined): FunctionResult {
    const identity = ids?.byName.get(f.name);
    const bridge = placement?.bridges.get(f.name);
    return {
        name: f.name,
        kind: f.isVf ? 'vf' : f.decl.kind,
        segment: f.segment,
        bus: f.bus,
        device: f.device,
        fn: f.fn,
        bars: f.isVf ? vfBars(f, placement?.functions.get(f.pf!.name)) : ownBars(f, placement?.functions.get(f.name)),
        rom: f.isVf || !f.decl.rom ? undefined : { size: f.decl.rom.size, address: placement?.functions.get(f.name)?.rom ?? f.decl.rom.address },
        invisible: f.invisible,
        aliases: identity?.aliases ?? [],
        msiRid: identity?.msiRid,
        streamIds: identity?.streamIds ?? [],
        deviceIds: identity?.deviceIds ?? [],
        group: identity?.group ?? null,
        noGroup: identity?.noGroup,
        acsUnknown: identity?.acsUnknown,
        quirks: identity?.quirks,
        bridge: f.secondary === undefined || f.subordinate === undefined ? undefined : bridgeResult(f.secondary, f.subordinate, bridge),
        pf: f.pf?.name,
        loc: f.loc,
    };
}

/**
 * Where placement put a BAR: a written one stays where firmware put it, unless Linux released it
 * to make room (realloc), and one placement could not model keeps its written address.
 */
function ownBars(f: FabricFunction, placed: FunctionPlacement | undefined): BarResult[] {
    return f.decl.bars.map((b) => ({ index: b.index, kind: b.kind, prefetchable: b.prefetchable, size: b.size, address: placed?.bars.get(b.index) ?? b.address }));
}

/** A VF's BAR i sits in the PF's VF BAR i aperture, one VF BAR size per VF (DOMAIN B.7.4). */
function vfBars(f: FabricFunction, pfPlaced: FunctionPlacement | undefined): BarResult[] {
    return (f.decl.sriov?.vfBars ?? []).map((b) => {
        const aperture = pfPlaced?.vfBars?.get(b.index);
        return {
            index: b.index,
            kind: b.kind,
            prefetchable: b.prefetchable,
            size: b.size,
            address: aperture === undefined ? undefined : vfBarAddress(aperture, b.size, BigInt(f.vfIndex ?? 0)),
        };
    });
}

function bridgeResult(secondary: bigint, subordinate: bigint, placed: BridgePlacement | undefined): BridgeResult {
    const windows = (['io', 'mem', 'prefetch'] as const).flatMap((window) => {
        const w = placed?.[window];
        return w ? [{ window, kind: w.kind, start: w.start, end: w.end, written: w.written }] : [];
    });
    return { secondary, subordinate, windows };
}
