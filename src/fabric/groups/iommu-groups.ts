// IOMMU groups as Linux forms them: devices handed to the IOMMU driver in probe order
// (probe-order.ts), the SMMU's StreamID checks (streamid-sharing.ts), then pci_device_group
// (linux:drivers/iommu/iommu.c; DOMAIN.md B.2.1) with the ACS rules of acs.ts.
import { DmarScopes } from '../ids/dmar-scope.js';
import { finding, type Finding } from '../../findings/finding.js';
import type { Platform } from '../../model/platform.js';
import { bridgesAbove, dmaAliasDevfns } from '../ids/dma-aliases.js';
import { who } from '../ids/id-findings.js';
import { hex, isMultifunction } from '../ids/pcie-type.js';
import type { IdsResult } from '../ids/types.js';
import type { FabricFunction, Topology } from '../topology.js';
import type { AcsQuirkAnswer } from '../quirks/acs-quirks.js';
import { AcsRules, acsMode, type AcsMode } from './acs.js';
import { addOrder, defaultProbeOrder, probeOrder, type ProbeOrder } from './probe-order.js';
import { SmmuStreams, type SmmuProbe } from './streamid-sharing.js';
import { typeZeroRootPortFindings } from './type0-root-port.js';

export interface IommuGroup {
    /** Linux's group number: groups are numbered in the order they are created. */
    id: number;
    /** Members in the order they joined. */
    members: FabricFunction[];
}

export interface GroupOptions {
    /** Overrides the platform's ACS mode (acs.ts acsMode). */
    acs?: AcsMode;
    /** `boot`, `rescan` or `bus` (probe-order.ts); default: the platform's path (defaultProbeOrder). */
    order?: ProbeOrder;
}

/** Why a function has no group. */
export type NoGroup =
    | { reason: 'no-iommu' }
    /** On a platform whose DRHDs list device scopes: none covers it, and no INCLUDE_PCI_ALL unit has its host bridge (dmar-scope.ts). */
    | { reason: 'outside-dmar-scope'; units: string[] }
    /** `outside-iommu`: outside every DMAR device scope / IVRS entry (a VF follows its PF, as Linux's DMAR lookup uses pci_physfn). */
    | { reason: 'outside-iommu' }
    /** The AMD IOMMU's own PCI function: init_iommu_one clears its rlookup entry ("the IVRS table tells us so, but this is a lie"). */
    | { reason: 'iommu-itself'; iommu: string }
    | { reason: 'refused'; probe: Exclude<SmmuProbe, { ok: true }> } | { reason: 'conflict'; groups: [number, number] };

export interface GroupsResult {
    acs: AcsMode;
    order: ProbeOrder;
    groups: IommuGroup[];
    /** Every enumerated function: its group, or null. */
    groupOf: Map<FabricFunction, IommuGroup | null>;
    noGroup: Map<FabricFunction, NoGroup>;
    /** Answers of Linux's pci_dev_acs_enabled[] table, for every function a row answers for. */
    acsQuirks: Map<FabricFunction, AcsQuirkAnswer>;
    /** Functions whose group was decided by reading the ACS of `acs unknown` functions, and which ones. */
    acsUnknown: Map<FabricFunction, FabricFunction[]>;
    findings: Finding[];
}

/**
 * Functions of one bus: Linux's `tmp->bus == pdev->bus` tests, answered from maps keyed by a
 * small bus number (per host bridge and bus) and devfn, so no lookup scans other functions.
 */
class BusIndex {
    private readonly busIdOf = new Map<FabricFunction, number>();
    private readonly atDevfn = new Map<number, FabricFunction>();
    private readonly aliasedBy = new Map<number, FabricFunction[]>();
    private readonly inSlot = new Map<number, FabricFunction[]>();
    /** dma_alias_mask devfns, for the functions that have any. */
    private readonly masks = new Map<FabricFunction, bigint[]>();

