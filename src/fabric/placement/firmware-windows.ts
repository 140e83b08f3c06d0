// Bridge windows firmware must have programmed. A description that writes BAR addresses below a
// bridge (copied from a firmware-configured machine) but not the bridge's windows still describes
// a machine whose bridge forwards those addresses: otherwise firmware's BARs would be unreachable.
// Linux reads that window from the bridge and claims it (pci_read_bridge_bases(), then
// pcibios_allocate_bus_resources() on x86, pci_bus_claim_resources() on an ACPI arm64 boot), so
// the simulator takes, for each unwritten window with written resources below it, the smallest
// window on the bridge's granularity that covers them, and treats it as written. Buses are done
// children first, so a covered window counts as written for the bridge above it.
//
// When no window can cover them (it would overlap a sibling on the bridge's bus, leave the
// parent's window or the host bridge's, or put non-prefetchable memory above 4 GiB), the window
// is left to Linux's sizing as before and `uncovered` says why, for one finding at the bridge.
import type { RelatedLoc } from '../../findings/finding.js';
import { alignUp } from '../../util/arith.js';
import { windowAlignment } from './bridge-windows.js';
import { functionLabel, range, resourceLabel, SLOT_OF_INDEX } from './labels.js';
import { IORESOURCE_IO, IORESOURCE_MEM_64, IORESOURCE_PREFETCH, WINDOW_SLOTS, allResources, type Aperture, type PlacementBus, type PlacementDevice, type Resource, type WindowSlot } from './resource.js';

const FOUR_GIB = 1n << 32n;

/** What placement knows about a window it computed to cover firmware's resources, or could not. */
export interface FirmwareWindow {
    /** The written resources (and covered windows) below the bridge it covers, or had to cover. */
    covers: Resource[];
    /** Set when no window could cover them: why, in words, with the other party. */
    uncovered?: { reason: string; related: RelatedLoc[] };
}

interface Span {
    start: bigint;
    end: bigint;
}

function endOf(r: Resource): bigint {
    return r.start! + r.size - 1n;
}

function sameSpace(a: number, b: number): boolean {
    return ((a ^ b) & IORESOURCE_IO) === 0;
}

/** A resource with an address that Linux would claim: written, or a window covered here. */
function placedByFirmware(r: Resource): boolean {
    return r.fixed && r.start !== undefined && r.size > 0n && r.flags !== 0;
}

/** Whether a host window of the space holds the range (a resource outside all of them has its own finding). */
function inHostWindow(root: PlacementBus, flags: number, start: bigint, end: bigint): boolean {
    return root.apertures.some((a) => sameSpace(a.flags, flags) && a.start <= start && end <= a.end);
}

function hull(items: readonly Resource[], granule: bigint): Span | undefined {
    if (items.length === 0) return undefined;
    let start = items[0]!.start!;
    let end = endOf(items[0]!);
    for (const r of items) {
        if (r.start! < start) start = r.start!;
        if (endOf(r) > end) end = endOf(r);
    }
    return { start: start - (start % granule), end: alignUp(end + 1n, granule) - 1n };
}

function overlaps(a: Span, b: Span): boolean {
    return a.start <= b.end && b.start <= a.end;
}

function spanOf(r: Resource): Span {
    return { start: r.start!, end: endOf(r) };
}

function describe(r: Resource): string {
    return r.role === 'window' ? `the ${SLOT_OF_INDEX[r.index]} window ${range(r.start!, endOf(r))} of ${functionLabel(r.owner.fn)}` : `${resourceLabel(r)} at ${range(r.start!, endOf(r))}`;
}

function related(r: Resource): RelatedLoc {
    return { loc: r.loc, message: describe(r) };
}

/** The host window holding a memory range, for its bus address (the 4 GiB limit is on bus addresses). */
function hostAperture(root: PlacementBus, flags: number, span: Span): Aperture | undefined {
    return root.apertures.find((a) => sameSpace(a.flags, flags) && a.start <= span.start && span.end <= a.end);
}

