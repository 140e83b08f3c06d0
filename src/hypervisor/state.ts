// The mutable state one simulation plays against: what each function is (present, known to the
// hypervisor, owner, driver, current BAR addresses), each guest's configuration and runtime
// layout, the IOMMU tables, and the trace and findings produced so far.
import { finding, type Finding, type RelatedLoc, type Severity } from '../findings/finding.js';
import type { FindingCode } from '../findings/codes.js';
import type { Refusal } from './refusals.js';
import type { FunctionRef, KvmVm, Platform, Step, XenDomain, XlFlag } from '../model/platform.js';
import type { SourceLoc } from '../model/source.js';
import type { HvFunction, HypervisorInput } from './input.js';
import { profileRules, type ProfileRules } from './profiles.js';
import type { GuestBar, GuestHole, Owner, TraceEvent } from './result.js';

/** The step being played. */
export interface StepContext {
    /** 1-based. */
    step: number;
    kind: Step['kind'];
    loc?: SourceLoc;
    /** Written in a scenario (findings then point at the step), or part of the implicit scenario. */
    explicit: boolean;
}

export interface FnState {
    fn: HvFunction;
    /** On the bus now (VFs: SR-IOV enabled with enough VFs). */
    present: boolean;
    /** Known to the hypervisor (PHYSDEVOP_pci_device_add succeeded). */
    added: boolean;
    /** Why it is not known, for later findings. */
    notAddedWhy?: string;
    owner: Owner;
    /** Driver in dom0 / the host: `dom0` (a dom0 driver), `pciback`, `vfio-pci`, a host driver, none. */
    driver?: string;
    /** What `xl pci-assignable-remove -r` rebinds. */
    restoreDriver?: string;
    /** IDs the hypervisor programs (StreamIDs on Arm, RIDs on x86). */
    iommuIds: { iommu: string; id: bigint }[];
    /** Current host address per BAR index (relocations update it). */
    bars: Map<number, bigint | undefined>;
    /** PFs: VFs enabled now. */
    vfsEnabled: number;
    /** PFs: VF Enable was already set when the PF was added (Xen did not size the VF BARs). */
    vfBarsUnsized?: boolean;
    /** dom0 (or the host) has memory decoding on. */
    decoding: boolean;
    /** Domains configured to get it that did not, with the finding that says why (refusals.ts). */
    refused?: Refusal[];
}

/** One device in a guest's configuration (xl.cfg `pci = [...]`, or a KVM vm's `assign`). */
export interface ConfigEntry {
    device: string;
    ref: FunctionRef;
    vslot?: { device: bigint; fn: bigint; loc?: SourceLoc };
    flags: XlFlag[];
    rdmPolicy?: 'strict' | 'relaxed';
    /** KVM on POWER: the guest PHB the device sits on (absent: the default PHB, index 0). */
    phb?: string;
    /** KVM: the guest pcie-root-port it is assigned behind (guest-ports.ts). */
    guestPort?: string;
    /** Where it was configured: the `assign` in the domain, or the scenario step. */
    loc: SourceLoc;
}

export interface Attached {
    device: string;
    entry: ConfigEntry;
    /** Guest devfn on bus 0 of segment 0 (or on `guestBus`, behind a guest root port). */
    guestDevfn?: bigint;
    /** KVM: the guest bus behind the pcie-root-port `guestPort`; absent: bus 0. */
    guestBus?: bigint;
    guestPort?: string;
    guestBars: GuestBar[];
}

export interface DomainState {
    name: string;
    hypervisor: 'xen' | 'kvm';
    xen?: XenDomain;
    kvm?: KvmVm;
    config: ConfigEntry[];
    running: boolean;
    domid?: number;
    vmid?: number;
    /** In attach order. */
    attached: Map<string, Attached>;
    holes: GuestHole[];
    /** The guest's virtual host bridge node has been written (Arm). */
    guestHostBridge: boolean;
    xenstore: { path: string; value: string }[];
    /** Backend index libxl gives the next device. */
    nextBackendIndex: number;
    /** The layout of the last run, kept after destroy for the result. */
    lastDevices: string[];
    lastGuestSbdf: Record<string, string>;
    lastGuestBars: GuestBar[];
    lastQemuArgs: string[];
    lastHoles: GuestHole[];
    loc: SourceLoc;
}

export interface ReportOptions {
    /** The configuration or declaration at fault. */
    at?: SourceLoc;
    related?: RelatedLoc[];
    severity?: Severity;
    /**
     * A fact of the hardware description (StreamIDs, segments): the finding stays at the
     * declaration even inside a written scenario, with the step as related location.
     */
    declaration?: boolean;
}

