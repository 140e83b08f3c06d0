// What the hypervisor + scenario simulation returns: the trace of events, the final ownership of
// every function, each guest's layout and configuration, and the findings.
import type { Finding } from '../findings/finding.js';
import type { BarKind, Profile, Step } from '../model/platform.js';
import type { SourceLoc } from '../model/source.js';
import type { XlDomainConfig } from './xl-config.js';
import type { Refusal } from './refusals.js';

/**
 * One thing that happened: a hypercall, a stage-2 mapping, an SMMU stream-table write, an ITS
 * command, a toolstack action. `args` values are display strings (numbers in 0x hex).
 */
export interface TraceEvent {
    /** 1-based index of the step in the scenario (the implicit scenario numbers its own steps). */
    step: number;
    stepKind: Step['kind'];
    event: string;
    args: Record<string, string>;
    /** The step's location (implicit scenario: the configuration the step comes from). */
    loc?: SourceLoc;
}

export interface GuestBar {
    device: string;
    /** BAR index, or `rom` for the expansion ROM. */
    bar: number | 'rom';
    kind: BarKind;
    prefetchable: boolean;
    size: bigint;
    host?: bigint;
    guest?: bigint;
    hole?: 'low' | 'high';
    /** Why the BAR has no guest address (I/O BAR on Arm, ROM hidden, no room…). */
    note?: string;
}

export interface GuestHole {
    which: 'low' | 'high';
    base: bigint;
    size: bigint;
    /** Bytes taken by guest BARs (pages, after alignment). */
    used: bigint;
    source: 'default' | 'written';
}

export interface DomainResult {
    name: string;
    hypervisor: 'xen' | 'kvm';
    /** Domain ID of the last start (Xen), absent if never started. */
    domid?: number;
    /** Whether it runs at the end of the scenario. */
    running: boolean;
    /** Devices it holds (or held when it last ran), in slot order. */
    devices: string[];
    /** Guest `SSSS:BB:DD.F` per device. */
    guestSbdf: Record<string, string>;
    guestBars: GuestBar[];
    holes: GuestHole[];
    /** The xl.cfg lines the toolstack reads (Xen). */
    xlConfig: string[];
    /** The same, as fields (Xen): what `pciplat export xl` writes a whole xl.cfg from. */
    xl?: XlDomainConfig;
    /** The xenstore entries libxl writes for its PCI devices (Xen). */
    xenstore: { path: string; value: string }[];
    /** QEMU's `-device vfio-pci,...` arguments (KVM). */
    qemuArgs: string[];
}

export type Owner = string;

export interface FunctionOutcome {
    name: string;
    /**
     * At the end of the scenario: `xen` (kept by Xen), `dom0`, `dom_io` (quarantined), a domU or
     * VM name, `host` (KVM host), or `none` (never added: invisible, not enabled, add failed).
     */
    owner: Owner;
    /** The driver holding it in dom0 / the host: `dom0`, `pciback`, `vfio-pci`, a host driver. */
    driver?: string;
    /** Whether the hypervisor knows the device (PHYSDEVOP_pci_device_add succeeded). */
    added: boolean;
    /** The IDs the hypervisor programs for it (StreamIDs on Arm, requester IDs on x86). */
    iommuIds: { iommu: string; id: bigint }[];
    /** Domains configured to get it that do not hold it at the end, each with the finding that says why. */
    refused?: Refusal[];
}

export interface HypervisorResult {
    profile: Profile;
    /** The scenario played; `(implicit)` for boot + start every domain. */
    scenario: string;
    domains: DomainResult[];
    functions: FunctionOutcome[];
    /** Shortcut: function name → owner. */
    owner: Record<string, Owner>;
    /** `xl pci-assignable-list` at the end (Xen). */
    assignable: string[];
    trace: TraceEvent[];
    /** Events after the trace's first MAX_TRACE_EVENTS (hypervisor/state.ts), counted, not kept. */
    traceLeftOut: number;
    findings: Finding[];
}