    constructor(readonly addIndex: ReadonlyMap<FabricFunction, number>) {
        const busIds = new Map<object, Map<bigint, number>>();
        let nextBus = 0;
        // addIndex keys are in add order, so every list below is in for_each_pci_dev order.
        for (const f of addIndex.keys()) {
            let buses = busIds.get(f.hostBridge);
            if (!buses) busIds.set(f.hostBridge, (buses = new Map()));
            let bus = buses.get(f.bus);
            if (bus === undefined) buses.set(f.bus, (bus = nextBus++));
            this.busIdOf.set(f, bus);
            const devfn = Number(f.devfn);
            this.atDevfn.set(bus * 256 + devfn, f);
            push(this.inSlot, bus * 32 + (devfn >> 3), f);
            const mask = dmaAliasDevfns(f);
            if (mask.length === 0) continue;
            this.masks.set(f, mask);
            for (const d of mask) push(this.aliasedBy, bus * 256 + Number(d), f);
        }
    }

    /** Same-bus devices for which pci_devs_are_dma_aliases(pdev, tmp) holds, in add order. */
    dmaAliasPartners(pdev: FabricFunction): FabricFunction[] {
        const bus = this.busIdOf.get(pdev)!;
        const mask = this.masks.get(pdev);
        const by = this.aliasedBy.get(bus * 256 + Number(pdev.devfn));
        if (!mask && !by) return [];
        const found = new Set<FabricFunction>(by);
        for (const devfn of mask ?? []) {
            const tmp = this.atDevfn.get(bus * 256 + Number(devfn));
            if (tmp) found.add(tmp);
        }
        found.delete(pdev);
        return [...found].sort((a, b) => this.addIndex.get(a)! - this.addIndex.get(b)!);
    }

    /** Other functions in pdev's slot (PCI_SLOT(devfn) on the same bus), in add order. */
    slotSiblings(pdev: FabricFunction): FabricFunction[] {
        const bus = this.busIdOf.get(pdev)!;
        return (this.inSlot.get(bus * 32 + Number(pdev.devfn >> 3n)) ?? []).filter((f) => f !== pdev);
    }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
}

class Grouping {
    readonly groups: IommuGroup[] = [];
    private readonly groupOf = new Map<FabricFunction, IommuGroup>();

    constructor(
        private readonly acs: AcsRules,
        private readonly buses: BusIndex,
        private readonly aliasesOf: (f: FabricFunction) => readonly { via: FabricFunction }[],
    ) {}

    group(f: FabricFunction): IommuGroup | undefined {
        return this.groupOf.get(f);
    }

    join(f: FabricFunction, group: IommuGroup): void {
        group.members.push(f);
        this.groupOf.set(f, group);
    }

    allocate(): IommuGroup {
        const group: IommuGroup = { id: this.groups.length, members: [] };
        this.groups.push(group);
        return group;
    }

    /** pci_device_group: an existing group to join, or undefined for iommu_group_alloc(). */
    pciDeviceGroup(dev: FabricFunction): IommuGroup | undefined {
        // a. The alias walk (get_pci_alias_or_group): every reported device is checked for a
        //    group; pdev ends as the last one reported (the topmost aliasing bridge).
        let pdev = dev;
        for (const alias of this.aliasesOf(dev)) {
            pdev = alias.via;
            const g = this.group(pdev);
            if (g) return g;
        }
        // b. Continue upstream while the path to the root is not ACS-isolated: the candidate
        //    becomes each such bridge, whose group is taken if it has one.
        for (const bridge of bridgesAbove(pdev)) {
            if (this.acs.acsPathEnabled(bridge)) break;
            pdev = bridge;
            const g = this.group(pdev);
            if (g) return g;
        }
        // c./d. Same-bus DMA aliases of the candidate, then non-isolated functions of its slot.
        const devfns = new Set<bigint>();
        return this.pciAliasGroup(pdev, devfns) ?? this.pciFunctionAliasGroup(pdev, devfns);
    }

