// The enumerated fabric: every function (declared or SR-IOV VF) with the bus number Linux would
// give it, the bridge above it and the functions on its secondary bus. Built by enumerate.ts;
// read by placement, requester IDs, ID translation and IOMMU grouping.
import type { HostBridge, PciFunction, Platform } from '../model/platform.js';
import type { SourceLoc } from '../model/source.js';
import type { AppliedFixup } from './quirks/apply.js';

export interface FabricFunction {
    /** Declared name, or `PF.vf[i]` for a VF (0-based i, as Linux's virtfnN). */
    name: string;
    /** The declaration; a VF points at its PF's declaration. */
    decl: PciFunction;
    isVf: boolean;
    /** For VFs: the PF and the 0-based VF index. */
    pf?: FabricFunction;
    vfIndex?: number;
    hostBridge: HostBridge;
    segment: bigint;
    bus: bigint;
    device: bigint;
    fn: bigint;
    /** devfn as the RID's low byte: dev<<3|fn, or the 8-bit function number under ARI. */
    devfn: bigint;
    /** The bridge whose secondary bus this function sits on; undefined on the root bus. */
    upstream?: FabricFunction;
    /** Bridges only: bus numbers (written ones are kept, others computed as Linux does). */
    secondary?: bigint;
    subordinate?: bigint;
    /** Bridges only: the declared functions on the secondary bus, in declaration order. */
    downstream: FabricFunction[];
    /** PFs only: their VFs once SR-IOV is enabled (NumVFs); none when Linux refuses the enable. */
    vfs: FabricFunction[];
    /**
     * PFs only: why Linux creates none of the NumVFs VFs (sriov_init or sriov_enable refused),
     * decided before any VF is built, so that a refused NumVFs 0xffff costs nothing.
     */
    vfRefusal?: { reason: string; numVfs: bigint };
    /** Whether ARI is in effect for this function (ARI forwarding enabled on the port above). */
    ari: boolean;
    /**
     * Why Linux's scan never finds this function (device != 0 below a port, functions 1-7
     * without a multi-function function 0, ...); undefined when it is enumerated.
     */
    invisible?: string;
    /** Linux's ID-keyed fixups in effect (quirks/apply.ts); absent when none matches. */
    fixups?: readonly AppliedFixup[];
    loc: SourceLoc;
}

export interface HostBridgeFabric {
    hostBridge: HostBridge;
    segment: bigint;
    /** Functions on the root bus. */
    root: FabricFunction[];
}

export interface Topology {
    platform: Platform;
    hostBridges: HostBridgeFabric[];
    /** Every function, depth-first in enumeration order, VFs right after their PF's subtree. */
    functions: FabricFunction[];
    byName: Map<string, FabricFunction>;
}

/** Requester ID: bus<<8 | devfn. The segment is not part of it (DOMAIN.md B.1.1). */
export function rid(f: Pick<FabricFunction, 'bus' | 'devfn'>): bigint {
    return (f.bus << 8n) | f.devfn;
}

export function isBridgeFunction(f: FabricFunction): boolean {
    return f.secondary !== undefined;
}
