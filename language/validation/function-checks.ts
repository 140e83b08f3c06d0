// PCI function checks: address ranges (device, function/ARI, bus, segment), placement of each kind in the topology, duplicate addresses, multi-function rules, properties that do not apply to a kind, properties given twice.
// Also the numbers a function writes about itself: ID registers, slot number, ARI next function,
// a bridge's written bus numbers and windows.
//
// Sources are cited by DOMAIN.md section ("DOMAIN 5.2.1") and by validator check ("B.12 #6").
// Only what the description itself says is checked here; what enumeration computes (bus numbers,
// window placement) is the fabric's.
import { AstUtils, type AstNode, type ValidationAcceptor, type ValidationChecks } from 'langium';
import {
    isHostBridge,
    isPciFunction,
    type Ari,
    type BridgeBuses,
    type BridgeWindow,
    type FunctionFlagName,
    type HostBridge,
    type IdAttr,
    type IdKey,
    type PciFunction,
    type PciplatAstType,
    type Slot,
} from '../generated/ast.js';
import { BRIDGE_KINDS } from '../../src/model/platform.js';
import { hex, numberValue, optionalNumber, pciAddressValue, type PciAddressParts } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { relatedAt, report } from './report.js';

type Parent = HostBridge | PciFunction;

/** PCIe ports: the only kinds with a slot and with ARI forwarding (DOMAIN 1.1.3). */
const PORTS: ReadonlySet<string> = new Set(['root-port', 'downstream-port']);
/** Bridges whose secondary bus is conventional PCI. */
const CONVENTIONAL_SECONDARY: ReadonlySet<string> = new Set(['pcie-pci-bridge', 'pci-bridge']);
/** Conventional PCI functions: 256 bytes of configuration space, so no extended capabilities. */
const CONVENTIONAL: ReadonlySet<string> = new Set(['pci-device', 'pci-bridge']);
/** Kinds that exist only on a root bus (PCIe Device/Port Type 4, 9, 0xA; DOMAIN 5.2.2). */
const ROOT_BUS_ONLY: ReadonlySet<string> = new Set(['root-port', 'rc-endpoint', 'rc-event-collector']);

const BUS_MAX = 0xffn;
const DEVICE_MAX = 0x1fn;
const FUNCTION_MAX = 7n;
const KIB = 1n << 10n;
const MIB = 1n << 20n;
const U32_MAX = 0xffff_ffffn;

export function functionChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        PciFunction: [
            checkPlacement,
            checkAddressFields,
            checkAddressInHostBridge,
            checkPropertiesApplyToKind,
            checkPropertiesGivenOnce,
            checkBridgeBusNumbers,
            checkChildren,
        ],
        HostBridge: checkChildren,
        IdAttr: checkIdFitsRegister,
        Slot: checkSlotNumberFits,
        Ari: checkNextFunctionFits,
        BridgeWindow: checkBridgeWindow,
    };
}

// ---------------------------------------------------------------------------------------------
// Reading the description

function label(fn: PciFunction): string {
    return `${fn.kind} ${fn.name}`;
}

function parentLabel(parent: Parent): string {
    return isHostBridge(parent) ? `host bridge ${parent.name}` : label(parent);
}

function lineOf(node: AstNode): number {
    return (node.$cstNode?.range.start.line ?? 0) + 1;
}

function addressText(fn: PciFunction): string | undefined {
    return fn.address?.absolute ?? fn.address?.relative;
}

function addressOf(fn: PciFunction): PciAddressParts | undefined {
    const text = addressText(fn);
    return text === undefined ? undefined : pciAddressValue(text);
}

function isBridge(fn: PciFunction): boolean {
    return BRIDGE_KINDS.has(fn.kind);
}

function hasFlag(fn: PciFunction, flag: FunctionFlagName): boolean {
    return fn.flags.some((f) => f.flag === flag);
}

function secondaryOf(fn: PciFunction): bigint | undefined {
    return optionalNumber(fn.busNumbers[0]?.secondary);
}

function subordinateOf(fn: PciFunction): bigint | undefined {
    return optionalNumber(fn.busNumbers[0]?.subordinate);
}