    /** get_pci_alias_group: pdev's group, else recursively that of a same-bus DMA alias (either direction). */
    private pciAliasGroup(pdev: FabricFunction, devfns: Set<bigint>): IommuGroup | undefined {
        // The bitmap is keyed by devfn alone; every device reached here is on pdev's bus.
        if (devfns.has(pdev.devfn)) return undefined;
        devfns.add(pdev.devfn);
        const own = this.group(pdev);
        if (own) return own;
        for (const tmp of this.buses.dmaAliasPartners(pdev)) {
            const g = this.pciAliasGroup(tmp, devfns) ?? this.pciFunctionAliasGroup(tmp, devfns);
            if (g) return g;
        }
        return undefined;
    }

    /** get_pci_function_alias_group: a multi-function pdev without ACS shares with slot siblings without ACS. */
    private pciFunctionAliasGroup(pdev: FabricFunction, devfns: Set<bigint>): IommuGroup | undefined {
        if (!isMultifunction(pdev) || this.acs.acsEnabled(pdev)) return undefined;
        for (const tmp of this.buses.slotSiblings(pdev)) {
            if (this.acs.acsEnabled(tmp)) continue;
            const g = this.pciAliasGroup(tmp, devfns);
            if (g) return g;
        }
        return undefined;
    }
}

/**
 * Linux's IOMMU groups for the topology. Every enumerated function is assumed to be bound to a
 * driver (the oracle binds pci-stub to the rest), since Linux 6.1 on device tree sets up a
 * device's IOMMU only when a driver probes it.
 */
export function computeGroups(topology: Topology, platform: Platform, ids: IdsResult, options: GroupOptions = {}): GroupsResult {
    const mode = options.acs ?? acsMode(platform);
    const order = options.order ?? defaultProbeOrder(platform);
    const added = addOrder(topology);
    const probe = probeOrder(added, order);
    // for_each_pci_dev walks devices in add order, whatever the probe order.
    const addIndex = new Map<FabricFunction, number>();
    added.forEach((f, i) => addIndex.set(f, i));
    const acs = new AcsRules(mode, platform);
    const grouping = new Grouping(acs, new BusIndex(addIndex), (f) => ids.byFunction.get(f)?.aliases ?? []);
    const smmu = new SmmuStreams(platform);

    const groupOf = new Map<FabricFunction, IommuGroup | null>();
    const noGroup = new Map<FabricFunction, NoGroup>();
    const acsUnknown = new Map<FabricFunction, FabricFunction[]>();
    const dmar = new DmarScopes(platform);
    const scopedUnits = platform.x86Iommus.filter((u) => (u.deviceScope?.length ?? 0) > 0).map((u) => u.name);
    const amdIommus = new Set(platform.x86Iommus.filter((i) => i.kind === 'amd-vi').map((i) => i.name));
    const findings: Finding[] = [];
    for (const f of probe) {
        const fIds = ids.byFunction.get(f);
        if (!fIds?.iommu) {
            noGroup.set(f, dmar.hasDeviceScopes ? { reason: 'outside-dmar-scope', units: scopedUnits } : { reason: 'no-iommu' });
            continue;
        }
        if ((f.isVf ? f.pf?.decl : f.decl)?.outsideIommu) {
            noGroup.set(f, { reason: 'outside-iommu' });
            continue;
        }
        if (amdIommus.has(fIds.iommu) && isAmdIommuFunction(f)) {
            noGroup.set(f, { reason: 'iommu-itself', iommu: fIds.iommu });
            continue;
        }
        const probed = smmu.probe(fIds);
        if (!probed.ok) {
            noGroup.set(f, { reason: 'refused', probe: probed });
            if (probed.reason === 'shared') findings.push(sharedStreamIdFinding(f, fIds.iommu, probed.sid, probed.owner, ids));
            continue;
        }
        const v2 = smmu.v2Group(fIds);
        if (v2?.kind === 'conflict') {
            noGroup.set(f, { reason: 'conflict', groups: v2.groups });
            findings.push(
                finding(
                    'SMMU-STREAM-MATCH-CONFLICT',
                    `${who(f)}: its StreamIDs on ${fIds.iommu} hit stream-map entries of two IOMMU groups (${v2.groups[0]} and ${v2.groups[1]}): the SMMUv2 driver cannot put one device in two groups and fails its probe (-EINVAL), so it gets no IOMMU group.`,
                    f.loc,
                    grouping.groups[v2.groups[1]]?.members[0] ? [{ loc: grouping.groups[v2.groups[1]]!.members[0]!.loc, message: `a member of group ${v2.groups[1]}` }] : [],
                ),
            );
            continue;
        }
        let group = v2?.kind === 'join' ? grouping.groups[v2.group] : undefined;
        const fromPci = group === undefined;
        if (group === undefined) {
            const decided = acs.collectUnknown(() => grouping.pciDeviceGroup(f));
            if (decided.unknown.length > 0) acsUnknown.set(f, decided.unknown);
            group = decided.result ?? grouping.allocate();
        }
        grouping.join(f, group);
        smmu.v2Commit(fIds, group.id, fromPci);
    }
    findings.push(...acsUnknownFindings(acsUnknown));
    findings.push(...typeZeroRootPortFindings(addIndex.keys(), (f) => grouping.group(f), acs));
    const acsQuirks = new Map<FabricFunction, AcsQuirkAnswer>();
    for (const f of addIndex.keys()) {
        groupOf.set(f, grouping.group(f) ?? null);
        const answer = acs.tableAnswer(f);
        if (answer) acsQuirks.set(f, answer);
    }
    return { acs: mode, order, groups: grouping.groups, groupOf, noGroup, acsQuirks, acsUnknown, findings };
}

