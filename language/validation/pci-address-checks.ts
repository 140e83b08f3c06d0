// PCI address checks of a function: device and function number ranges, with ARI for functions
// above 7 (DOMAIN 1.1.1, 1.1.3-1.1.4, B.12 #8); the segment and bus of its host bridge (DOMAIN 5.1);
// one bus for the functions below one parent (DOMAIN 5.2.1); distinct device/function on a bus
// (B.12 #22). Codes PCI-DEVICE-RANGE, PCI-FUNCTION-RANGE, PCI-ADDRESS-SEGMENT, PCI-ADDRESS-BUS,
// PCI-ADDRESS-DUPLICATE. The last two rules run once per parent, from children-checks.ts.
//
// Sources are cited by DOMAIN.md section ("DOMAIN 5.2.1") and by validator check ("B.12 #6").
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import { isHostBridge, type PciFunction, type PciplatAstType } from '../generated/ast.js';
import { hex, optionalNumber, type PciAddressParts } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { lineOf, listed } from './ast-helpers.js';
import {
    PORTS, addressOf, addressText, declaredChildBus, firstWrittenBus, functionZero, hasFlag, hostBridgeOf, hostBuses, label,
    outsideHostBuses, parentLabel, type Parent,
} from './function-helpers.js';
import { relatedAt, report } from './report.js';

const DEVICE_MAX = 0x1fn;
const FUNCTION_MAX = 7n;

export function pciAddressChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        PciFunction: [checkAddressFields, checkAddressInHostBridge],
    };
}

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
    return missing.length > 0 ? listed(missing) : undefined;
}

/** True when the address is already in error, so the slot rules below would only repeat it. */
export function addressInError(fn: PciFunction, address: PciAddressParts): boolean {
    return address.device > DEVICE_MAX || (address.fn > FUNCTION_MAX && whyNotAri(fn, address) !== undefined);
}

/** A written segment is the host bridge's; a written bus lies in its bus range (DOMAIN 5.1). */
function checkAddressInHostBridge(fn: PciFunction, accept: ValidationAcceptor): void {
    const address = addressOf(fn);
    const hb = hostBridgeOf(fn);
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

/**
 * Functions directly below one parent sit on one bus: a bridge's secondary bus, a host bridge's
 * root bus (DOMAIN 5.2.1). Reports a written bus that says otherwise and returns the children
 * that agree (or write no bus), for the slot rules.
 */
export function childrenOnParentBus(parent: Parent, accept: ValidationAcceptor): PciFunction[] {
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
export function checkDistinctAddresses(parent: Parent, children: PciFunction[], accept: ValidationAcceptor): void {
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