/**
 * Events a trace keeps. A scenario's trace grows with steps times functions (one PF enabling
 * 65,535 VFs adds each of them), so a huge platform or a step repeated thousands of times printed
 * tens of MB; the trace keeps its first MAX_TRACE_EVENTS events and counts the rest.
 */
export const MAX_TRACE_EVENTS = 10_000;

export class HvState {
    readonly input: HypervisorInput;
    readonly platform: Platform;
    readonly rules: ProfileRules;
    readonly fns = new Map<string, FnState>();
    readonly domains = new Map<string, DomainState>();
    readonly groups = new Map<number, string[]>();
    readonly trace: TraceEvent[] = [];
    /** Events past MAX_TRACE_EVENTS, counted and not kept. */
    traceLeftOut = 0;
    readonly findings: Finding[] = [];
    /** IOMMU table: `iommu/id` → the master that owns the entry and the domain it translates for. */
    readonly iommuTable = new Map<string, { master: string; domain: string }>();
    /**
     * Pairs of masters (`a|b`, sorted) reported as sharing an IOMMU ID across domains: that
     * finding names the cause, so the group split of the same pair is not reported again.
     */
    readonly idSharersReported = new Set<string>();

    /** The key of `idSharersReported` for two masters, in either order. */
    static sharerPair(a: string, b: string): string {
        return a < b ? `${a}|${b}` : `${b}|${a}`;
    }
    /** IOMMU contexts: domain → IOMMUs on which it has a context (SMMU context bank / VT-d domain). */
    readonly iommuContexts = new Map<string, Set<string>>();
    /** ITS device table: `its/DeviceID` → events mapped. */
    readonly itsDevices = new Map<string, { events: bigint; domain: string; devices: string[] }>();
    /** Functions named for passthrough anywhere (domains, VMs, steps, assignable): no dom0 driver. */
    readonly passthrough = new Set<string>();
    /** Host bridges Xen knows (registered by dom0 or probed by Xen itself), for the boot-order rule. */
    readonly registeredHostBridges = new Set<string>();
    readonly dom0Uses = new Map<string, SourceLoc>();
    /** Functions and platform devices Xen keeps, with where it is said. */
    readonly xenOwns = new Map<string, SourceLoc | undefined>();
    /** `assignable` VFs waiting for SR-IOV to create them. */
    readonly deferredAssignable = new Map<string, SourceLoc>();
    /** Arm host bridges Xen found no driver for (xen-host-drivers.ts): their devices are refused. */
    readonly xenUnknownHostBridges = new Set<string>();
    /** Non-PCI devices passed to a domain (platform-passthrough.ts): device → domain. */
    readonly platformPassedTo = new Map<string, string>();
    /** KVM host-driver bindings. */
    readonly hostDrivers = new Map<string, { driver: string; loc: SourceLoc }>();
    /** Indexes over the functions (platforms may have 100k of them). */
    private readonly bySlot = new Map<string, FnState[]>();
    private readonly byBus = new Map<string, FnState[]>();
    private readonly byPf = new Map<string, FnState[]>();
    private readonly byDeviceId = new Map<string, FnState[]>();
    /** Findings already reported (code + key), so a rule fires once per pair. */
    private readonly reported = new Set<string>();
    booted = false;
    nextDomid = 1;
    /** VMID 1 is dom0's; Xen reserves 0 (xen/arch/arm/p2m.c). */
    nextVmid = 2;
    ctx: StepContext = { step: 0, kind: 'boot', explicit: false };

    constructor(input: HypervisorInput) {
        this.input = input;
        this.platform = input.platform;
        this.rules = profileRules(input.profile);
        for (const fn of input.functions) {
            this.fns.set(fn.name, {
                fn,
                present: !fn.isVf && fn.invisible === undefined,
                added: false,
                owner: 'none',
                iommuIds: [],
                bars: new Map(fn.bars.map((b) => [b.index, b.address])),
                vfsEnabled: 0,
                decoding: false,
            });
        }
        for (const g of input.groups) this.groups.set(g.id, [...g.members]);
        const push = (map: Map<string, FnState[]>, key: string, f: FnState) => {
            const list = map.get(key);
            if (list) list.push(f);
            else map.set(key, [f]);
        };
        for (const f of this.fns.values()) {
            const { segment, bus, devfn } = f.fn;
            push(this.byBus, `${segment}:${bus}`, f);
            if (!f.fn.isVf && f.fn.invisible === undefined) push(this.bySlot, `${segment}:${bus}:${devfn >> 3n}`, f);
            if (f.fn.pf !== undefined) push(this.byPf, f.fn.pf, f);
            for (const d of f.fn.deviceIds) push(this.byDeviceId, `${d.its}/${d.id}`, f);
        }
        for (const list of this.byPf.values()) list.sort((a, b) => (a.fn.vfIndex ?? 0) - (b.fn.vfIndex ?? 0));
    }

