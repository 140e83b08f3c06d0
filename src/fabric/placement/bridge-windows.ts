// Bridge windows: which a bridge has, and how big Linux makes them, bottom-up
// (drivers/pci/setup-bus.c __pci_bus_size_bridges(), pbus_size_io(), pbus_size_mem()).
//
// The generic ECAM host (pci_host_probe()) calls pci_bus_size_bridges(), that is, sizing with no
// realloc list. Two consequences the oracle confirms (DOMAIN B.5.4, oracle README note 6):
// - a hot-plug port's extra reservation is a *minimum* size, not an optional addition: the I/O
//   window is max(small BARs, 256) plus the windows below, rounded to 4 KiB (an empty hot-plug port
//   gets 4 KiB I/O, 2 MiB memory, 2 MiB prefetchable);
// - SR-IOV VF BAR apertures are required resources, sized into the window like BARs.
//
// An ACPI boot (pci_assign_unassigned_root_bus_resources()) sizes with a realloc list
// (realloc-list.ts) instead: the required size (size0) leaves out the hot-plug reservation and the
// VF BAR apertures, and what the window would like on top (size1 - size0: the reservation, the
// apertures, the optional sizes of the windows below) goes on the list. The UEFI oracle confirms
// it: a hot-plug port above one e1000e gets a required 1 MiB and an optional 1 MiB more.
import type { LinuxOptions } from '../../model/platform.js';
import { alignUp } from '../../util/arith.js';
import { SLOT_INDEX } from './labels.js';
import type { ReallocList } from './realloc-list.js';
import {
    IORESOURCE_IO,
    IORESOURCE_MEM,
    IORESOURCE_MEM_64,
    IORESOURCE_PREFETCH,
    PCI_BRIDGE_RESOURCES,
    WINDOW_SLOTS,
    allResources,
    newResource,
    type PlacementBus,
    type PlacementDevice,
    type Resource,
    type WindowSlot,
} from './resource.js';

const MIB = 1n << 20n;
/** PCI_P2P_DEFAULT_MEM_ALIGN, PCI_P2P_DEFAULT_IO_ALIGN, PCI_P2P_DEFAULT_IO_ALIGN_1K. */
const P2P_MEM_ALIGN = MIB;
const P2P_IO_ALIGN = 0x1000n;
const P2P_IO_ALIGN_1K = 0x400n;
/** pbus_size_io(): I/O resources below 1 KiB are summed apart from the larger ones (ISA aliasing). */
const IO_SMALL_LIMIT = 0x400n;
/** pbus_size_mem(): aligns[24] covers alignments from 1 MiB (order 0) to 8 TiB. */
const MEM_ORDERS = 24;

export interface HotplugReservation {
    io: bigint;
    mem: bigint;
    prefetch: bigint;
}

/**
 * Linux's defaults (drivers/pci/pci.c DEFAULT_HOTPLUG_IO_SIZE 256, DEFAULT_HOTPLUG_MMIO_SIZE and
 * DEFAULT_HOTPLUG_MMIO_PREF_SIZE 2 MiB), or the `pci=hpiosize=/hpmemsize=/hpmmioprefsize=` values;
 * `hpmemsize` sets both memory sizes, as in pci_setup().
 */
export function hotplugReservation(linux: LinuxOptions): HotplugReservation {
    return {
        io: linux.hpIoSize ?? 256n,
        mem: linux.hpMemSize ?? 2n * MIB,
        prefetch: linux.hpMmioPrefSize ?? linux.hpMemSize ?? 2n * MIB,
    };
}

const NO_RESERVATION: HotplugReservation = { io: 0n, mem: 0n, prefetch: 0n };

/** Which of a bridge's windows a written `window` line describes. */
function slotOfWritten(kind: string, prefetchable: boolean): WindowSlot {
    if (kind === 'io') return 'io';
    return prefetchable ? 'prefetch' : 'mem';
}

/**
 * A bridge's windows with pci_bridge_check_ranges()'s flags. Every bridge is taken to implement
 * the optional I/O window and a 64-bit prefetchable window (as QEMU's and PCIe ports do), unless a
 * written prefetchable window says `mem32`. Written windows are firmware-assigned: kept as they are.
 */
