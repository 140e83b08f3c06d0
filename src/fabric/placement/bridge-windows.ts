// Bridge windows: which a bridge has, and how big Linux makes them, bottom-up
// (drivers/pci/setup-bus.c __pci_bus_size_bridges(), pbus_size_io(), pbus_size_mem()).
//
// The generic ECAM host (pci_host_probe()) calls pci_bus_size_bridges(), that is, sizing with no
// realloc list. Two consequences the oracle confirms (DOMAIN B.5.4, oracle README note 6):
// - a hot-plug port's extra reservation is a *minimum* size, not an optional addition: the I/O
//   window is max(small BARs, 256) plus the windows below, rounded to 4 KiB (an empty hot-plug port
//   gets 4 KiB I/O, 2 MiB memory, 2 MiB prefetchable);
// - SR-IOV VF BAR apertures are required resources, sized into the window like BARs.
import type { LinuxOptions } from '../../model/platform.js';
import { alignUp } from '../../util/arith.js';
import { SLOT_INDEX } from './labels.js';
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
    return windows;
}

function windowResource(owner: PlacementDevice, slot: WindowSlot, flags: number, start: bigint | undefined, size: bigint, loc: Resource['loc']): Resource {
    const index = SLOT_INDEX[slot];
    return newResource(owner, 'window', index, PCI_BRIDGE_RESOURCES + index, flags, size, 0n, start, loc);
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
        if (!r.fixed) return r;
        assigned ??= r;
    }
    return assigned;
}

/** calculate_iosize() without the realloc terms (no add_size, no children_add_size, no old size). */
function calculateIoSize(size: bigint, minSize: bigint, size1: bigint, align: bigint): bigint {
    if (size < minSize) size = minSize;
    size += size1;
    return alignUp(size, align);
}

/** calculate_memsize() without the realloc terms. */
function calculateMemSize(size: bigint, minSize: bigint, align: bigint): bigint {
    if (size < minSize) size = minSize;
    return alignUp(size, align);
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
 * KiB) are summed, raised to `minSize` (the hot-plug reservation), larger ones added, and the
 * total rounded to the window granularity or the largest child alignment. Size 0: no window.
 */
export function sizeIoWindow(bus: PlacementBus, minSize: bigint): void {
    const window = findBusResourceOfType(bus, IORESOURCE_IO, IORESOURCE_IO);
    if (!window || window.fixed) return;
    let minAlign = windowAlignment(bus, IORESOURCE_IO);
    let size = 0n;
    let size1 = 0n;
    for (const device of bus.devices) {
        for (const r of allResources(device)) {
            if (r.fixed || !(r.flags & IORESOURCE_IO)) continue;
            r.sizedInto = window;
            if (r.size < IO_SMALL_LIMIT) size += r.size;
            else size1 += r.size;
            if (r.align > minAlign) minAlign = r.align;
        }
    }
    const size0 = calculateIoSize(size, minSize, size1, minAlign);
    if (size0 === 0n) {
        window.flags = 0;
        return;
    }
    window.size = size0;
    window.align = minAlign;
}

/**
 * pbus_size_mem(): the window of `type` holds every child memory resource whose flags (under
 * `mask`) equal `type`, `type2` or `type3`: each counts max(size, alignment); the window's
 * alignment comes from calculate_mem_align() and is at least 1 MiB; the size is raised to `minSize`
 * and rounded to that alignment. Returns false (-ENOSPC) when the bridge has no such window.
 */
export function sizeMemWindow(bus: PlacementBus, mask: number, type: number, type2: number, type3: number, minSize: bigint): boolean {
    const window = findBusResourceOfType(bus, mask | IORESOURCE_PREFETCH, type);
    if (!window) return false;
    if (window.fixed) return true;
    const aligns: bigint[] = new Array<bigint>(MEM_ORDERS).fill(0n);
    let maxOrder = 0;
    let size = 0n;
    for (const device of bus.devices) {
        for (const r of allResources(device)) {
            const masked = r.flags & mask;
            if (r.fixed || (masked !== type && masked !== type2 && masked !== type3)) continue;
            if (r.align <= 0n) continue;
            r.sizedInto = window;
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
        }
    }
    let minAlign = calculateMemAlign(aligns, maxOrder);
    const granule = windowAlignment(bus, window.flags);
    if (granule > minAlign) minAlign = granule;
    const size0 = calculateMemSize(size, minSize, minAlign);
    if (size0 === 0n) {
        window.flags = 0;
        return true;
    }
    window.size = size0;
    window.align = minAlign;
    return true;
}

/**
 * __pci_bus_size_bridges() for one bridge's secondary bus, once the buses below are sized:
 * I/O first; then, with a 64-bit prefetchable window, every 64-bit prefetchable resource goes
 * there and everything else (non-prefetchable, 32-bit prefetchable such as ROMs, 64-bit
 * non-prefetchable) into the 32-bit non-prefetchable window; with only a 32-bit prefetchable
 * window all prefetchable resources go there; with none, everything goes into the memory window.
 */
export function sizeBridgeWindows(bus: PlacementBus, hotplug: HotplugReservation): void {
    const bridge = bus.bridge;
    if (!bridge?.windows) return;
    const extra = bridge.fn.slot?.hotplug ? hotplug : NO_RESERVATION;
    sizeIoWindow(bus, extra.io);

    let mask = IORESOURCE_MEM;
    let prefmask = IORESOURCE_MEM | IORESOURCE_PREFETCH;
    let type2 = 0;
    let type3 = 0;
    let extraMem = extra.mem;
    const pref = bridge.windows.prefetch;
    if (pref && pref.flags & IORESOURCE_MEM_64) {
        prefmask |= IORESOURCE_MEM_64;
        if (sizeMemWindow(bus, prefmask, prefmask, prefmask, prefmask, extra.prefetch)) {
            mask = prefmask;
            type2 = prefmask & ~IORESOURCE_MEM_64;
            type3 = prefmask & ~IORESOURCE_PREFETCH;
        }
    }
    if (!type2) {
        prefmask &= ~IORESOURCE_MEM_64;
        if (sizeMemWindow(bus, prefmask, prefmask, prefmask, prefmask, extra.prefetch)) mask = prefmask;
        else extraMem += extra.prefetch;
        type2 = type3 = IORESOURCE_MEM;
    }
    sizeMemWindow(bus, mask, IORESOURCE_MEM, type2, type3, extraMem);
}
