// The pciplat language server's custom requests and commands: the one definition shared by the
// server (server/requests.ts) and any client (the VS Code extension, Neovim/Emacs configs).
// No Langium and no server code here, so a client can import this file on its own.
//
// Every 64-bit value (address, size, ID) is a `0x` lowercase hex string, as in the CLI's JSON
// (docs/json-output.md); unknown values are `null`.
//
// Dependency-free on purpose: each client library has its own copy of the JSON-RPC classes, so
// the requests are plain method names with typed params/results (`PciplatRequests`), e.g.
// `client.sendRequest<SimulateResult>(SIMULATE_METHOD, params)`.

/** A hex string such as `0x4000_0000` printed as `"0x40000000"`. */
export type Hex = string;

/** A range in a document (0-based lines and UTF-16 columns, as everywhere in LSP). */
export interface SourceRange {
    uri: string;
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

// --- pciplat/simulate ----------------------------------------------------------------------------

export interface SimulateParams {
    /** The document whose platform to simulate. */
    uri: string;
    /** Needed when the document declares more than one platform. */
    platform?: string;
    /** A scenario of that platform; the implicit one (boot, start every domain) when absent. */
    scenario?: string;
    /** Hypervisor profile override: `arm-design`, `arm-upstream`, `x86-pvh` or `kvm`. */
    profile?: string;
}

/**
 * Exactly the document `pciplat simulate --format json` prints when run in the document's folder
 * (docs/json-output.md): `platform`, `profile`, `scenario`, `functions`, `findings`, and whatever
 * the engine adds later. Paths in findings are relative to the document's folder. `uri` and
 * `versions` (the document versions it was computed from) are added by the server.
 */
export interface SimulateResult {
    uri: string;
    versions: Record<string, number>;
    platform: string;
    profile: string;
    scenario: string | null;
    functions: SimulatedFunction[];
    findings: JsonFinding[];
    [field: string]: unknown;
}

export interface SimulatedFunction {
    name: string;
    kind: string;
    sbdf: string;
    rid: Hex | null;
    bars: { index: number; kind: string; prefetchable: boolean; size: Hex; address: Hex | null }[];
    [field: string]: unknown;
}

export interface JsonFinding {
    code: string;
    severity: 'error' | 'warning' | 'info';
    message: string;
    file: string | null;
    line: number | null;
    column: number | null;
    endLine: number | null;
    endColumn: number | null;
    related: { file: string | null; line: number | null; column: number | null; message: string }[];
}

export const SIMULATE_METHOD = 'pciplat/simulate';

// --- pciplat/addressMap --------------------------------------------------------------------------

export interface AddressMapParams {
    uri: string;
    /** Only this platform; every platform of the document when absent. */
    platform?: string;
}

export type AddressRegionKind =
    | 'memory'
    | 'reserved'
    | 'ecam'
    | 'child-ecam'
    | 'host-window'
    | 'bar'
    | 'its'
    | 'smmu'
    | 'gic'
    | 'ioapic'
    | 'iommu'
    | 'uart'
    | 'device';

export interface AddressRegion {
    kind: AddressRegionKind;
    /** The object's name; BARs are named `function.barN`. */
    name: string;
    /** Host physical (CPU) address of the first byte. */
    base: Hex;
    /** Size in bytes; `null` when the description does not say. */
    size: Hex | null;
    /** Last byte (base + size - 1), `null` when the size is unknown. */
    end: Hex | null;
    /** Where it comes from: `host-bridge pcie0`, `function nic0`, `platform`. */
    owner?: string;
    /** Window / BAR details: io, mem32, mem64. */
    space?: string;
    prefetchable?: boolean;
    /** Host-bridge windows: PCI bus address of the window start. */
    pciBase?: Hex;
    /** BARs: `written` (firmware-assigned in the text) or `placed` (by the simulation). */
    origin?: 'written' | 'placed';
    loc?: SourceRange;
}

export interface PlatformAddressMap {
    platform: string;
    /** Whether BAR addresses come from a simulation result (false: only written addresses). */
    simulated: boolean;
    /** Sorted by base, then size. */
    regions: AddressRegion[];
    /** BARs the simulation could not place (no address known). */
    unplaced: { name: string; size: Hex; space: string; loc?: SourceRange }[];
}

export interface AddressMapResult {
    uri: string;
    platforms: PlatformAddressMap[];
}

export const ADDRESS_MAP_METHOD = 'pciplat/addressMap';

// --- pciplat/topology ----------------------------------------------------------------------------

export interface TopologyParams {
    uri: string;
}

export interface TopologyFunction {
    name: string;
    /** Declared kind, or `vf` for an SR-IOV virtual function. */
    kind: string;
    /** `SSSS:BB:DD.F` from the last simulation, else from the text (`??` for unknown bus). */
    sbdf: string | null;
    rid: Hex | null;
    /** IOMMU group when the simulation computes one, else null. */
    group: string | number | null;
    vendor: Hex | null;
    device: Hex | null;
    /** Vendor and device names from the bundled PCI ID subset (or the system's pci.ids). */
    vendorName?: string;
    deviceName?: string;
    /**
     * Who holds the function at the end of the last background simulation (implicit scenario):
     * `xen`, `dom0`, `dom_io`, a guest, `host`…; null when not simulated yet or not reported.
     */
    owner: string | null;
    /** Why the function has no IOMMU group (outside every IOMMU, the AMD IOMMU itself...), when it has none. */
    noGroup?: string;
    /** Functions written `acs unknown` whose ACS decided this function's group. */
    acsUnknown?: string[];
    /** Quirks in effect: written ones and Linux's ID tables (`source: 'table'`), with the Linux function and why. */
    quirks?: { source: 'table' | 'written'; linux: string; effect: string; why: string }[];
    loc?: SourceRange;
    children: TopologyFunction[];
}

export interface TopologyHostBridge {
    name: string;
    segment: Hex | null;
    busRange: [Hex, Hex];
    loc?: SourceRange;
    functions: TopologyFunction[];
}

/** One IOMMU group of the last simulation and its members, for the view by group. */
export interface TopologyGroup {
    id: number;
    members: TopologyGroupMember[];
}

export interface TopologyGroupMember {
    name: string;
    kind: string;
    sbdf: string | null;
    owner: string | null;
    loc?: SourceRange;
}

export interface TopologyPlatform {
    name: string;
    arch: string;
    simulated: boolean;
    loc?: SourceRange;
    hostBridges: TopologyHostBridge[];
    /** IOMMU groups in id order with their members (empty when not simulated yet). */
    groups: TopologyGroup[];
}

export interface TopologyResult {
    uri: string;
    platforms: TopologyPlatform[];
}

export const TOPOLOGY_METHOD = 'pciplat/topology';

// --- pciplat/serverStats ----------------------------------------------------------------------------

/** Counters of the background simulation, for troubleshooting and tests. */
export interface ServerStatsResult {
    /** Platform lowerings started for background runs (an edit arriving meanwhile abandons one). */
    lowerings: number;
    /** Background jobs scheduled, i.e. lowered platforms handed to the worker pool (one per platform per pause in editing). */
    scheduled: number;
    /** Run preparations that waited for the edit stream to pause (server/simulation/quiet.ts). */
    quietDeferred: number;
    /** Jobs that replaced a queued or running job of the same platform (coalescing). */
    replaced: number;
    /** Jobs whose outcome reached the server (not replaced meanwhile). */
    completed: number;
    /** Outcomes dropped because a document changed after the job was lowered. */
    dropped: number;
    /** Outcomes turned into results or failure diagnostics. */
    delivered: number;
    /** Validations that kept the last results because a file did not parse. */
    skippedUnparsable: number;
    /** Validations of unsaved text that did not simulate (`simulateOn: save`). */
    deferredUntilSave: number;
    /** Worker threads started (one per pool slot, plus one for each worker terminated). */
    workersStarted: number;
    /** Running jobs cancelled cooperatively by an edit: their worker stopped the run and took the next. */
    cancelledInWorker: number;
    /** Worker threads terminated: a run over the time limit or the heap ceiling, a cancellation not answered within its ceiling, a failure. */
    workersTerminated: number;
    /** Platforms with a stored result. */
    results: number;
    /** Source of vendor/device names. */
    pciIds: string;
    /** The server process's memory when the request was answered (after a GC when asked for and possible). */
    memory: ServerMemory;
}

/** Asks for a garbage collection first (soak measurements); it runs only when the server was started with `--expose-gc`. */
export interface ServerStatsParams {
    collectGarbage?: boolean;
}

export interface ServerMemory {
    /** Resident set of the whole process (the relay, the server thread, simulation workers). */
    rssBytes: number;
    /** The server thread's V8 heap in use. */
    heapUsedBytes: number;
    /** A full GC of the server thread ran just before (`collectGarbage` and `--expose-gc`). */
    collected: boolean;
    /** Idle simulation workers that ran a full GC just before (busy ones are left alone). */
    workersCollected: number;
    /** The server thread's V8 heap spaces: committed bytes per space (new_space, old_space, code_space...). */
    heapSpaces: Record<string, number>;
    /** The same for the simulation workers that collected (summed); empty without `collectGarbage`. */
    workerHeapSpaces: Record<string, number>;
    /** The same for the relay (main) thread, after its GCs; empty without `collectGarbage`. */
    relayHeapSpaces: Record<string, number>;
    /** `MALLOC_MMAP_THRESHOLD_` as the process was started with it (server/process-env.ts), or null. */
    mallocMmapThreshold: string | null;
}

export const SERVER_STATS_METHOD = 'pciplat/serverStats';

// --- pciplat/simulationStatus (notification, server → client) ---------------------------------------

/**
 * Sent when background runs start (and when more platforms join the queue) and when the queue
 * drains, whether by completion or by cancellation (edits, closed files, removed platforms).
 */
export interface SimulationStatusParams {
    state: 'running' | 'idle';
    /** `running`: platforms queued or being simulated; `idle`: platforms with a stored result. */
    platforms: number;
    /** Simulation findings of all stored results. */
    findings: number;
    /** Duration of the last completed background run (worker time), when there was one. */
    lastRunMs?: number;
    /** When the last background run completed (ISO 8601), when there was one. */
    finishedAt?: string;
}

export const SIMULATION_STATUS_METHOD = 'pciplat/simulationStatus';

/** Notification method → params. */
export interface PciplatNotifications {
    [SIMULATION_STATUS_METHOD]: SimulationStatusParams;
}

// --- pciplat/compare ----------------------------------------------------------------------------

export interface CompareParams {
    /** The document whose platform to compare. */
    uri: string;
    /** Needed when the document declares more than one platform. */
    platform?: string;
    /**
     * The real machine's IOMMU groups: a file (the `for g in /sys/kernel/iommu_groups/*` loop's
     * output, or `find /sys/kernel/iommu_groups -type l`) or a sysfs snapshot folder; a `file:`
     * URI, an absolute path, or a path relative to the document's folder.
     */
    real: string;
}

export type CompareVerdict = 'agree' | 'differs' | 'only-predicted' | 'only-real';
export type CompareCode = 'COMPARE-GROUP-DIFFERS' | 'COMPARE-ONLY-PREDICTED' | 'COMPARE-ONLY-REAL';

export interface CompareGroup {
    group: number;
    /** Members as `ssss:bb:dd.f`, sorted. */
    members: string[];
}

export interface CompareFunction {
    sbdf: string;
    /** The platform's name for it; null when only the real machine has it. */
    name: string | null;
    verdict: CompareVerdict;
    /** The function's group on each side (numbers are not comparable across sides; null: no group); members in `groups`. */
    predicted: { group: number | null } | null;
    real: { group: number | null; description: string | null } | null;
    /** Where to show it: the function's name, or for `only-real` the host bridge (else platform) it would be in. */
    loc?: SourceRange;
    /** The line (or snapshot entry) of the real listing that names it. */
    realLoc?: SourceRange;
    /** Functions that do not agree: the diagnostic's code, message and related locations. */
    code?: CompareCode;
    message?: string;
    related?: { loc: SourceRange; message: string }[];
    /**
     * The real device's vendor:device IDs (lspci -nn) differ from the declared ones (`vvvv:dddd`),
     * with the warning a client shows at `loc` (`COMPARE-IDS-DIFFER`), whatever the verdict.
     */
    idsDiffer?: { real: string; declared: string; code: 'COMPARE-IDS-DIFFER'; message: string };
}

export interface CompareResult {
    uri: string;
    /** The document versions the prediction was computed from. */
    versions: Record<string, number>;
    platform: string;
    real: { uri: string; form: 'loop' | 'find' | 'sysfs'; groups: number; listsUngrouped: boolean; otherDevices: number };
    /** Every function agrees (false too when `problems` is not empty). */
    agreement: boolean;
    summary: { functions: number; agree: number; differs: number; onlyPredicted: number; onlyReal: number; idsDiffer: number };
    /** The CLI's summary line: `15 functions: 11 agree, 2 differ, 1 only predicted, 1 only real`. */
    summaryText: string;
    /** Sorted by SBDF. */
    functions: CompareFunction[];
    /** Each side's groups once, by number (a function refers to its group by number). */
    groups: { predicted: CompareGroup[]; real: CompareGroup[] };
    /** What is wrong with REAL itself (GROUPS-* codes): when there is any, nothing was compared. */
    problems: { code: string; message: string; loc?: SourceRange }[];
}

export const COMPARE_METHOD = 'pciplat/compare';

// --- all requests ------------------------------------------------------------------------------

/** Method → params and result, for typed wrappers in clients. */
export interface PciplatRequests {
    [SIMULATE_METHOD]: { params: SimulateParams; result: SimulateResult };
    [ADDRESS_MAP_METHOD]: { params: AddressMapParams; result: AddressMapResult };
    [TOPOLOGY_METHOD]: { params: TopologyParams; result: TopologyResult };
    [SERVER_STATS_METHOD]: { params: ServerStatsParams; result: ServerStatsResult };
    [COMPARE_METHOD]: { params: CompareParams; result: CompareResult };
    [EXPORT_TARGETS_METHOD]: { params: ExportTargetsParams; result: ExportTargetsResult };
    [EXPORT_METHOD]: { params: ExportParams; result: ExportResult };
    [IMPORT_METHOD]: { params: ImportParams; result: ImportResult };
}

// --- commands --------------------------------------------------------------------------------------

/**
 * The command of the "▶ Run simulation" code lenses. The client implements it (for example by
 * sending `pciplat/simulate` with the argument and showing the result); its one argument is a
 * {@link RunSimulationArgs}.
 */
export const RUN_SIMULATION_COMMAND = 'pciplat.runSimulation';

export interface RunSimulationArgs {
    uri: string;
    platform: string;
    scenario?: string;
}

/** Initialization options a client may send (`initializationOptions`). */
export interface PciplatInitializationOptions {
    /** A pci.ids file to name vendors and devices with; default: the system's, else the bundled subset. */
    pciIdsPath?: string;
    /** `false` to use the bundled subset only. */
    systemPciIds?: boolean;
    /** Simulation worker threads (default: cores - 1, at least 1, at most 4). */
    simulationWorkers?: number;
    /** A simulation running longer than this is stopped (milliseconds, default 120000). */
    simulationTimeoutMs?: number;
    /** A background run is prepared once no edit has arrived for this long (milliseconds, default 200; server/simulation/quiet.ts). */
    simulationQuietMs?: number;
    /** Hypervisor profile of the background simulation; `platform` (default): each platform's own. */
    profile?: PciplatProfileSetting;
    /** `type` (default): simulate after every edit; `save`: only the saved text (on open and `didSave`). */
    simulateOn?: SimulateOnSetting;
}

export type PciplatProfileSetting = 'platform' | 'arm-design' | 'arm-upstream' | 'x86-pvh' | 'kvm';
export type SimulateOnSetting = 'type' | 'save';

/**
 * The `pciplat` section of `workspace/didChangeConfiguration` (`{ settings: { pciplat: {...} } }`)
 * or of `workspace/configuration`: the same `profile` and `simulateOn` as the initialization
 * options; a key that is absent leaves the setting as it was.
 */
export interface PciplatSettings {
    profile?: PciplatProfileSetting;
    simulateOn?: SimulateOnSetting;
}

// --- pciplat/exportTargets, pciplat/export -------------------------------------------------------

export interface ExportTargetsParams {
    uri: string;
    platform?: string;
}

/** One export that applies: a format of `pciplat export`, for the platform or one guest. */
export interface ExportTargetInfo {
    format: string;
    summary: string;
    /** The Xen domain (`--domain`) or KVM VM (`--vm`) it is for; neither: the platform. */
    domain?: string;
    vm?: string;
}

export interface ExportTargetsResult {
    uri: string;
    platform: string;
    targets: ExportTargetInfo[];
}

export const EXPORT_TARGETS_METHOD = 'pciplat/exportTargets';

export interface ExportParams {
    uri: string;
    format: string;
    platform?: string;
    domain?: string;
    vm?: string;
    profile?: string;
    /** Export even when the platform has error findings (`--force`). */
    force?: boolean;
}

/**
 * What `pciplat export FORMAT` writes for the document's current text. `text` is null when the
 * platform has error findings and `force` was not set; `message` then says so.
 */
export interface ExportResult {
    uri: string;
    platform: string;
    format: string;
    text: string | null;
    /** The file name to suggest, e.g. `armsrv.web.cfg`. */
    fileName: string;
    /** A VS Code language id for the preview (`plaintext`, `shellscript`, `xml`). */
    language: string;
    errors: number;
    message?: string;
}

export const EXPORT_METHOD = 'pciplat/export';

// --- pciplat/import ------------------------------------------------------------------------------

/**
 * `pciplat import` from the editor. Every path is a `file:` URI or an absolute path; the inputs
 * are those of the CLI (at least one; `sysfs` or `lspci`, and `dt` or ACPI tables).
 */
export interface ImportParams {
    /** Device tree: `.dts`, or a `.dtb` (read through dtc). */
    dt?: string;
    /** A sysfs snapshot folder. */
    sysfs?: string;
    /** `lspci -vvv -nn` (optionally `-xxxx`) output. */
    lspci?: string;
    /** A folder of ACPI tables (binary, as in /sys/firmware/acpi/tables, or NAME.dsl). */
    acpi?: string;
    /** Single ACPI tables: iasl -d disassembly or the binary table. */
    mcfg?: string;
    madt?: string;
    iort?: string;
    dmar?: string;
    dsdt?: string;
    ivrs?: string;
    /** The `.pciplat` file to write. */
    output: string;
    /** The platform's name (default: from the output's file name). */
    name?: string;
    /** Overwrite an existing output. */
    force?: boolean;
}

/** A finding of the import (IMPORT-* codes) or of checking the written platform. */
export interface ImportFinding {
    code: string;
    severity: 'error' | 'warning' | 'info';
    message: string;
    /** The file at fault: a source (import) or the written platform (check). */
    uri?: string;
    /** 1-based line in that file; 0: the whole file. */
    line?: number;
    loc?: SourceRange;
}

export interface ImportResult {
    /** The written file; null when nothing was written. */
    uri: string | null;
    /** Nothing was written because the output exists and `force` was not set. */
    exists: boolean;
    /** The import's remarks and errors, then the written platform's own check findings. */
    findings: ImportFinding[];
    errors: number;
    /** One line for the user: what was written, or why not. */
    message: string;
}

export const IMPORT_METHOD = 'pciplat/import';
