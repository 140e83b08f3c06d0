// Bus numbers as Linux assigns them, depth-first from the host bridge's bus-range start
// (linux:drivers/pci/probe.c pci_scan_child_bus_extend and pci_scan_bridge_extend, Linux 6.1;
// DOMAIN.md B.5.2, B.7.3, B.12 #6).
//
// Per bus: scan the slots, reserve the buses SR-IOV VFs of PFs on it may use (pci_iov_bus_range),
// then two passes over the bridges found, in devfn order. Pass 0 keeps bridges whose numbers
// firmware wrote (here: `secondary` and `subordinate` written) and scans below them; pass 1
// gives every other bridge the next free bus (max + 1) as secondary, scans below it, and sets
// its subordinate to the highest bus found there. A secondary written alone, or implied by a
// child's absolute `BB:DD.F`, is kept as a fixed secondary in pass 1 (the way Linux uses the
// fixed numbers of an Enhanced Allocation capability); a subordinate written alone is kept as a
// fixed subordinate. Hot-plug bridges get no extra buses unless a firmware-configured bridge
// above leaves spare ones (pci_hotplug_bus_size defaults to 1; oracle README note 6).
import type { HostBridge, LinuxOptions } from '../model/platform.js';
import { isBridge } from '../model/platform.js';
import { busBound } from '../util/arith.js';
import type { SourceLoc } from '../model/source.js';
import { finding, type Finding } from '../findings/finding.js';
import { isPcie } from './ari.js';
import { hex, label } from './pci-text.js';
import { scanSlots } from './slot-scan.js';
import { maxVfBus, sriovInitRefusal } from './sriov.js';
import type { FabricFunction } from './topology.js';
import { hideBelow } from './visibility.js';

/** How a bridge's numbers were decided; read by the range checks. */
export interface BridgePlan {
    /** Pass 0: both numbers written and sensible (firmware-configured). */
    firmware?: { secondary: bigint; subordinate: bigint };
    /** Pass 1 with a secondary given by the description (written alone, or by a child's address). */
    fixedSecondary?: { bus: bigint; loc: SourceLoc; what: string };
    fixedSubordinate?: bigint;
    /** A PCIe port with a hot-plug slot (is_hotplug_bridge). */
    hotplug: boolean;
    /** Linux found no free bus for it (PCI-BUS-EXHAUSTED reported). */
    exhausted?: boolean;
    /** Its secondary bus lies beyond what the bridges above forward (range checks report it). */
    unreachable?: boolean;
    /** The highest bus the bridges above forward to the bus it sits on. */
    parentLimit: BusLimit;
}

/** The highest bus number usable on a bus (busn_res.end) and what sets it, for messages. */
export interface BusLimit {
    end: bigint;
    /** `host`: the host bridge's bus-range; `bridge`: the subordinate bus of a bridge above. */
    kind: 'host' | 'bridge';
    what: string;
    loc: SourceLoc;
    /** The bridge whose subordinate sets it; undefined for the host bridge's bus-range. */
    setBy?: FabricFunction;
}

interface Bus {
    number: bigint;
    limit: BusLimit;
    self?: FabricFunction;
    /** Declared functions on this bus, in declaration order. */
    functions: readonly FabricFunction[];
}

/** Default `pci=hpbussize` (DEFAULT_HOTPLUG_BUS_SIZE). */
const HOTPLUG_BUS_SIZE = 1n;

/** Sets bus, devfn, visibility and bridge bus numbers below one host bridge. */
export function numberBuses(hostBridge: HostBridge, segment: bigint, root: readonly FabricFunction[], linux: LinuxOptions, findings: Finding[], plans: Map<FabricFunction, BridgePlan>): void {
    const numbering = new BusNumbering(hostBridge, segment, linux, findings, plans);
    numbering.scanChildBus(
        { number: busBound(hostBridge.busStart, 'start'), limit: { end: busBound(hostBridge.busEnd, 'end'), kind: 'host', what: `the end of host bridge ${hostBridge.name}'s bus-range`, loc: hostBridge.loc }, functions: root },
        0n,
    );
}

class BusNumbering {
    constructor(
        private readonly hostBridge: HostBridge,
        private readonly segment: bigint,
        private readonly linux: LinuxOptions,
        private readonly findings: Finding[],
        private readonly plans: Map<FabricFunction, BridgePlan>,
    ) {}