    /** Functions on the same bus of the same segment (itself included). */
    onBus(segment: bigint, bus: bigint): FnState[] {
        return this.byBus.get(`${segment}:${bus}`) ?? [];
    }

    /** Functions whose MSIs carry this ITS DeviceID. */
    withDeviceId(its: string, id: bigint): FnState[] {
        return this.byDeviceId.get(`${its}/${id}`) ?? [];
    }

    fn(name: string): FnState | undefined {
        return this.fns.get(name);
    }

    get profile() {
        return this.rules.profile;
    }

    emit(event: string, args: Record<string, string | undefined> = {}): void {
        if (this.trace.length >= MAX_TRACE_EVENTS) {
            this.traceLeftOut++;
            return;
        }
        const clean: Record<string, string> = {};
        for (const [k, v] of Object.entries(args)) if (v !== undefined) clean[k] = v;
        this.trace.push({ step: this.ctx.step, stepKind: this.ctx.kind, event, args: clean, loc: this.ctx.loc });
    }

    /** Report once per `key` (when given). */
    report(code: FindingCode, message: string, options: ReportOptions = {}, key?: string): void {
        if (key !== undefined) {
            const k = `${code}|${key}`;
            if (this.reported.has(k)) return;
            this.reported.add(k);
        }
        const related: RelatedLoc[] = [...(options.related ?? [])];
        let loc: SourceLoc | undefined;
        if (options.declaration || !this.ctx.explicit) {
            loc = options.at ?? this.ctx.loc;
            if (this.ctx.explicit && this.ctx.loc && options.at) related.push({ loc: this.ctx.loc, message: `step ${this.ctx.step} (${this.ctx.kind})` });
        } else {
            loc = this.ctx.loc ?? options.at;
            if (options.at && options.at !== loc) related.unshift({ loc: options.at, message: 'configured here' });
        }
        const f = finding(code, message, loc, related, options.severity);
        if (this.ctx.explicit) f.step = this.ctx.step;
        this.findings.push(f);
    }

    domainOf(owner: Owner): DomainState | undefined {
        return this.domains.get(owner);
    }

    /** Functions of the group of `name`, other than itself. */
    groupPeers(name: string): FnState[] {
        const f = this.fns.get(name);
        if (f?.fn.group === undefined) return [];
        return (this.groups.get(f.fn.group) ?? []).filter((m) => m !== name).flatMap((m) => this.fns.get(m) ?? []);
    }

    /** Visible non-VF functions in the same slot (multi-function siblings), other than itself. */
    slotSiblings(name: string): FnState[] {
        const f = this.fns.get(name);
        if (!f || f.fn.isVf) return [];
        const { segment, bus, devfn } = f.fn;
        return (this.bySlot.get(`${segment}:${bus}:${devfn >> 3n}`) ?? []).filter((o) => o !== f);
    }

    /** Where `device` was configured for `domain` (the assignment or step), else the declaration. */
    entryLoc(domain: string, device: string): SourceLoc {
        const d = this.domains.get(domain);
        return d?.attached.get(device)?.entry.loc ?? d?.config.find((e) => e.device === device)?.loc ?? this.fns.get(device)!.fn.loc;
    }

    /**
     * `name` as `PF.vf[i]` of a PF whose SR-IOV enable Linux refused (no VF of it is built),
     * with i below the NumVFs asked: the VF never exists, for the PF's reason.
     */
    refusedVf(name: string): { pf: FnState; reason: string } | undefined {
        const m = /^(.+)\.vf\[(\d+)\]$/.exec(name);
        const pf = m ? this.fns.get(m[1]!) : undefined;
        const refusal = pf?.fn.vfRefusal;
        if (!pf || !refusal || BigInt(m![2]!) >= refusal.numVfs || BigInt(m![2]!) >= 0xffffn) return undefined;
        return { pf, reason: refusal.reason };
    }

    /** Functions whose PF is `pf`, by VF index. */
    vfsOf(pf: string): FnState[] {
        return this.byPf.get(pf) ?? [];
    }
}

/** `nic0`, or `nic0.vf[2]` as the fabric names VFs. */
export function refName(ref: { function: string; vf?: bigint }): string {
    return ref.vf === undefined ? ref.function : `${ref.function}.vf[${ref.vf}]`;
}

/** Display name of an owner: `guest1 (domid 1)`. */
export function ownerText(state: HvState, owner: Owner): string {
    const d = state.domains.get(owner);
    if (d?.domid !== undefined) return `${owner} (domid ${d.domid})`;
    return owner;
}
