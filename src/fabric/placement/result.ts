// What placement computed: addresses per function and windows per bridge (plain data, bigint).
import type { Finding } from '../../findings/finding.js';
import type { WindowKind } from '../../model/platform.js';

/** A bridge window Linux opened (or that was written): first and last address, inclusive. */
export interface WindowPlacement {
    kind: WindowKind;
    prefetchable: boolean;
    start: bigint;
    end: bigint;
    /** Written in the description (kept), rather than computed. */
    written: boolean;
    /** Not written, but firmware must have programmed it: the smallest window covering the written resources below. */
    coversFirmware?: boolean;
}

export interface FunctionPlacement {
    /**
     * BAR index → first address: the CPU address for memory BARs, the PCI I/O port for I/O BARs.
     * A BAR that could not be placed (a finding says why) is absent.
     */
    bars: Map<number, bigint>;
    /** Expansion ROM address, when it has one and it was placed. */
    rom?: bigint;
    /**
     * SR-IOV VF BAR index → start of its aperture (size × TotalVFs, as Linux reserves); only on
     * functions with a usable SR-IOV capability. VF n (0-based) has its BAR at start + n × VF BAR
     * size (see vfBarAddress).
     */
    vfBars?: Map<number, bigint>;
}

export interface BridgePlacement {
    /** The I/O, non-prefetchable memory and prefetchable windows; absent when the bridge forwards none. */
    io?: WindowPlacement;
    mem?: WindowPlacement;
    prefetch?: WindowPlacement;
}

export interface PlacementResult {
    /** Every function Linux's scan finds, by name. */
    functions: Map<string, FunctionPlacement>;
    /** Every bridge Linux's scan finds, by name. */
    bridges: Map<string, BridgePlacement>;
    findings: Finding[];
}

/** VF `vf`'s (0-based) BAR address inside the aperture that starts at `apertureStart` (DOMAIN B.7.4). */
export function vfBarAddress(apertureStart: bigint, vfBarSize: bigint, vf: bigint): bigint {
    return apertureStart + vf * vfBarSize;
}