/** B.12 #30: the SMMUv3 driver refuses a second master for a StreamID (oracle note 2). */
function sharedStreamIdFinding(f: FabricFunction, smmu: string, sid: bigint, owner: FabricFunction, ids: IdsResult): Finding {
    const alias = ids.byFunction.get(f)?.translation?.lookups.find((l) => l.id === sid)?.alias;
    const why = alias?.kind === 'bridge' ? ` (the DMA alias ${hex(alias.rid)} of bridge ${who(alias.via)}: functions behind one aliasing bridge share it)` : '';
    return finding(
        'SMMU-STREAM-ID-SHARED',
        `${who(f)}: StreamID ${hex(sid)} on ${smmu}${why} already belongs to ${who(owner)}, probed first: the SMMUv3 driver refuses a second master for one StreamID ("stream ${sid} already in tree"), so ${f.name} gets no IOMMU and no IOMMU group. Xen does not detect the clash; the last device assigned takes the StreamID.`,
        f.loc,
        [{ loc: owner.loc, message: `${who(owner)} holds StreamID ${hex(sid)}` }],
    );
}

/** The AMD IOMMU's own function: an AMD (0x1022) function of class 0x0806 (system peripheral, IOMMU). */
function isAmdIommuFunction(f: FabricFunction): boolean {
    return !f.isVf && f.decl.vendor === 0x1022n && f.decl.classCode !== undefined && f.decl.classCode >> 8n === 0x0806n;
}

/** One GROUP-ACS-UNKNOWN per `acs unknown` function whose ACS decided groups, naming the functions it decided. */
function acsUnknownFindings(acsUnknown: ReadonlyMap<FabricFunction, readonly FabricFunction[]>): Finding[] {
    const dependents = new Map<FabricFunction, FabricFunction[]>();
    for (const [f, unknown] of acsUnknown) for (const u of unknown) push(dependents, u, f);
    const out: Finding[] = [];
    for (const [u, fs] of dependents) {
        const listed = fs.slice(0, 8).map((f) => f.name).join(', ') + (fs.length > 8 ? ` and ${fs.length - 8} more` : '');
        out.push(
            finding(
                'GROUP-ACS-UNKNOWN',
                `The IOMMU group${fs.length > 1 ? 's' : ''} of ${listed} depend${fs.length > 1 ? '' : 's'} on the ACS of ${who(u)}, which the description does not give (\`acs unknown\`): computed as if ${u.name} had no ACS capability; with ACS there the group${fs.length > 1 ? 's' : ''} may be smaller.`,
                u.decl.acs?.loc ?? u.loc,
                fs.slice(0, 8).map((f) => ({ loc: f.loc, message: `${f.name}'s group depends on it` })),
            ),
        );
    }
    return out;
}