export function bridgeWindowResources(owner: PlacementDevice): Partial<Record<WindowSlot, Resource>> {
    const windows: Partial<Record<WindowSlot, Resource>> = {};
    for (const written of owner.fn.windows) {
        const slot = slotOfWritten(written.kind, written.prefetchable);
        if (windows[slot] || written.end < written.start) continue;
        let flags = slot === 'io' ? IORESOURCE_IO : IORESOURCE_MEM;
        if (slot === 'prefetch') flags |= IORESOURCE_PREFETCH | (written.kind === 'mem64' ? IORESOURCE_MEM_64 : 0);
        windows[slot] = windowResource(owner, slot, flags, written.start, written.end - written.start + 1n, written.loc);
    }
    const defaults: Record<WindowSlot, number> = {
        io: IORESOURCE_IO,
        mem: IORESOURCE_MEM,
        prefetch: IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64,
    };
    for (const slot of WINDOW_SLOTS) {
        windows[slot] ??= windowResource(owner, slot, defaults[slot], undefined, 0n, owner.fn.nameLoc);
    }
    // `window … none`: sized like any window (what below needs it shows), never assigned.
    for (const c of owner.fn.closedWindows ?? []) {
        const slot = slotOfWritten(c.kind, c.prefetchable);
        const window = windows[slot]!;
        if (window.fixed) continue;
        window.closed = true;
        window.loc = c.loc;
    }
    return windows;
}

function windowResource(owner: PlacementDevice, slot: WindowSlot, flags: number, start: bigint | undefined, size: bigint, loc: Resource['loc']): Resource {
    const index = SLOT_INDEX[slot];
    const window = newResource(owner, 'window', index, PCI_BRIDGE_RESOURCES + index, flags, size, 0n, start, loc);
    window.windowFlags = flags;
    return window;
}

/**
 * Whether a resource already has its place (Linux: `r->parent`): written and claimed, or assigned
 * by an earlier try. Sizing leaves such resources out and never resizes such a window.
 */
export function hasPlace(r: Resource): boolean {
    return r.fixed || r.parent !== undefined;
}

/** window_alignment(): 1 MiB for memory, 4 KiB for I/O (1 KiB on bridges with the 1K I/O option). */
export function windowAlignment(bus: PlacementBus, flags: number): bigint {
    if (flags & IORESOURCE_MEM) return P2P_MEM_ALIGN;
    if (flags & IORESOURCE_IO) return bus.bridge?.fn.ioWindow1k ? P2P_IO_ALIGN_1K : P2P_IO_ALIGN;
    return 1n;
}


/**
 * find_bus_resource_of_type(): the bridge's first window of the type that is not yet assigned,
 * else the first assigned (written) one, else none.
 */
function findBusResourceOfType(bus: PlacementBus, typeMask: number, type: number): Resource | undefined {
    const windows = bus.bridge?.windows;
    if (!windows) return undefined;
    let assigned: Resource | undefined;
    for (const slot of WINDOW_SLOTS) {
        const r = windows[slot];
        if (!r || (r.flags & typeMask) !== type) continue;
        if (!hasPlace(r)) return r;
        assigned ??= r;
    }
    return assigned;
}

/**
 * calculate_iosize(): small resources raised to the minimum, large ones added, never below the
 * window's old size (a window a failed try released keeps its size), then the optional size and
 * the optional sizes of the children on top, rounded to the alignment. With no optional terms
 * (add = children = 0) this is the required size.
 */
function calculateIoSize(size: bigint, minSize: bigint, size1: bigint, addSize: bigint, childrenAddSize: bigint, oldSize: bigint, align: bigint): bigint {
    if (size < minSize) size = minSize;
    size += size1;
    if (size < oldSize) size = oldSize;
    return alignUp((size > addSize ? size : addSize) + childrenAddSize, align);
}

/** calculate_memsize(): as calculate_iosize() for one sum. */
function calculateMemSize(size: bigint, minSize: bigint, addSize: bigint, childrenAddSize: bigint, oldSize: bigint, align: bigint): bigint {
    if (size < minSize) size = minSize;
    if (size < oldSize) size = oldSize;
    return alignUp((size > addSize ? size : addSize) + childrenAddSize, align);
}