    /** pci_scan_child_bus_extend: returns the highest bus number used at or below `bus`. */
    scanChildBus(bus: Bus, available: bigint): bigint {
        const start = bus.number;
        let max = start;
        for (const f of bus.functions) this.placeOnBus(f, bus);
        const found = scanSlots({ number: bus.number, segment: this.segment, hostBridge: this.hostBridge, self: bus.self }, bus.functions, this.linux.pcieScanAll, this.findings);
        for (const f of bus.functions) if (f.invisible !== undefined) hideBelow(f, `it is below ${f.name}, which Linux does not find`);
        // The language reports functions nested in a non-bridge (PCI-PLACEMENT); nothing routes to them.
        for (const f of found) if (!isBridge(f.decl.kind) && f.downstream.length > 0) hideBelow(f, `it is below ${f.name}, which is not a bridge`);

        // Reserve buses for SR-IOV (pci_iov_bus_range): VFs of PFs on this bus may use buses
        // above it, so bridges here are numbered after them.
        let used = iovBusRange(found, bus.number);
        max += used;

        const bridges = found.filter((f) => isBridge(f.decl.kind));
        const plans = bridges.map((b) => this.plan(b, bus));
        const hotplugBridges = BigInt(plans.filter((p) => p.hotplug).length);
        const normalBridges = BigInt(plans.length) - hotplugBridges;

        // Pass 0: bridges firmware configured. Reserve one bus per bridge now so hot-plug
        // bridges are not extended too much in pass 1.
        bridges.forEach((b, i) => {
            const cmax = max;
            max = this.scanBridge(bus, b, plans[i]!, max, 0n, 0);
            used += 1n;
            if (max - cmax > 1n) used += max - cmax - 1n;
        });
        // Pass 1: bridges that need numbers.
        bridges.forEach((b, i) => {
            let buses = 0n;
            if (hotplugBridges === 0n && normalBridges === 1n) {
                // The only bridge here (an upstream port) gets every available bus to pass on.
                buses = available;
            } else if (plans[i]!.hotplug) {
                buses = available / hotplugBridges;
                // min(buses, available - used + 1) in unsigned arithmetic: a negative room wraps.
                const room = available - used + 1n;
                if (room >= 0n && room < buses) buses = room;
            }
            const cmax = max;
            max = this.scanBridge(bus, b, plans[i]!, cmax, buses, 1);
            if (max - cmax > 1n) used += max - cmax - 1n;
        });

        // A hot-plug bridge keeps at least pci_hotplug_bus_size - 1 extra buses, and grows into
        // the buses available to it.
        if (bus.self && this.plans.get(bus.self)?.hotplug) {
            const want = available > HOTPLUG_BUS_SIZE - 1n ? available : HOTPLUG_BUS_SIZE - 1n;
            if (max - start < want) {
                max = start + want;
                if (max > bus.limit.end) max = bus.limit.end;
            }
        }
        return max;
    }

