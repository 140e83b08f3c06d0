// The narrow view of the fabric's results that the hypervisor and scenario layers read. The
// engine adapts the fabric's output (src/fabric: topology, placement, ids, groups) into this
// shape (src/engine/hypervisor-input.ts), so the hypervisor simulation does not depend on how the
// fabric is computed. Tests get it from the same pipeline (test/hypervisor/real-input.ts).
import type { Bar, FunctionKind, PciFunction, Platform, Profile, Rom } from '../model/platform.js';
import type { SourceLoc } from '../model/source.js';

/**
 * A BAR as placed: the model's shape, with `address` the placed address (the host CPU address of
 * a memory BAR, the PCI I/O port of an I/O BAR: what the BAR holds); absent when the fabric could
 * not place it.
 */
export type HvBar = Bar;

/** The expansion ROM as placed (same convention as HvBar). */
export type HvRom = Rom;

/** One DMA alias Linux's pci_for_each_dma_alias reports besides the function's own RID. */
export interface HvAlias {
    rid: bigint;
    /** The bridge whose crossing produced the alias (absent for same-bus dma-alias quirks). */
    bridge?: string;
}

export interface HvFunction {
    /** Declared name, or `PF.vf[i]` for a VF (0-based i, as Linux's virtfnN). */
    name: string;
    /** The declaration; a VF carries its PF's. */
    decl: PciFunction;
    kind: FunctionKind | 'vf';
    isVf: boolean;
    /** VFs: the PF's name and the 0-based VF index. */
    pf?: string;
    vfIndex?: number;
    /** Name of the host bridge the function is below. */
    hostBridge: string;
    segment: bigint;
    bus: bigint;
    /** The RID's low byte: dev<<3|fn, or the 8-bit function number under ARI. */
    devfn: bigint;
    /** bus<<8 | devfn. */
    rid: bigint;
    /** ARI is in effect on the function's bus (ARI forwarding enabled on the port above). */
    ari: boolean;
    /** The bridge whose secondary bus the function sits on; absent on the root bus. */
    upstream?: string;
    /** Bridges: their secondary bus. */
    secondary?: bigint;
    /** Bridges: the windows they forward downstream (inclusive ends; memory in CPU addresses, I/O in ports). */
    windows?: { window: 'io' | 'mem' | 'prefetch'; start: bigint; end: bigint }[];
    /** The header's multi-function bit (VFs: false). */
    multifunction: boolean;
    /** BARs with their placed host addresses (VFs: VF n's slice of each VF BAR aperture). */
    bars: HvBar[];
    rom?: HvRom;
    /** Linux's DMA aliases other than the own RID, in walk order (DOMAIN.md B.1.2). */
    aliases: HvAlias[];
    /** RIDs of phantom functions Xen adds (DOMAIN.md B.1.1.6). */
    phantomRids: bigint[];
    /** StreamIDs (Arm) or requester IDs seen by the x86 IOMMU, as Linux translates every alias. */
    streamIds: { iommu: string; id: bigint }[];
    /** ITS DeviceIDs for the MSI RID (msi-map / IORT). */
    deviceIds: { its: string; id: bigint }[];
    /** IOMMU group id (Linux's pci_device_group), when the function has an IOMMU. */
    group?: number;
    /** Why Linux's scan never finds the function; absent when it is enumerated. */
    invisible?: string;
    /**
     * PFs only: why Linux refuses to enable the declared (or scenario's) NumVFs VFs; then no VF
     * of the PF is in `functions` (the fabric builds none).
     */
    vfRefusal?: { reason: string; numVfs: bigint };
    /** Quirks in effect (written and Linux's ID tables): `no-flr`, `no-bus-reset`, `no-pm-reset` change the resets. */
    quirks?: { effect: string; linux: string }[];
    /** Why the function has no group (absent when it has one). */
    noGroup?: string;
    /** Functions written `acs unknown` whose ACS decided its group. */
    acsUnknown?: string[];
    loc: SourceLoc;
}

export interface HvGroup {
    id: number;
    /** Function names, VFs included. */
    members: string[];
}

export interface HypervisorInput {
    platform: Platform;
    profile: Profile;
    /**
     * Every function the fabric enumerated (and those it found invisible, with `invisible` set),
     * in enumeration order; VFs of a PF for its declared `num-vfs`, right after the PF's subtree.
     */
    functions: HvFunction[];
    groups: HvGroup[];
    /**
     * Whether Linux enabled ACS during the boot scan (`enabled`) or only later (`deferred`, the
     * device-tree Arm default), as the fabric's grouping assumed; findings about merged groups
     * name it. Absent: not known (hand-built inputs).
     */
    acs?: 'enabled' | 'deferred';
}