/** The buses a host bridge decodes, when written: its `bus-range`, else its MCFG entry's buses. */
function hostBuses(hb: HostBridge): { start: bigint; end: bigint; node: AstNode } | undefined {
    const range = hb.busRanges[0] ?? hb.mcfgs[0];
    if (range?.start === undefined || range.end === undefined) return undefined;
    const start = numberValue(range.start);
    const end = numberValue(range.end);
    return start <= end ? { start, end, node: range } : undefined;
}

/**
 * The bus a parent's functions sit on, when the description says it: a bridge's written
 * secondary bus, or a host bridge's root bus (the first bus of its range; Linux's root bus
 * number is the bus-range start).
 */
function declaredChildBus(parent: Parent): bigint | undefined {
    return isHostBridge(parent) ? hostBuses(parent)?.start : secondaryOf(parent);
}

/** The first bus written by one of a parent's functions (one outside the host bridge's buses is already in error). */
function firstWrittenBus(parent: Parent): { bus: bigint; fn: PciFunction } | undefined {
    for (const fn of parent.functions) {
        const bus = addressOf(fn)?.bus;
        if (bus !== undefined && !outsideHostBuses(fn, bus)) return { bus, fn };
    }
    return undefined;
}

/** The bus a function sits on as far as the description tells: its own address, else its parent's. */
function busOf(fn: PciFunction): bigint | undefined {
    return addressOf(fn)?.bus ?? declaredChildBus(fn.$container) ?? firstWrittenBus(fn.$container)?.bus;
}

/** A written bus outside its host bridge's bus range (reported by checkAddressInHostBridge). */
function outsideHostBuses(fn: PciFunction, bus: bigint): boolean {
    const hb = AstUtils.getContainerOfType(fn, isHostBridge);
    const range = hb && hostBuses(hb);
    return range !== undefined && (bus < range.start || bus > range.end);
}

function functionZero(parent: Parent): PciFunction | undefined {
    return parent.functions.find((f) => {
        const a = addressOf(f);
        return a?.device === 0n && a.fn === 0n;
    });
}