/** Why a window over `span` in `slot` of `bridge` cannot be what firmware programmed; undefined when it can. */
function invalidity(bridge: PlacementDevice, slot: WindowSlot, span: Span, others: ReadonlyMap<WindowSlot, Span>, root: PlacementBus): { reason: string; related: RelatedLoc[] } | undefined {
    const flags = bridge.windows![slot]!.flags;
    const where = range(span.start, span.end);
    const host = hostAperture(root, flags, span);
    if (!host) return { reason: `the smallest window covering them, ${where}, lies outside every window of the host bridge ${root.hostBridge.name}`, related: [] };
    if (slot === 'mem') {
        if (host.flags & IORESOURCE_PREFETCH && !root.apertures.some((a) => !(a.flags & IORESOURCE_PREFETCH) && !(a.flags & IORESOURCE_IO) && a.start <= span.start && span.end <= a.end)) {
            return { reason: `the smallest window covering them, ${where}, lies in the prefetchable ${host.label}, where a non-prefetchable window cannot be`, related: [{ loc: host.loc, message: host.label }] };
        }
    }
    for (const [other, otherSpan] of others) {
        if (other !== slot && sameSpace(bridge.windows![other]!.flags, flags) && overlaps(span, otherSpan)) {
            return { reason: `the smallest window covering them, ${where}, would overlap the ${other} window ${range(otherSpan.start, otherSpan.end)} of the same bridge`, related: [] };
        }
    }
    // The parent's window (when written) must forward it.
    const parent = bridge.bus.bridge;
    if (parent?.windows) {
        const candidates: WindowSlot[] = slot === 'prefetch' ? ['prefetch', 'mem'] : [slot];
        const written = candidates.map((s) => parent.windows![s]).filter((w): w is Resource => w !== undefined && placedByFirmware(w) && sameSpace(w.flags, flags));
        if (written.length > 0 && !written.some((w) => w.start! <= span.start && span.end <= endOf(w))) {
            return { reason: `the smallest window covering them, ${where}, would lie outside ${written.map(describe).join(' and ')}`, related: written.map(related) };
        }
    }
    // Nothing else on the bridge's bus may decode or forward those addresses.
    for (const device of bridge.bus.devices) {
        for (const r of allResources(device)) {
            if (r.owner === bridge && r.role === 'window') continue;
            if (!placedByFirmware(r) || !sameSpace(r.flags, flags)) continue;
            if (r.role === 'rom' && r.owner.fn.rom?.disabled) continue;
            if (overlaps(span, spanOf(r))) return { reason: `the smallest window covering them, ${where}, would overlap ${describe(r)} on the same bus`, related: [related(r)] };
        }
    }
    return undefined;
}

/** Which window a written resource below a bridge is forwarded by; 'either' for 32-bit prefetchable memory. */
function slotFor(r: Resource): WindowSlot | 'either' {
    if (r.flags & IORESOURCE_IO) return 'io';
    if (!(r.flags & IORESOURCE_PREFETCH)) return 'mem';
    return r.flags & IORESOURCE_MEM_64 ? 'prefetch' : 'either';
}

function within(w: Resource, r: Resource): boolean {
    return w.start! <= r.start! && endOf(r) <= endOf(w);
}

/**
 * Covers the unwritten windows of the bridge above `bus` (its subordinate) with what firmware
 * placed below. Windows it covers become written (fixed) with `firmware` set; windows it cannot
 * cover keep being computed, with `firmware.uncovered` set.
 */
