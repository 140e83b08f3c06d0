// The one engine: the CLI and the language server both call `simulate` on a lowered platform.
// The fabric layer runs as Linux would on the platform: enumerate, place resources, derive IDs
// and IOMMU groups. Each stage is guarded: a stage that throws becomes an ENGINE-INTERNAL finding
// and the stages that do not depend on it still report.
import { finding, type Finding } from '../findings/finding.js';
import { enumerate, type Enumeration } from '../fabric/enumerate.js';
import { analyseIds, type IdAnalysis } from '../fabric/groups/analyse-ids.js';
import { placeResources, type BridgePlacement, type FunctionPlacement, type PlacementResult } from '../fabric/placement/place.js';
import { vfBarAddress } from '../fabric/placement/result.js';
import type { FabricFunction } from '../fabric/topology.js';
import type { Platform, Profile } from '../model/platform.js';
import { defaultProfile } from './profile.js';
import type { BarResult, BridgeResult, FunctionResult, SimulationResult } from './result.js';

export interface SimulationOptions {
    /** Overrides the platform's profile (`--profile`). */
    profile?: Profile;
    /** The scenario to play; the implicit one (boot, start every domain) when absent. */
    scenario?: string;
}

export function simulate(platform: Platform, options: SimulationOptions = {}): SimulationResult {
    const profile = options.profile ?? defaultProfile(platform);
    const findings: Finding[] = [];
    const stage = <T>(name: string, run: () => T): T | undefined => {
        try {
            return run();
        } catch (error) {
            const why = error instanceof Error ? error.message : String(error);
            findings.push(finding('ENGINE-INTERNAL', `pciplat's ${name} failed on platform ${platform.name} (${why}); the other results are still reported. Please report it with the file.`, platform.loc));
            return undefined;
        }
    };

    const enumeration: Enumeration | undefined = stage('enumeration', () => enumerate(platform));
    const topology = enumeration?.topology;
    const placement: PlacementResult | undefined = stage('resource placement', () => placeResources(platform, { topology }));
    const ids: IdAnalysis | undefined = topology && stage('requester-ID and IOMMU-group analysis', () => analyseIds(topology, platform));
    findings.push(...(enumeration?.findings ?? []), ...(placement?.findings ?? []), ...(ids?.findings ?? []));

    const functions = (topology?.functions ?? []).map((f) => functionResult(f, placement, ids));
    return { platform: platform.name, profile, functions, groups: ids?.groups ?? [], findings };
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
        rom: f.isVf || !f.decl.rom ? undefined : { size: f.decl.rom.size, address: f.decl.rom.address ?? placement?.functions.get(f.name)?.rom },
        invisible: f.invisible,
        aliases: identity?.aliases ?? [],
        msiRid: identity?.msiRid,
        streamIds: identity?.streamIds ?? [],
        deviceIds: identity?.deviceIds ?? [],
        group: identity?.group ?? null,
        bridge: f.secondary === undefined || f.subordinate === undefined ? undefined : bridgeResult(f.secondary, f.subordinate, bridge),
        pf: f.pf?.name,
        loc: f.loc,
    };
}

function ownBars(f: FabricFunction, placed: FunctionPlacement | undefined): BarResult[] {
    return f.decl.bars.map((b) => ({ index: b.index, kind: b.kind, prefetchable: b.prefetchable, size: b.size, address: b.address ?? placed?.bars.get(b.index) }));
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