function listOf(parts: string[]): string {
    return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

// ---------------------------------------------------------------------------------------------
// 1. Address ranges

// The PCI_ADDR token holds at most 2 hex digits of bus and 4 of segment, so an address cannot
// exceed PCI-BUS-RANGE or PCI-SEGMENT-RANGE; device and function get 2 digits each (up to 0xff).
function checkAddressFields(fn: PciFunction, accept: ValidationAcceptor): void {
    const address = addressOf(fn);
    if (!address) return;
    const at = addressText(fn);
    // RID bits 7:3 (DOMAIN 1.1.1).
    if (address.device > DEVICE_MAX) {
        report(accept, 'PCI-DEVICE-RANGE', `Device ${hex(address.device, 2)} of ${fn.name} (at ${at}) is out of range: a device number has 5 bits (0x00-0x1f).`, { node: fn, property: 'address' });
    }
    const whyUnreachable = address.fn > FUNCTION_MAX ? whyNotAri(fn, address) : undefined;
    if (whyUnreachable) {
        report(accept, 'PCI-FUNCTION-RANGE', `Function ${hex(address.fn, 2)} of ${fn.name} (at ${at}) is above 7, which needs ARI: ${whyUnreachable}.`, { node: fn, property: 'address' });
    }
}

/**
 * Why an ARI function number (8-0xff) of this function cannot be reached, or undefined when ARI
 * is in effect. ARI makes the device number implicitly 0 and the function 8 bits, and only when
 * the port above has ARI forwarding enabled; Linux enables it only if the port advertises it
 * and the function at devfn 0 has the ARI capability (DOMAIN 1.1.3-1.1.4, B.12 #8). The PCIe
 * specification requires the ARI capability in every function of an ARI device.
 */
function whyNotAri(fn: PciFunction, address: PciAddressParts): string | undefined {
    if (address.device !== 0n) return `ARI function numbers exist only on device 0, and ${fn.name} is on device ${hex(address.device, 2)}`;
    const parent = fn.$container;
    if (isHostBridge(parent)) return `only a root-port or downstream-port forwards ARI, and ${fn.name} sits directly on the root bus of host bridge ${parent.name}`;
    if (!PORTS.has(parent.kind)) return `only a root-port or downstream-port forwards ARI, and ${fn.name} sits below ${label(parent)}`;
    const missing: string[] = [];
    if (!hasFlag(parent, 'ari-forwarding')) missing.push(`${label(parent)} does not declare ari-forwarding`);
    if (fn.aris.length === 0) missing.push(`${fn.name} has no ari capability`);
    const zero = functionZero(parent);
    if (zero && zero.aris.length === 0) missing.push(`its function 0 ${zero.name} has no ari capability (Linux enables ARI forwarding only when function 0 has one)`);
    return missing.length > 0 ? listOf(missing) : undefined;
}

/** True when the address is already in error, so the slot rules below would only repeat it. */
function addressInError(fn: PciFunction, address: PciAddressParts): boolean {
    return address.device > DEVICE_MAX || (address.fn > FUNCTION_MAX && whyNotAri(fn, address) !== undefined);
}

/** A written segment is the host bridge's; a written bus lies in its bus range (DOMAIN 5.1). */
function checkAddressInHostBridge(fn: PciFunction, accept: ValidationAcceptor): void {
    const address = addressOf(fn);
    const hb = AstUtils.getContainerOfType(fn, isHostBridge);
    if (!address || !hb) return;
    const at = addressText(fn);
    const segment = optionalNumber(hb.segment);
    if (address.segment !== undefined && segment !== undefined && address.segment !== segment) {
        report(accept, 'PCI-ADDRESS-SEGMENT', `${fn.name} is written in segment ${hex(address.segment, 4)} (at ${at}), but its host bridge ${hb.name} is segment ${hex(segment, 4)}.`, { node: fn, property: 'address' }, [relatedAt(hb, `host bridge ${hb.name} is segment ${hex(segment, 4)}`)]);
    }
    const range = hostBuses(hb);
    if (address.bus !== undefined && range && outsideHostBuses(fn, address.bus)) {
        report(accept, 'PCI-ADDRESS-BUS', `${fn.name} is written on bus ${hex(address.bus, 2)} (at ${at}), outside the buses ${hex(range.start, 2)}..${hex(range.end, 2)} of host bridge ${hb.name}.`, { node: fn, property: 'address' }, [relatedAt(range.node, `buses of host bridge ${hb.name}`)]);
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Placement

function checkPlacement(fn: PciFunction, accept: ValidationAcceptor): void {
    if (!fn.kind || !fn.$container) return;
    const problem = placementProblem(fn, fn.$container);
    if (problem) report(accept, 'PCI-PLACEMENT', problem, { node: fn, property: 'kind' });
}

/** PCIe Device/Port Types and where each sits in the hierarchy (DOMAIN 5.2.2). */
function placementProblem(fn: PciFunction, parent: Parent): string | undefined {
    const where = isHostBridge(parent) ? `directly in host bridge ${parent.name}` : `below ${label(parent)}`;
    if (isPciFunction(parent) && !isBridge(parent)) {
        return `${label(fn)} sits inside ${label(parent)}, which is not a bridge: only root-port, switch-upstream, downstream-port, pcie-pci-bridge, pci-pcie-bridge and pci-bridge have functions below them.`;
    }
    if (ROOT_BUS_ONLY.has(fn.kind) && !isHostBridge(parent)) {
        return `${label(fn)} sits ${where}, but a root-port, rc-endpoint or rc-event-collector sits directly in a host bridge, on the root bus.`;
    }
    if (fn.kind === 'downstream-port' && !(isPciFunction(parent) && parent.kind === 'switch-upstream')) {
        return `${label(fn)} sits ${where}, but a downstream-port sits directly below a switch-upstream.`;
    }
    if (fn.kind === 'switch-upstream' && !(isPciFunction(parent) && PORTS.has(parent.kind))) {
        return `${label(fn)} sits ${where}, but a switch-upstream sits directly below a root-port or downstream-port.`;
    }
    if (fn.kind === 'endpoint' || fn.kind === 'legacy-endpoint') {
        if (isHostBridge(parent)) return `${label(fn)} sits directly on the root bus of host bridge ${parent.name}, where an integrated endpoint is an rc-endpoint.`;
        if (CONVENTIONAL_SECONDARY.has(parent.kind)) return `${label(fn)} sits below ${label(parent)}, whose secondary bus is conventional PCI, where a function is a pci-device.`;
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------
// 3, 4. The functions directly below one parent: one bus, distinct addresses, multi-function rules

function checkChildren(parent: Parent, accept: ValidationAcceptor): void {
    const onBus = childrenOnParentBus(parent, accept);
    checkDistinctAddresses(parent, onBus, accept);
    checkMultiFunctionSlots(parent, onBus, accept);
    checkSiblingBusRangesDisjoint(parent, accept);
}

/**
 * Functions directly below one parent sit on one bus: a bridge's secondary bus, a host bridge's
 * root bus (DOMAIN 5.2.1). Reports a written bus that says otherwise and returns the children
 * that agree (or write no bus), for the slot rules.
 */
function childrenOnParentBus(parent: Parent, accept: ValidationAcceptor): PciFunction[] {
    const declared = declaredChildBus(parent);
    const reference = declared === undefined ? firstWrittenBus(parent) : undefined;
    const expected = declared ?? reference?.bus;
    const result: PciFunction[] = [];
    for (const child of parent.functions) {
        const address = addressOf(child);
        if (!address) continue;
        if (address.bus === undefined || expected === undefined || address.bus === expected) {
            result.push(child);
        } else if (!outsideHostBuses(child, address.bus)) {
            const written = `${child.name} is written on bus ${hex(address.bus, 2)} (at ${addressText(child)})`;
            if (reference) {
                report(accept, 'PCI-ADDRESS-BUS', `${written}, but its sibling ${reference.fn.name} below ${parentLabel(parent)} is on bus ${hex(reference.bus, 2)}: functions below one parent share one bus.`, { node: child, property: 'address' }, [relatedAt(reference.fn, `${reference.fn.name} is on bus ${hex(reference.bus, 2)}`)]);
            } else if (isHostBridge(parent)) {
                report(accept, 'PCI-ADDRESS-BUS', `${written}, but functions directly in host bridge ${parent.name} sit on its root bus ${hex(expected, 2)}.`, { node: child, property: 'address' }, [relatedAt(hostBuses(parent)!.node, `the buses of ${parent.name} start at ${hex(expected, 2)}`)]);
            } else {
                report(accept, 'PCI-ADDRESS-BUS', `${written}, but it sits directly below ${label(parent)}, whose secondary bus is ${hex(expected, 2)}.`, { node: child, property: 'address' }, [relatedAt(parent.busNumbers[0]!, `secondary bus of ${parent.name}`)]);
            }
        }
    }
    return result;
}

/** Two functions on one bus at one device/function: config cycles cannot reach both (B.12 #22). */
function checkDistinctAddresses(parent: Parent, children: PciFunction[], accept: ValidationAcceptor): void {
    const seen = new Map<string, PciFunction>();
    for (const child of children) {
        const address = addressOf(child)!;
        const key = `${address.device}.${address.fn}`;
        const first = seen.get(key);
        if (!first) {
            seen.set(key, child);
            continue;
        }
        report(accept, 'PCI-ADDRESS-DUPLICATE', `${child.name} (at ${addressText(child)}) has the address of ${first.name} (line ${lineOf(first)}): both are device ${hex(address.device, 2)} function ${hex(address.fn)} below ${parentLabel(parent)}.`, { node: child, property: 'address' }, [relatedAt(first, `${first.name} is at ${addressText(first)}`)]);
    }
}

/**
 * Linux scans a slot from function 0: without it the scan of the device stops, ARI or not
 * (probe.c pci_scan_slot; next_ari_fn needs function 0 to start the chain). Without ARI it goes
 * on to functions 1-7 only when function 0 is multi-function (DOMAIN 1.1.4, B.12 #9).
 * PCI-MF-NO-FUNCTION0 is reported on every function of the device, since each one is invisible.
 */
function checkMultiFunctionSlots(parent: Parent, children: PciFunction[], accept: ValidationAcceptor): void {
    const byDevice = new Map<bigint, PciFunction[]>();
    for (const child of children) {
        const address = addressOf(child)!;
        if (addressInError(child, address)) continue;
        const group = byDevice.get(address.device);
        if (group) group.push(child);
        else byDevice.set(address.device, [child]);
    }
    for (const [device, group] of byDevice) {
        const zero = group.find((f) => addressOf(f)!.fn === 0n);
        if (!zero) {
            for (const fn of group) {
                report(accept, 'PCI-MF-NO-FUNCTION0', `${fn.name} (at ${addressText(fn)}) is never enumerated: device ${hex(device, 2)} below ${parentLabel(parent)} has no function 0, and Linux scans a device's other functions only after finding function 0.`, { node: fn, property: 'address' });
            }
            continue;
        }
        const others = group.filter((f) => addressOf(f)!.fn !== 0n);
        if (others.length === 0 || hasFlag(zero, 'multifunction') || ariInEffect(parent, zero)) continue;
        const names = listOf(others.map((f) => `${f.name} (function ${hex(addressOf(f)!.fn)})`));
        report(accept, 'PCI-MF-NOT-MULTIFUNCTION', `${zero.name} (function 0 of device ${hex(device, 2)} below ${parentLabel(parent)}) does not declare multifunction, so Linux does not scan the device's other functions: ${names} ${others.length === 1 ? 'is' : 'are'} not enumerated.`, { node: zero, property: 'name' }, others.map((f) => relatedAt(f, `${f.name} shares device ${hex(device, 2)} with ${zero.name}`)));
    }
}

/** With ARI forwarding enabled Linux follows the ARI chain and ignores the multi-function bit. */
function ariInEffect(parent: Parent, zero: PciFunction): boolean {
    return isPciFunction(parent) && PORTS.has(parent.kind) && hasFlag(parent, 'ari-forwarding') && zero.aris.length > 0;
}

// ---------------------------------------------------------------------------------------------
// 5. Properties that do not apply to the kind, and properties given twice

function checkPropertiesApplyToKind(fn: PciFunction, accept: ValidationAcceptor): void {
    if (!fn.kind) return;
    if (!isBridge(fn)) {
        for (const buses of fn.busNumbers) {
            report(accept, 'LANG-NOT-APPLICABLE', `Bus numbers do not apply to ${label(fn)}: only a bridge has secondary and subordinate buses.`, { node: buses, keyword: buses.secondary !== undefined ? 'secondary' : 'subordinate' });
        }
        for (const window of fn.bridgeWindows) {
            report(accept, 'LANG-NOT-APPLICABLE', `A bridge window does not apply to ${label(fn)}: only a bridge forwards address windows (a function's own ranges are its BARs).`, { node: window, keyword: 'window' });
        }
        for (const flag of fn.flags.filter((f) => f.flag === 'io-window-1k')) {
            report(accept, 'LANG-NOT-APPLICABLE', `io-window-1k does not apply to ${label(fn)}: it is the I/O window granularity of a bridge.`, { node: flag, property: 'flag' });
        }
    }
    if (!PORTS.has(fn.kind)) {
        for (const slot of fn.slots) {
            report(accept, 'LANG-NOT-APPLICABLE', `slot does not apply to ${label(fn)}: only a root-port or downstream-port has a slot (PCIe Slot Capabilities).`, { node: slot, keyword: 'slot' });
        }
        for (const flag of fn.flags.filter((f) => f.flag === 'ari-forwarding')) {
            report(accept, 'LANG-NOT-APPLICABLE', `ari-forwarding does not apply to ${label(fn)}: only a root-port or downstream-port forwards ARI.`, { node: flag, property: 'flag' });
        }
    }
    // SR-IOV is a capability of type 0 functions; SR-IOV and ARI are PCIe extended capabilities,
    // which conventional functions (256 bytes of configuration space) cannot have.
    for (const sriov of fn.sriovs) {
        if (isBridge(fn) || CONVENTIONAL.has(fn.kind)) {
            report(accept, 'LANG-NOT-APPLICABLE', `sriov does not apply to ${label(fn)}: ${isBridge(fn) ? 'SR-IOV belongs to endpoints, not bridges' : 'a conventional PCI function has no extended capabilities'}.`, { node: sriov, keyword: 'sriov' });
        }
    }
    for (const ari of fn.aris) {
        if (CONVENTIONAL.has(fn.kind)) {
            report(accept, 'LANG-NOT-APPLICABLE', `ari does not apply to ${label(fn)}: a conventional PCI function has no extended capabilities.`, { node: ari, keyword: 'ari' });
        }
    }
}

/** Capabilities and registers a function has at most one of. */
function checkPropertiesGivenOnce(fn: PciFunction, accept: ValidationAcceptor): void {
    givenOnce(fn, fn.roms, 'rom', (n) => ({ node: n, keyword: 'rom' }), accept);
    givenOnce(fn, fn.msis, 'msi', (n) => ({ node: n, keyword: 'msi' }), accept);
    givenOnce(fn, fn.msixes, 'msix', (n) => ({ node: n, keyword: 'msix' }), accept);
    givenOnce(fn, fn.acses, 'acs', (n) => ({ node: n, keyword: 'acs' }), accept);
    givenOnce(fn, fn.aris, 'ari', (n) => ({ node: n, keyword: 'ari' }), accept);
    givenOnce(fn, fn.sriovs, 'sriov', (n) => ({ node: n, keyword: 'sriov' }), accept);
    givenOnce(fn, fn.slots, 'slot', (n) => ({ node: n, keyword: 'slot' }), accept);
    givenOnce(fn, fn.busNumbers, 'bus numbers', (n: BridgeBuses) => ({ node: n, keyword: n.secondary !== undefined ? 'secondary' : 'subordinate' }), accept);
    for (const key of new Set(fn.attrs.map((a) => a.key))) {
        givenOnce(fn, fn.attrs.filter((a) => a.key === key), key, (n) => ({ node: n, property: 'key' as const }), accept);
    }
    for (const flag of new Set(fn.flags.map((f) => f.flag))) {
        givenOnce(fn, fn.flags.filter((f) => f.flag === flag), flag, (n) => ({ node: n, property: 'flag' as const }), accept);
    }
    // A bridge has three window registers: I/O, memory (non-prefetchable) and prefetchable memory (DOMAIN 5.4.1).
    for (const register of ['I/O', 'memory', 'prefetchable memory']) {
        givenOnce(fn, fn.bridgeWindows.filter((w) => windowRegister(w) === register), `${register} window`, (n) => ({ node: n, keyword: 'window' }), accept);
    }
}

function givenOnce<N extends AstNode>(fn: PciFunction, items: N[], what: string, where: (n: N) => Parameters<typeof report<N>>[3], accept: ValidationAcceptor): void {
    const [first, ...again] = items;
    if (!first) return;
    for (const item of again) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `${fn.name} already has ${what} at line ${lineOf(first)}: it can have only one.`, where(item), [relatedAt(first, `first ${what} of ${fn.name}`)]);
    }
}

function windowRegister(window: BridgeWindow): string {
    return window.kind === 'io' ? 'I/O' : window.prefetch ? 'prefetchable memory' : 'memory';
}

// ---------------------------------------------------------------------------------------------
// 6. Written bus numbers and windows of a bridge

/**
 * Type 1 header invariants: primary < secondary <= subordinate, a child's range nests inside
 * its parent's, all within the host bridge's buses (DOMAIN 5.2.1, B.12 #6).
 */
function checkBridgeBusNumbers(fn: PciFunction, accept: ValidationAcceptor): void {
    const buses = fn.busNumbers[0];
    if (!buses || !isBridge(fn)) return;
    const secondary = optionalNumber(buses.secondary);
    const subordinate = optionalNumber(buses.subordinate);
    let fits = true;
    for (const [property, value] of [['secondary', secondary], ['subordinate', subordinate]] as const) {
        if (value === undefined || value <= BUS_MAX) continue;
        fits = false;
        report(accept, 'PCI-BUS-RANGE', `The ${property} bus ${hex(value)} of ${fn.name} is above 0xff: a bus number has 8 bits.`, { node: buses, property });
    }
    if (!fits) return;
    if (secondary !== undefined && subordinate !== undefined && secondary > subordinate) {
        report(accept, 'PCI-BRIDGE-BUSES', `The secondary bus ${hex(secondary, 2)} of ${fn.name} is above its subordinate bus ${hex(subordinate, 2)}: the bridge would forward no bus at all.`, { node: buses });
        return;
    }
    const own = busOf(fn);
    const lowest = secondary ?? subordinate!;
    if (own !== undefined && lowest <= own) {
        const property = secondary !== undefined ? 'secondary' : 'subordinate';
        report(accept, 'PCI-BRIDGE-BUSES', `The ${property} bus ${hex(lowest, 2)} of ${fn.name} is not above bus ${hex(own, 2)}, the bus it sits on: a bridge's buses are numbered after its primary bus.`, { node: buses, property });
        return;
    }
    const highest = subordinate ?? secondary!;
    const limit = busLimitOf(fn.$container);
    if (limit && highest > limit.end) {
        report(accept, 'PCI-BRIDGE-BUSES', `The buses of ${fn.name} reach ${hex(highest, 2)}, past ${hex(limit.end, 2)}, ${limit.what}: a bridge's buses nest inside those of its parent.`, { node: buses, property: subordinate !== undefined ? 'subordinate' : 'secondary' }, [relatedAt(limit.node, limit.what)]);
    }
}

/** The last bus a parent forwards, when written: a bridge's subordinate, a host bridge's range end. */
function busLimitOf(parent: Parent): { end: bigint; what: string; node: AstNode } | undefined {
    if (isHostBridge(parent)) {
        const range = hostBuses(parent);
        return range && { end: range.end, what: `the last bus of host bridge ${parent.name}`, node: range.node };
    }
    const end = subordinateOf(parent);
    return end === undefined ? undefined : { end, what: `the subordinate bus of ${parent.name}`, node: parent.busNumbers[0]! };
}

/** Sibling bridges' bus ranges are disjoint, or config cycles reach the wrong one (B.12 #6). */
function checkSiblingBusRangesDisjoint(parent: Parent, accept: ValidationAcceptor): void {
    const taken: { fn: PciFunction; start: bigint; end: bigint }[] = [];
    for (const child of parent.functions) {
        const start = secondaryOf(child);
        if (!isBridge(child) || start === undefined) continue;
        const end = subordinateOf(child) ?? start;
        if (end > BUS_MAX || start > end) continue;
        const other = taken.find((t) => t.start <= end && start <= t.end);
        if (!other) {
            taken.push({ fn: child, start, end });
            continue;
        }
        report(accept, 'PCI-BRIDGE-BUSES', `The buses ${hex(start, 2)}..${hex(end, 2)} of ${child.name} overlap the buses ${hex(other.start, 2)}..${hex(other.end, 2)} of its sibling ${other.fn.name}: sibling bridges forward disjoint bus ranges.`, { node: child.busNumbers[0]! }, [relatedAt(other.fn.busNumbers[0]!, `buses of ${other.fn.name}`)]);
    }
}

/**
 * A bridge window's base and limit registers hold the upper address bits only: memory windows
 * are 1 MiB-granular, I/O windows 4 KiB (1 KiB on bridges with the 1K option); the limit is
 * inclusive. The non-prefetchable memory window is 32-bit (DOMAIN 5.4.1, 5.4.3, B.12 #14).
 */
function checkBridgeWindow(window: BridgeWindow, accept: ValidationAcceptor): void {
    const fn = window.$container;
    if (!fn?.kind || !isBridge(fn) || window.start === undefined || window.end === undefined) return;
    const start = numberValue(window.start);
    const end = numberValue(window.end);
    const name = `${window.kind}${window.prefetch ? ' prefetch' : ''} window ${hex(start)}..${hex(end)} of ${fn.name}`;
    if (end < start) {
        report(accept, 'LANG-VALUE-RANGE', `The ${name} ends below its start: write the first and the last address of the window.`, { node: window, property: 'end' });
        return;
    }
    if (window.kind === 'mem64' && !window.prefetch) {
        report(accept, 'PCI-WINDOW-NONPREF-64', `The ${name} is 64-bit but not prefetchable: a bridge's non-prefetchable memory window is 32-bit; write mem32, or prefetch.`, { node: window, property: 'kind' });
    } else if (window.kind !== 'mem64' && end > U32_MAX) {
        report(accept, 'LANG-VALUE-RANGE', `The ${name} ends above 4 GiB, beyond what its 32-bit base and limit registers hold.`, { node: window, property: 'end' });
    }
    const granule = window.kind === 'io' ? (hasFlag(fn, 'io-window-1k') ? KIB : 4n * KIB) : MIB;
    const unit = granule === MIB ? '1 MiB' : `${granule / KIB} KiB`;
    const space = window.kind === 'io' ? 'I/O' : 'memory';
    if (start % granule !== 0n) {
        report(accept, 'PCI-WINDOW-GRANULARITY', `The ${name} does not start on a ${unit} boundary: ${fn.name} decodes ${space} windows in ${unit} units.`, { node: window, property: 'start' });
    }
    if ((end + 1n) % granule !== 0n) {
        report(accept, 'PCI-WINDOW-GRANULARITY', `The ${name} does not end just below a ${unit} boundary (the last address must end in ${hex(granule - 1n)}): ${fn.name} decodes ${space} windows in ${unit} units.`, { node: window, property: 'end' });
    }
}

// ---------------------------------------------------------------------------------------------
// 7. Register widths

/** Type 0/1 header fields: Vendor, Device, Subsystem (Vendor) ID 16 bits, Class Code 24, Revision 8. */
const ID_REGISTERS: Record<IdKey, { field: string; bits: bigint }> = {
    vendor: { field: 'Vendor ID', bits: 16n },
    device: { field: 'Device ID', bits: 16n },
    'subsystem-vendor': { field: 'Subsystem Vendor ID', bits: 16n },
    subsystem: { field: 'Subsystem ID', bits: 16n },
    class: { field: 'Class Code', bits: 24n },
    revision: { field: 'Revision ID', bits: 8n },
};

function checkIdFitsRegister(attr: IdAttr, accept: ValidationAcceptor): void {
    const register = attr.key && ID_REGISTERS[attr.key];
    if (!register || attr.value === undefined) return;
    fitsBits(attr.value, register.bits, `${attr.key} ${attr.value} of ${attr.$container.name}`, `the ${register.field} register`, () => ({ node: attr, property: 'value' as const }), accept);
}

/** Slot Capabilities bits 31:19: Physical Slot Number, 13 bits. */
function checkSlotNumberFits(slot: Slot, accept: ValidationAcceptor): void {
    if (slot.number === undefined) return;
    fitsBits(slot.number, 13n, `slot ${slot.number} of ${slot.$container.name}`, 'the Physical Slot Number', () => ({ node: slot, property: 'number' as const }), accept);
}

/** ARI Capability register bits 15:8: Next Function Number, 8 bits (DOMAIN 1.1.3). */
function checkNextFunctionFits(ari: Ari, accept: ValidationAcceptor): void {
    if (ari.nextFunction === undefined) return;
    fitsBits(ari.nextFunction, 8n, `ari next-function ${ari.nextFunction} of ${ari.$container.name}`, 'the ARI Next Function Number', () => ({ node: ari, property: 'nextFunction' as const }), accept);
}

function fitsBits<N extends AstNode>(text: string, bits: bigint, what: string, field: string, where: () => Parameters<typeof report<N>>[3], accept: ValidationAcceptor): void {
    const max = (1n << bits) - 1n;
    if (numberValue(text) > max) report(accept, 'LANG-VALUE-RANGE', `${what} does not fit in ${bits} bits: ${field} holds at most ${hex(max)}.`, where());
}
