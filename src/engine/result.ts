// What one simulation of one platform computed. Plain data with bigint values; printers
// (src/cli/format-*.ts) turn it into text, JSON or SARIF. The fabric and hypervisor layers extend
// these interfaces; docs/json-output.md documents the printed JSON and must follow them.
import type { Finding } from '../findings/finding.js';
import type { BarKind, FunctionKind, Profile } from '../model/platform.js';
import type { SourceLoc } from '../model/source.js';

export interface BarResult {
    index: number;
    kind: BarKind;
    prefetchable: boolean;
    size: bigint;
    /** Written or placed address; absent when it could not be placed (a finding says why). */
    address?: bigint;
}

export interface FunctionResult {
    name: string;
    /** `vf` for SR-IOV virtual functions, which are not declared but computed. */
    kind: FunctionKind | 'vf';
    segment: bigint;
    /** Absent while the bus is unknown (relative address and no enumeration result). */
    bus?: bigint;
    device: bigint;
    fn: bigint;
    bars: BarResult[];
    loc: SourceLoc;
}

export interface SimulationResult {
    platform: string;
    profile: Profile;
    functions: FunctionResult[];
    findings: Finding[];
}

/** Requester ID: bus<<8 | device<<3 | function (ARI: bus<<8 | function). */
export function requesterId(f: Pick<FunctionResult, 'bus' | 'device' | 'fn'>): bigint | undefined {
    return f.bus === undefined ? undefined : (f.bus << 8n) | (f.device << 3n) | f.fn;
}