/**
 * calculate_mem_align(): the smallest window alignment (from 1 MiB up) such that, packing the
 * children largest-alignment-first, every child still lands on its own alignment. Children larger
 * than their alignment (windows, SR-IOV apertures) do not count (aligns[] excludes them).
 */
export function calculateMemAlign(aligns: readonly bigint[], maxOrder: number): bigint {
    let align = 0n;
    let minAlign = 0n;
    for (let order = 0; order <= maxOrder; order++) {
        const align1 = 1n << BigInt(order + 20);
        if (align === 0n) minAlign = align1;
        else if (alignUp(align + minAlign, minAlign) < align1) minAlign = align1 >> 1n;
        align += aligns[order] ?? 0n;
    }
    return minAlign;
}

/** __ffs(): index of the lowest set bit (value > 0). A power of two converts to a double exactly. */
function lowestBit(value: bigint): number {
    return Math.round(Math.log2(Number(value & -value)));
}

/**
 * pbus_size_io(): the I/O window holds every I/O BAR and I/O window below; small resources (< 1
 * KiB) are summed, raised to `minSize` (the hot-plug reservation without a realloc list), larger
 * ones added, and the total rounded to the window granularity or the largest child alignment.
 * With a realloc list, `addSize` (the reservation) and the children's optional sizes make the
 * optional part. Size 0 and nothing optional: no window.
 */
export function sizeIoWindow(bus: PlacementBus, minSize: bigint, addSize = 0n, realloc?: ReallocList): void {
    const window = findBusResourceOfType(bus, IORESOURCE_IO, IORESOURCE_IO);
    if (!window || hasPlace(window)) return;
    let minAlign = windowAlignment(bus, IORESOURCE_IO);
    let size = 0n;
    let size1 = 0n;
    let childrenAddSize = 0n;
    for (const device of bus.devices) {
        for (const r of allResources(device)) {
            if (hasPlace(r) || !(r.flags & IORESOURCE_IO)) continue;
            r.sizedInto = window;
            if (r.size < IO_SMALL_LIMIT) size += r.size;
            else size1 += r.size;
            if (r.align > minAlign) minAlign = r.align;
            if (realloc) childrenAddSize += realloc.addSize(r);
        }
    }
    const oldSize = window.size;
    const size0 = calculateIoSize(size, minSize, size1, 0n, 0n, oldSize, minAlign);
    const withOptional = !realloc || (addSize === 0n && childrenAddSize === 0n) ? size0 : calculateIoSize(size, minSize, size1, addSize, childrenAddSize, oldSize, minAlign);
    if (size0 === 0n && withOptional === 0n) {
        window.flags = 0;
        return;
    }
    window.size = size0;
    window.align = minAlign;
    if (realloc && withOptional > size0) realloc.add(window, withOptional - size0, minAlign);
}

/**
 * pbus_size_mem(): the window of `type` holds every child memory resource whose flags (under
 * `mask`) equal `type`, `type2` or `type3`: each counts max(size, alignment); the window's
 * alignment comes from calculate_mem_align() and is at least 1 MiB; the size is raised to `minSize`
 * and rounded to that alignment. With a realloc list a VF BAR aperture counts for nothing required
 * (its whole size goes on the list, and its size is 0 until assignment adds it back), and the
 * optional part is `addSize` (the reservation) or more plus the children's optional sizes, aligned
 * to the largest optional alignment below. Returns false (-ENOSPC) when the bridge has no such
 * window.
 */
