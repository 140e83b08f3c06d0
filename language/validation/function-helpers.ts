// Reading a PCI function and the parent it sits in (a bridge or a host bridge) as the description
// writes them: labels for messages, the written address, bus numbers and flags, and the buses a
// host bridge decodes. Nothing here reports; what enumeration computes is the fabric's.
import { AstUtils, type AstNode } from 'langium';
import { isHostBridge, type FunctionFlagName, type HostBridge, type PciFunction } from '../generated/ast.js';
import { BRIDGE_KINDS } from '../../src/model/platform.js';
import { numberValue, optionalNumber, pciAddressValue, type PciAddressParts } from '../numbers.js';

export type Parent = HostBridge | PciFunction;

/** PCIe ports: the only kinds with a slot and with ARI forwarding (DOMAIN 1.1.3). */
export const PORTS: ReadonlySet<string> = new Set(['root-port', 'downstream-port']);

/** `kind name` as written (`undefined` while either is missing): the function checks' label. */
export function label(fn: PciFunction): string {
    return `${fn.kind} ${fn.name}`;
}

/** `kind name`, with `function` and `(unnamed)` while either is missing: the resource checks' label. */
export function functionLabel(fn: PciFunction): string {
    return `${fn.kind ?? 'function'} ${fn.name ?? '(unnamed)'}`;
}

export function parentLabel(parent: Parent): string {
    return isHostBridge(parent) ? `host bridge ${parent.name}` : label(parent);
}

export function addressText(fn: PciFunction): string | undefined {
    return fn.address?.absolute ?? fn.address?.relative;
}

export function addressOf(fn: PciFunction): PciAddressParts | undefined {
    const text = addressText(fn);
    return text === undefined ? undefined : pciAddressValue(text);
}

export function isBridge(fn: PciFunction): boolean {
    return BRIDGE_KINDS.has(fn.kind);
}

export function hasFlag(fn: PciFunction, flag: FunctionFlagName): boolean {
    return fn.flags.some((f) => f.flag === flag);
}

export function secondaryOf(fn: PciFunction): bigint | undefined {
    return optionalNumber(fn.busNumbers[0]?.secondary);
}

export function subordinateOf(fn: PciFunction): bigint | undefined {
    return optionalNumber(fn.busNumbers[0]?.subordinate);
}

/** The host bridge a function sits in, however deep. */
export function hostBridgeOf(fn: PciFunction): HostBridge | undefined {
    return AstUtils.getContainerOfType(fn, isHostBridge);
}

/** The buses a host bridge decodes, when written: its `bus-range`, else its MCFG entry's buses. */
export function hostBuses(hb: HostBridge): { start: bigint; end: bigint; node: AstNode } | undefined {
    const range = hb.busRanges[0] ?? hb.mcfgs[0];
    if (range?.start === undefined || range.end === undefined) return undefined;
    const start = numberValue(range.start);
    const end = numberValue(range.end);
    // A bound above 0xff is PCI-BUS-RANGE's error; the range says nothing the other checks could
    // hold functions to (the scan reads it as the default, src/util/arith.ts busBound).
    return start <= end && end <= 0xffn ? { start, end, node: range } : undefined;
}

/**
 * The bus a parent's functions sit on, when the description says it: a bridge's written
 * secondary bus, or a host bridge's root bus (the first bus of its range; Linux's root bus
 * number is the bus-range start).
 */
export function declaredChildBus(parent: Parent): bigint | undefined {
    return isHostBridge(parent) ? hostBuses(parent)?.start : secondaryOf(parent);
}

/** The first bus written by one of a parent's functions (one outside the host bridge's buses is already in error). */
export function firstWrittenBus(parent: Parent): { bus: bigint; fn: PciFunction } | undefined {
    for (const fn of parent.functions) {
        const bus = addressOf(fn)?.bus;
        if (bus !== undefined && !outsideHostBuses(fn, bus)) return { bus, fn };
    }
    return undefined;
}

/** The bus a function sits on as far as the description tells: its own address, else its parent's. */
export function busOf(fn: PciFunction): bigint | undefined {
    return addressOf(fn)?.bus ?? declaredChildBus(fn.$container) ?? firstWrittenBus(fn.$container)?.bus;
}

/** A written bus outside its host bridge's bus range (reported by checkAddressInHostBridge). */
export function outsideHostBuses(fn: PciFunction, bus: bigint): boolean {
    const hb = hostBridgeOf(fn);
    const range = hb && hostBuses(hb);
    return range !== undefined && (bus < range.start || bus > range.end);
}

export function functionZero(parent: Parent): PciFunction | undefined {
    return parent.functions.find((f) => {
        const a = addressOf(f);
        return a?.device === 0n && a.fn === 0n;
    });
}