    /** pci_scan_bridge_extend for one pass. */
    private scanBridge(bus: Bus, b: FabricFunction, plan: BridgePlan, max: bigint, available: bigint, pass: 0 | 1): bigint {
        if (plan.firmware) {
            if (pass === 1) return max;
            const { secondary, subordinate } = plan.firmware;
            b.secondary = secondary;
            b.subordinate = subordinate;
            if (secondary > bus.limit.end) {
                plan.unreachable = true;
                hideBelow(b, `its bus ${hex(secondary, 2)} is beyond ${hex(bus.limit.end, 2)}, ${bus.limit.what}`);
            } else {
                const limit = subordinate <= bus.limit.end ? { end: subordinate, kind: 'bridge' as const, what: `the subordinate bus of ${label(b)}`, loc: b.decl.busNumbersLoc ?? b.loc, setBy: b } : bus.limit;
                this.scanChildBus({ number: secondary, limit, self: b, functions: b.downstream }, subordinate - secondary);
            }
            return subordinate > max ? subordinate : max;
        }
        if (pass === 0) return max;

        const next = plan.fixedSecondary?.bus ?? max + 1n;
        b.secondary = next;
        if (next > bus.limit.end) {
            b.subordinate = plan.fixedSubordinate ?? next;
            hideBelow(b, `its bus ${hex(next, 2)} is beyond ${hex(bus.limit.end, 2)}, ${bus.limit.what}`);
            if (plan.fixedSecondary) {
                plan.unreachable = true;
                return max;
            }
            // Linux 6.1 numbers the bus anyway: pci_bus_insert_busn_res only logs "busn_res: can
            // not insert", the scan below finds nothing (config cycles there reach no device), and
            // max still counts, so each later bridge gets the next number past the range.
            plan.exhausted = true;
            const two = (v: bigint) => v.toString(16).padStart(2, '0');
            this.findings.push(
                finding(
                    'PCI-BUS-EXHAUSTED',
                    `Linux has no bus number left for ${label(b)}: it numbers its secondary bus ${hex(next, 2)} anyway, past ${hex(bus.limit.end, 2)}, ${bus.limit.what} (the kernel logs "busn_res: can not insert [bus ${two(next)}-${two(bus.limit.end)}] under [bus ${two(bus.number)}-${two(bus.limit.end)}]"), and finds nothing there, so the devices behind ${b.name} are unusable.`,
                    b.loc,
                    [{ loc: bus.limit.loc, message: `${bus.limit.what} is ${hex(bus.limit.end, 2)}` }],
                ),
            );
            const end = plan.fixedSubordinate ?? next;
            return end > max ? end : max;
        }
        if (available > 0n) available -= 1n;
        const limit =
            plan.fixedSubordinate !== undefined && plan.fixedSubordinate < bus.limit.end
                ? { end: plan.fixedSubordinate, kind: 'bridge' as const, what: `the written subordinate bus of ${label(b)}`, loc: b.decl.busNumbersLoc ?? b.loc, setBy: b }
                : bus.limit;
        let cmax = this.scanChildBus({ number: next, limit, self: b, functions: b.downstream }, available);
        if (plan.fixedSubordinate !== undefined) cmax = plan.fixedSubordinate;
        b.subordinate = cmax;
        return cmax > max + 1n ? cmax : max + 1n;
    }

    /** What the description says about a bridge's numbers (B.12 #6 for impossible ones). */
    private plan(b: FabricFunction, bus: Bus): BridgePlan {
        const plan: BridgePlan = { hotplug: isHotplugBridge(b), parentLimit: bus.limit };
        this.plans.set(b, plan);
        // `linux { assign-busses }` (pcibios_assign_all_busses): firmware numbers are ignored.
        if (this.linux.assignBusses) return plan;
        const { secondary, subordinate } = b.decl;
        const at = b.decl.busNumbersLoc ?? b.loc;
        // Linux renumbers a bridge whose numbers make no sense ("bridge configuration invalid").
        // PCI-BRIDGE-BUSES (language) reports what the text alone shows; only the cases that
        // need the bus Linux puts the bridge on are reported here.
        if (secondary !== undefined && subordinate !== undefined && secondary > subordinate) return plan;
        if (secondary !== undefined && secondary <= bus.number) {
            const known = busKnownFromText(b, bus, this.hostBridge);
            if (known === undefined || secondary > known) {
                this.invalid(b, `secondary bus ${hex(secondary, 2)} is not above bus ${hex(bus.number, 2)}, the bus Linux puts it on`, at);
            }
            return plan;
        }
        if (secondary !== undefined && subordinate !== undefined) {
            plan.firmware = { secondary, subordinate };
            return plan;
        }
        plan.fixedSubordinate = subordinate;
        if (secondary !== undefined) {
            plan.fixedSecondary = { bus: secondary, loc: at, what: `written \`secondary ${hex(secondary, 2)}\`` };
            return plan;
        }
        // A child written as `BB:DD.F` says which bus the bridge forwards to it.
        const child = b.downstream.find((c) => c.decl.address.bus !== undefined);
        if (child) {
            const implied = child.decl.address.bus!;
            if (implied <= bus.number) {
                this.findings.push(
                    finding(
                        'PCI-BUS-NUMBERS-INVALID',
                        `${label(child)} is written on bus ${hex(implied, 2)}, which would make it the secondary bus of ${label(b)}, but a secondary bus must be above bus ${hex(bus.number, 2)}, the bus ${b.name} sits on; Linux numbers ${b.name} itself.`,
                        child.decl.address.loc,
                        [{ loc: b.loc, message: `${label(b)} sits on bus ${hex(bus.number, 2)}` }],
                    ),
                );
                return plan;
            }
            plan.fixedSecondary = { bus: implied, loc: child.decl.address.loc, what: `set by ${child.name}'s address` };
        }
        return plan;
    }

