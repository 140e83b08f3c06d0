// A bridge's written bus numbers and windows: the 8-bit range, primary < secondary <= subordinate,
// nesting in the parent's buses and disjoint sibling ranges (DOMAIN 5.2.1, B.12 #6); window bounds
// on their granularity and the 32-bit non-prefetchable window (DOMAIN 5.4.1, 5.4.3, B.12 #14).
// Codes PCI-BUS-RANGE, PCI-BRIDGE-BUSES, PCI-WINDOW-GRANULARITY, PCI-WINDOW-NONPREF-64,
// LANG-VALUE-RANGE. Only what the description says; bus numbering and window placement are the
// fabric's. The sibling rule runs once per parent, from children-checks.ts.
import type { AstNode, ValidationAcceptor, ValidationChecks } from 'langium';
import { isHostBridge, type BridgeWindow, type PciFunction, type PciplatAstType } from '../generated/ast.js';
import { hex, numberValue, optionalNumber } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { U32_MAX } from './ast-helpers.js';
import { busOf, hasFlag, hostBuses, isBridge, secondaryOf, subordinateOf, type Parent } from './function-helpers.js';
import { relatedAt, report } from './report.js';

const BUS_MAX = 0xffn;
const KIB = 1n << 10n;
const MIB = 1n << 20n;

export function bridgeBusWindowChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        PciFunction: checkBridgeBusNumbers,
        BridgeWindow: checkBridgeWindow,
    };
}

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
export function checkSiblingBusRangesDisjoint(parent: Parent, accept: ValidationAcceptor): void {
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