function coverBridge(bus: PlacementBus, root: PlacementBus): void {
    const bridge = bus.bridge;
    const windows = bridge?.windows;
    if (!bridge || !windows) return;
    const open = (slot: WindowSlot) => {
        const w = windows[slot];
        // A window written closed (`window … none`) is as the machine had it: never covered.
        return w !== undefined && !w.closed && !placedByFirmware(w) ? w : undefined;
    };
    if (!WINDOW_SLOTS.some((slot) => open(slot))) return;
    const wanted: Record<WindowSlot, Resource[]> = { io: [], mem: [], prefetch: [] };
    const either: Resource[] = [];
    for (const device of bus.devices) {
        for (const r of allResources(device)) {
            if (!placedByFirmware(r) || !inHostWindow(root, r.flags, r.start!, endOf(r))) continue;
            const slot = slotFor(r);
            // Non-prefetchable memory above 4 GiB cannot be behind a bridge at all: its own finding.
            if (slot === 'mem' && endOf(r) + (hostAperture(root, r.flags, spanOf(r))?.busOffset ?? 0n) >= FOUR_GIB) continue;
            if (slot === 'io') {
                if (open('io')) wanted.io.push(r);
                continue;
            }
            // A written window of the right kind that already holds it needs nothing covered.
            const candidates: WindowSlot[] = slot === 'mem' ? ['mem'] : ['prefetch', 'mem'];
            if (candidates.some((s) => !open(s) && windows[s] && placedByFirmware(windows[s]!) && within(windows[s]!, r))) continue;
            if (slot === 'mem') {
                if (open('mem')) wanted.mem.push(r);
            } else if (slot === 'prefetch' && open('prefetch')) {
                wanted.prefetch.push(r);
            } else if (slot === 'prefetch' || open('prefetch') === undefined) {
                if (open('mem')) wanted.mem.push(r);
            } else if (open('mem')) {
                either.push(r);
            } else {
                wanted.prefetch.push(r);
            }
        }
    }
    // 32-bit prefetchable memory (ROMs, old 32-bit prefetchable BARs) may sit in either memory
    // window: take whichever choice covers the most windows validly, then the smaller windows.
    const choices = either.length === 0 ? [wanted] : [
        { ...wanted, mem: [...wanted.mem, ...either] },
        { ...wanted, prefetch: [...wanted.prefetch, ...either] },
    ];
    let best: { choice: Record<WindowSlot, Resource[]>; spans: Map<WindowSlot, Span>; faults: Map<WindowSlot, ReturnType<typeof invalidity>>; score: [number, bigint] } | undefined;
    for (const choice of choices) {
        const spans = new Map<WindowSlot, Span>();
        for (const slot of WINDOW_SLOTS) {
            const span = hull(choice[slot], windowAlignment(bus, windows[slot]!.flags));
            if (span) spans.set(slot, span);
        }
        for (const slot of WINDOW_SLOTS) {
            const w = windows[slot];
            if (w && placedByFirmware(w)) spans.set(slot, spanOf(w));
        }
        const faults = new Map<WindowSlot, ReturnType<typeof invalidity>>();
        let valid = 0;
        let size = 0n;
        for (const slot of WINDOW_SLOTS) {
            if (choice[slot].length === 0) continue;
            const span = spans.get(slot)!;
            const fault = invalidity(bridge, slot, span, spans, root);
            faults.set(slot, fault);
            if (!fault) valid++;
            size += span.end - span.start + 1n;
        }
        if (!best || valid > best.score[0] || (valid === best.score[0] && size < best.score[1])) best = { choice, spans, faults, score: [valid, size] };
    }
    for (const slot of WINDOW_SLOTS) {
        const covers = best!.choice[slot];
        if (covers.length === 0) continue;
        const window = windows[slot]!;
        const fault = best!.faults.get(slot);
        if (fault) {
            window.firmware = { covers, uncovered: fault };
            continue;
        }
        const span = best!.spans.get(slot)!;
        window.firmware = { covers };
        window.fixed = true;
        window.start = span.start;
        window.size = span.end - span.start + 1n;
    }
}

/** Covers every unwritten window above firmware-placed resources, children first (`buses` parents first). */
export function coverFirmwareResources(root: PlacementBus, buses: readonly PlacementBus[]): void {
    for (let i = buses.length - 1; i >= 0; i--) coverBridge(buses[i]!, root);
}