    private invalid(b: FabricFunction, problem: string, at: SourceLoc): void {
        this.findings.push(
            finding(
                'PCI-BUS-NUMBERS-INVALID',
                `${label(b)}'s ${problem}: Linux treats the bridge configuration as invalid and renumbers it.`,
                at,
                [{ loc: b.loc, message: `${label(b)}` }],
            ),
        );
    }

    /**
     * Every declared function on a bus takes its number. PCI-ADDRESS-BUS and PCI-ADDRESS-SEGMENT
     * (language) report written buses and segments the text contradicts; here only what Linux's
     * numbering adds: a segment Linux allocates, and buses it renumbers (`assign-busses`).
     */
    private placeOnBus(f: FabricFunction, bus: Bus): void {
        f.bus = bus.number;
        const { address } = f.decl;
        if (address.segment !== undefined && address.segment !== this.segment && this.hostBridge.segment === undefined) {
            this.findings.push(
                finding(
                    'PCI-SEGMENT-MISMATCH',
                    `${label(f)} is written in segment ${hex(address.segment, 4)}, but its host bridge ${this.hostBridge.name} has no \`segment\` and is allocated segment ${hex(this.segment, 4)}.`,
                    address.loc,
                    [{ loc: this.hostBridge.nameLoc, message: `host bridge ${this.hostBridge.name} is segment ${hex(this.segment, 4)}` }],
                ),
            );
        }
        if (!this.linux.assignBusses || !bus.self || address.bus === undefined || address.bus === bus.number) return;
        const bridge = bus.self;
        this.findings.push(
            finding(
                'PCI-BUS-RENUMBERED',
                `${label(f)} is written on bus ${hex(address.bus, 2)}, but Linux numbers the buses itself (\`linux { assign-busses }\`) and puts it on bus ${hex(bus.number, 2)}, the secondary bus of ${label(bridge)}.`,
                address.loc,
                [{ loc: bridge.loc, message: `${label(bridge)}: secondary bus ${hex(bus.number, 2)}` }],
            ),
        );
    }
}

/**
 * The bus a bridge sits on as far as the text alone tells (what the language checks compare
 * with): its written address, its parent's written secondary (the bus-range start on the root
 * bus), else the first bus a sibling writes inside the bus-range.
 */
export function busKnownFromText(b: FabricFunction, bus: { self?: FabricFunction; functions: readonly FabricFunction[] }, hostBridge: HostBridge): bigint | undefined {
    const own = b.decl.address.bus ?? (bus.self ? bus.self.decl.secondary : hostBridge.busStart);
    if (own !== undefined) return own;
    for (const sibling of bus.functions) {
        const written = sibling.decl.address.bus;
        if (written !== undefined && written >= hostBridge.busStart && written <= hostBridge.busEnd) return written;
    }
    return undefined;
}

/** set_pcie_hotplug_bridge: a PCIe port whose slot is hot-plug capable. */
function isHotplugBridge(b: FabricFunction): boolean {
    return (b.decl.kind === 'root-port' || b.decl.kind === 'downstream-port') && b.decl.slot?.hotplug === true;
}

/** sriov_init accepts Endpoints and RC integrated endpoints only, and only PCIe ones. */
export function canBePf(f: FabricFunction): boolean {
    return !f.isVf && isPcie(f) && (f.decl.kind === 'endpoint' || f.decl.kind === 'rc-endpoint') && f.decl.sriov !== undefined;
}

/** pci_iov_bus_range: how many buses above `busNumber` the VFs of PFs on it may take. */
function iovBusRange(found: readonly FabricFunction[], busNumber: bigint): bigint {
    let highest = busNumber;
    for (const f of found) {
        if (!canBePf(f) || sriovInitRefusal(f.decl.sriov!) !== undefined) continue;
        const last = maxVfBus(f.bus, f.devfn, f.decl.sriov!);
        if (last > highest) highest = last;
    }
    return highest - busNumber;
}