export function sizeMemWindow(bus: PlacementBus, mask: number, type: number, type2: number, type3: number, minSize: bigint, addSize = 0n, realloc?: ReallocList): boolean {
    const window = findBusResourceOfType(bus, mask | IORESOURCE_PREFETCH, type);
    if (!window) return false;
    if (hasPlace(window)) return true;
    const aligns: bigint[] = new Array<bigint>(MEM_ORDERS).fill(0n);
    let maxOrder = 0;
    let size = 0n;
    let childrenAddSize = 0n;
    let addAlign = 0n;
    for (const device of bus.devices) {
        for (const r of allResources(device)) {
            const masked = r.flags & mask;
            if (hasPlace(r) || (masked !== type && masked !== type2 && masked !== type3)) continue;
            if (r.align <= 0n) continue;
            r.sizedInto = window;
            if (realloc && r.role === 'vf-bar') {
                // "Put SRIOV requested res to the optional list"
                if (r.align > addAlign) addAlign = r.align;
                realloc.add(r, r.size, 0n);
                childrenAddSize += r.size;
                r.size = 0n;
                continue;
            }
            let order = lowestBit(r.align) - 20;
            if (order < 0) order = 0;
            if (order >= MEM_ORDERS) {
                // "disabling BAR %d: %pR (bad alignment %#llx)"
                r.flags = 0;
                continue;
            }
            size += r.size > r.align ? r.size : r.align;
            if (r.size <= r.align) aligns[order] = aligns[order]! + r.align;
            if (order > maxOrder) maxOrder = order;
            if (realloc) {
                childrenAddSize += realloc.addSize(r);
                const childAddAlign = realloc.addAlign(r);
                if (childAddAlign > addAlign) addAlign = childAddAlign;
            }
        }
    }
    let minAlign = calculateMemAlign(aligns, maxOrder);
    const granule = windowAlignment(bus, window.flags);
    if (granule > minAlign) minAlign = granule;
    const oldSize = window.size;
    const size0 = calculateMemSize(size, minSize, 0n, 0n, oldSize, minAlign);
    if (minAlign > addAlign) addAlign = minAlign;
    const withOptional = !realloc || (addSize === 0n && childrenAddSize === 0n) ? size0 : calculateMemSize(size, minSize, addSize, childrenAddSize, oldSize, addAlign);
    if (size0 === 0n && withOptional === 0n) {
        window.flags = 0;
        return true;
    }
    window.size = size0;
    window.align = minAlign;
    if (realloc && withOptional > size0) realloc.add(window, withOptional - size0, addAlign);
    return true;
}

/**
 * __pci_bus_size_bridges() for one bridge's secondary bus, once the buses below are sized:
 * I/O first; then, with a 64-bit prefetchable window, every 64-bit prefetchable resource goes
 * there and everything else (non-prefetchable, 32-bit prefetchable such as ROMs, 64-bit
 * non-prefetchable) into the 32-bit non-prefetchable window; with only a 32-bit prefetchable
 * window all prefetchable resources go there; with none, everything goes into the memory window.
 * A hot-plug port's reservation is a minimum without a realloc list and optional with one.
 */
export function sizeBridgeWindows(bus: PlacementBus, hotplug: HotplugReservation, realloc?: ReallocList): void {
    const bridge = bus.bridge;
    if (!bridge?.windows) return;
    // pci_bridge_check_ranges(): a window a failed try disabled is the bridge's again.
    for (const slot of WINDOW_SLOTS) {
        const window = bridge.windows[slot];
        if (window && !hasPlace(window)) window.flags |= window.windowFlags;
    }
    const extra = bridge.fn.slot?.hotplug ? hotplug : NO_RESERVATION;
    const required = (reservation: bigint) => (realloc ? 0n : reservation);
    sizeIoWindow(bus, required(extra.io), extra.io, realloc);

    let mask = IORESOURCE_MEM;
    let prefmask = IORESOURCE_MEM | IORESOURCE_PREFETCH;
    let type2 = 0;
    let type3 = 0;
    let extraMem = extra.mem;
    const pref = bridge.windows.prefetch;
    if (pref && pref.flags & IORESOURCE_MEM_64) {
        prefmask |= IORESOURCE_MEM_64;
        if (sizeMemWindow(bus, prefmask, prefmask, prefmask, prefmask, required(extra.prefetch), extra.prefetch, realloc)) {
            mask = prefmask;
            type2 = prefmask & ~IORESOURCE_MEM_64;
            type3 = prefmask & ~IORESOURCE_PREFETCH;
        }
    }
    if (!type2) {
        prefmask &= ~IORESOURCE_MEM_64;
        if (sizeMemWindow(bus, prefmask, prefmask, prefmask, prefmask, required(extra.prefetch), extra.prefetch, realloc)) mask = prefmask;
        else extraMem += extra.prefetch;
        type2 = type3 = IORESOURCE_MEM;
    }
    sizeMemWindow(bus, mask, IORESOURCE_MEM, type2, type3, required(extraMem), extraMem, realloc);
}
