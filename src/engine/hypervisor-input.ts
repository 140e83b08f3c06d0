// The hypervisor layer reads a narrow view of the fabric (src/hypervisor/input.ts); this adapts
// the fabric's results (topology, placement, IDs, groups) into it.
import { acsMode } from '../fabric/groups/acs.js';
import type { FunctionIds } from '../fabric/ids/types.js';
import type { IdAnalysis } from '../fabric/groups/analyse-ids.js';
import type { PlacementResult } from '../fabric/placement/place.js';
import { rid, type FabricFunction, type Topology } from '../fabric/topology.js';
import type { HvFunction, HypervisorInput } from '../hypervisor/input.js';
import type { Profile } from '../model/platform.js';
import type { FunctionResult } from './result.js';

export function hypervisorInput(
    topology: Topology,
    profile: Profile,
    results: ReadonlyMap<string, FunctionResult>,
    placement: PlacementResult | undefined,
    ids: IdAnalysis | undefined,
): HypervisorInput {
    const functions = topology.functions.map((f) => hvFunction(f, profile, results.get(f.name)!, placement, ids?.ids.byFunction.get(f)));
    return { platform: topology.platform, profile, functions, groups: ids?.groups ?? [], acs: acsMode(topology.platform) };
}

function hvFunction(f: FabricFunction, profile: Profile, result: FunctionResult, placement: PlacementResult | undefined, ids: FunctionIds | undefined): HvFunction {
    const barLocs = new Map((f.isVf ? (f.decl.sriov?.vfBars ?? []) : f.decl.bars).map((b) => [b.index, b.loc]));
    // Xen on Arm is device-tree only (DOMAIN.md B.4.10): its view of DeviceIDs is msi-map's.
    const view = profile === 'arm-design' || profile === 'arm-upstream' ? (ids?.dt ?? ids?.translation) : ids?.translation;
    return {
        name: f.name,
        decl: f.decl,
        kind: result.kind,
        isVf: f.isVf,
        pf: f.pf?.name,
        vfIndex: f.vfIndex,
        hostBridge: f.hostBridge.name,
        segment: f.segment,
        bus: f.bus,
        devfn: f.devfn,
        rid: rid(f),
        ari: f.ari,
        upstream: f.upstream?.name,
        secondary: f.secondary,
        windows: result.bridge?.windows.map((w) => ({ window: w.window, start: w.start, end: w.end })),
        multifunction: f.decl.multifunction && !f.isVf,
        bars: result.bars.map((b) => ({ ...b, loc: barLocs.get(b.index) ?? f.loc })),
        rom: f.isVf || !f.decl.rom ? undefined : { size: f.decl.rom.size, address: f.decl.rom.address ?? placement?.functions.get(f.name)?.rom, disabled: f.decl.rom.disabled, loc: f.decl.rom.loc },
        aliases: (ids?.aliases ?? []).filter((a) => a.kind !== 'own').map((a) => ({ rid: a.rid, bridge: a.kind === 'bridge' ? a.via.name : undefined })),
        phantomRids: ids?.phantomRids ?? [],
        streamIds: result.streamIds,
        deviceIds: view?.deviceIds ?? result.deviceIds,
        group: result.group ?? undefined,
        invisible: f.invisible,
        vfRefusal: f.vfRefusal,
        quirks: result.quirks,
        noGroup: result.noGroup,
        acsUnknown: result.acsUnknown,
        loc: f.loc,
    };
}
