// What one simulation of one platform computed. Plain data with bigint values; printers
// (src/cli/format-*.ts) turn it into text, JSON or SARIF, and the language server into hovers,
// lenses and inlay hints. docs/json-output.md documents the printed JSON and follows these types.
import type { Refusal } from '../hypervisor/refusals.js';
import type { Finding } from '../findings/finding.js';
import type { DomainResult, Owner, TraceEvent } from '../hypervisor/result.js';
import type { BarKind, FunctionKind, Profile, WindowKind } from '../model/platform.js';
import type { SourceLoc } from '../model/source.js';

export interface BarResult {
    index: number;
    kind: BarKind;
    prefetchable: boolean;
    size: bigint;
    /** Written or placed address; absent when it could not be placed (a finding says why). */
    address?: bigint;
}

export interface BridgeWindowResult {
    /** `io`, `mem` (non-prefetchable) or `prefetch`, as lspci names a bridge's windows. */
    window: 'io' | 'mem' | 'prefetch';
    kind: WindowKind;
    start: bigint;
    /** Inclusive. */
    end: bigint;
    written: boolean;
}

export interface BridgeResult {
    secondary: bigint;
    subordinate: bigint;
    windows: BridgeWindowResult[];
}

export interface StreamIdResult {
    iommu: string;
    id: bigint;
}

export interface DeviceIdResult {
    its: string;
    id: bigint;
}

export interface FunctionResult {
    name: string;
    /** `vf` for SR-IOV virtual functions, which are not declared but computed. */
    kind: FunctionKind | 'vf';
    segment: bigint;
    /** Absent only when enumeration could not run. */
    bus?: bigint;
    /** The two halves of devfn, as lspci prints them (an ARI function 0x10 is device 2, function 0). */
    device: bigint;
    fn: bigint;
    bars: BarResult[];
    rom?: { size: bigint; address?: bigint };
    /** Why Linux never finds this function; absent when it is enumerated. */
    invisible?: string;
    /** DMA aliases in Linux's pci_for_each_dma_alias order, own RID first. */
    aliases: bigint[];
    /** The requester ID MSIs are translated from (the last bus-changing alias). */
    msiRid?: bigint;
    streamIds: StreamIdResult[];
    deviceIds: DeviceIdResult[];
    /** IOMMU group, or null when the function has none (no IOMMU, or the SMMU refused it). */
    group: number | null;
    /** Why the function has no group, when it has none and it was enumerated. */
    noGroup?: string;
    /** Functions described `acs unknown` whose ACS decided this function's group. */
    acsUnknown?: string[];
    /** Quirks in effect: written ones, and Linux's ID-keyed tables (source `table`), with the Linux function and why. */
    quirks?: QuirkResult[];
    /** Bridges only: bus numbers and the windows Linux opened. */
    bridge?: BridgeResult;
    /** VFs: their PF. */
    pf?: string;
    /** Who holds the function at the end of the scenario: xen, dom0, dom_io (quarantine), a guest, host… */
    owner?: Owner;
    /** Domains configured to get it that do not hold it, each with the finding that says why. */
    refused?: Refusal[];
    loc: SourceLoc;
}

export interface QuirkResult {
    source: 'table' | 'written';
    /** The Linux function (table) or the written keyword. */
    linux: string;
    /** The written quirk it amounts to: `acs-isolated`, `no-acs`, `dma-func1-alias`, `no-flr`... */
    effect: string;
    why: string;
}

export interface GroupResult {
    id: number;
    members: string[];
}

export interface SimulationResult {
    platform: string;
    profile: Profile;
    /** The scenario played: its name, or `(implicit)` (boot, start every guest). */
    scenario?: string;
    functions: FunctionResult[];
    groups: GroupResult[];
    /** Each guest (Xen domain or KVM VM): devices, guest SBDFs and BARs, holes, configuration. */
    domains: DomainResult[];
    /** `xl pci-assignable-list` at the end (Xen). */
    assignable: string[];
    /** What happened, step by step: hypercalls, mappings, SMMU and ITS writes, toolstack actions. */
    trace: TraceEvent[];
    /** Events left out after the trace's first MAX_TRACE_EVENTS (hypervisor/state.ts); absent when none were. */
    traceLeftOut?: number;
    findings: Finding[];
    /** With `everyScenario`: what each written scenario found (its findings are in `findings`). */
    scenarios?: ScenarioOutcome[];
}

/** The counts of one written scenario's findings, those the implicit run also has included. */
export interface ScenarioOutcome {
    name: string;
    errors: number;
    warnings: number;
    infos: number;
    loc: SourceLoc;
}

/** Requester ID: bus<<8 | device<<3 | function (for ARI the same bits: bus<<8 | function). */
export function requesterId(f: Pick<FunctionResult, 'bus' | 'device' | 'fn'>): bigint | undefined {
    return f.bus === undefined ? undefined : (f.bus << 8n) | (f.device << 3n) | f.fn;
}
