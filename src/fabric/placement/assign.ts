// Top-down assignment (drivers/pci/setup-bus.c __pci_bus_assign_resources(),
// pbus_assign_resources_sorted(); setup-res.c pci_assign_resource(), __pci_assign_resource();
// bus.c pci_bus_alloc_resource(), pci_bus_alloc_from_region()): bus by bus, parents first, every
// resource of the bus's functions (BARs, ROMs, VF BAR apertures and the windows of bridges on it)
// in decreasing alignment, each first-fit in the first of the bus's windows that accepts its type.
import { windowAperture } from './claim.js';
import {
    IORESOURCE_IO,
    IORESOURCE_MEM_64,
    IORESOURCE_PREFETCH,
    IORESOURCE_TYPE_BITS,
    WINDOW_SLOTS,
    allResources,
    type Aperture,
    type PlacementBus,
    type Resource,
} from './resource.js';

/** arm64's PCIBIOS_MIN_IO and PCIBIOS_MIN_MEM (arch/arm64/include/asm/pci.h). */
const PCIBIOS_MIN_IO = 0x1000n;
const PCIBIOS_MIN_MEM = 0n;

/** pci_bus_region: PCI bus address ranges a resource may be placed in (drivers/pci/bus.c). */
interface Region {
    start: bigint;
    end: bigint;
}
const U64_MAX = (1n << 64n) - 1n;
const PCI_32_BIT: Region = { start: 0n, end: 0xffff_ffffn };
const PCI_64_BIT: Region = { start: 0n, end: U64_MAX };
const PCI_HIGH: Region = { start: 1n << 32n, end: U64_MAX };

const REGIONS_64: readonly Region[] = [PCI_HIGH, PCI_64_BIT];
const REGIONS_32: readonly Region[] = [PCI_32_BIT];

/** The regions pci_bus_alloc_resource() tries: 64-bit resources above 4 GiB first, then anywhere. */
export function regionsFor(flags: number): readonly Region[] {
    return flags & IORESOURCE_MEM_64 ? REGIONS_64 : REGIONS_32;
}

/** The part of an aperture whose bus addresses lie in `region`, in our coordinates; undefined if none. */
export function clipToRegion(aperture: Aperture, region: Region): { start: bigint; end: bigint } | undefined {
    const busStart = aperture.start + aperture.busOffset;
    const busEnd = aperture.end + aperture.busOffset;
    const start = busStart > region.start ? busStart : region.start;
    const end = busEnd < region.end ? busEnd : region.end;
    if (end < start) return undefined;
    return { start: start - aperture.busOffset, end: end - aperture.busOffset };
}

/** Whether pci_bus_alloc_from_region() may use the window for the resource under `typeMask`. */
function windowAccepts(aperture: Aperture, flags: number, typeMask: number): boolean {
    // The type (and, per attempt, prefetch and 64-bit) must match, and a non-prefetchable
    // resource never goes into a prefetchable window.
    if ((flags ^ aperture.flags) & (typeMask | IORESOURCE_TYPE_BITS)) return false;
    return !(aperture.flags & IORESOURCE_PREFETCH) || (flags & IORESOURCE_PREFETCH) !== 0;
}

/** pci_bus_alloc_from_region(): the first of the bus's windows, in order, with room for it. */
function allocateFromRegion(bus: PlacementBus, resource: Resource, typeMask: number, region: Region): boolean {
    for (const aperture of bus.apertures) {
        if (!windowAccepts(aperture, resource.flags, typeMask)) continue;
        // pci_clip_resource_to_region(), in bus addresses.
        const busStart = aperture.start + aperture.busOffset;
        const busEnd = aperture.end + aperture.busOffset;
        const availStart = (busStart > region.start ? busStart : region.start) - aperture.busOffset;
        const availEnd = (busEnd < region.end ? busEnd : region.end) - aperture.busOffset;
        if (availEnd < availStart) continue;
        // PCIBIOS_MIN_IO/MEM protect the bottom of the space, unless the window starts above 0
        // (Linux compares its own resource coordinate: the logical port for I/O).
        let min = availStart;
        if (availStart + aperture.resourceOffset === 0n) {
            min = (resource.flags & IORESOURCE_IO ? PCIBIOS_MIN_IO : PCIBIOS_MIN_MEM) - aperture.resourceOffset;
        }
        if (resource.size > availEnd - min + 1n) continue;
        const alignf = aperture.alignf;
        const start = aperture.free.allocate(resource.size, resource.align, min, availEnd, alignf && ((candidate) => alignf(resource.flags, candidate)));
        if (start === undefined) continue;
        resource.start = start;
        resource.parent = aperture;
        return true;
    }
    return false;
}

const PREF_64 = IORESOURCE_PREFETCH | IORESOURCE_MEM_64;

const ATTEMPTS_PREF_64: readonly number[] = [PREF_64, IORESOURCE_PREFETCH, 0];
const ATTEMPTS_PREF_OR_64: readonly number[] = [PREF_64, 0];
const ATTEMPTS_EXACT: readonly number[] = [PREF_64];

/** The type masks __pci_assign_resource() tries, in order. */
function attemptsFor(flags: number): readonly number[] {
    if ((flags & PREF_64) === PREF_64) return ATTEMPTS_PREF_64;
    if (flags & PREF_64) return ATTEMPTS_PREF_OR_64;
    return ATTEMPTS_EXACT;
}

/**
 * __pci_assign_resource(): an exact prefetch/64-bit match first; then a 64-bit prefetchable
 * resource in a 32-bit prefetchable window; then any memory window (never a prefetchable one for
 * a non-prefetchable resource). This is how a bridge's prefetchable window and 64-bit BARs on the
 * root bus end up in QEMU virt's non-prefetchable 64-bit window, while 32-bit resources stay below
 * 4 GiB.
 */
export function assignResource(bus: PlacementBus, resource: Resource): boolean {
    if (resource.closed) {
        resource.failure = { tried: [], closed: true };
        return false;
    }
    const attempts = attemptsFor(resource.flags);
    const regions = regionsFor(resource.flags);
    for (const typeMask of attempts) {
        for (const region of regions) {
            if (allocateFromRegion(bus, resource, typeMask, region)) return true;
        }
    }
    const tried = bus.apertures.filter((a) => attempts.some((typeMask) => windowAccepts(a, resource.flags, typeMask)));
    const sizedInto = resource.sizedInto;
    resource.failure = { tried, becauseOf: sizedInto?.failure ? sizedInto : undefined };
    return false;
}

/**
 * pdev_sort_resources() over every function of the bus: decreasing alignment, ties in bus and
 * index order. Resources with a place (written, or assigned by an earlier try), disabled ones and
 * those of functions Linux leaves alone are not on the list. On the ACPI path a resource whose
 * required size is 0 (a window that is all optional, a VF BAR aperture) is on it too:
 * assignment gives it its optional size or skips it.
 */
export function resourcesToAssign(bus: PlacementBus, keepEmpty = false): Resource[] {
    const list: Resource[] = [];
    for (const device of bus.devices) {
        if (!device.assignable) continue;
        for (const resource of allResources(device)) {
            if (resource.fixed || resource.parent || resource.flags === 0 || resource.align <= 0n) continue;
            if (resource.size === 0n && !keepEmpty) continue;
            list.push(resource);
        }
    }
    // Array.prototype.sort is stable: equal alignments keep device and resource index order.
    return list.sort((a, b) => (a.align > b.align ? -1 : a.align < b.align ? 1 : 0));
}

/** pci_bus_for_each_resource() below a bridge: its io, mem and prefetch windows, once placed or written. */
export function openBridgeApertures(bus: PlacementBus, root: PlacementBus): void {
    const windows = bus.bridge?.windows;
    if (!windows) return;
    bus.apertures = [];
    for (const slot of WINDOW_SLOTS) {
        const window = windows[slot];
        if (!window || window.flags === 0 || window.start === undefined) continue;
        if (!window.aperture) {
            window.aperture = windowAperture(window, window.parent, root);
            reserveEnhancedAllocation(bus, window.aperture);
        }
        bus.apertures.push(window.aperture);
    }
}

/**
 * A bridge window placed again (realloc) still holds the BARs below it that Enhanced Allocation
 * fixes: they never move, so nothing may be placed on them. (Sizing leaves them out, as
 * pbus_size_mem() skips IORESOURCE_PCI_FIXED, so the window may no longer cover one: checks.ts.)
 */
function reserveEnhancedAllocation(bus: PlacementBus, aperture: Aperture): void {
    for (const device of bus.devices) {
        for (const r of device.resources) {
            if (!r.ea || r.start === undefined || ((r.flags ^ aperture.flags) & IORESOURCE_IO) !== 0) continue;
            const end = r.start + r.size - 1n;
            if (r.start < aperture.start || end > aperture.end) continue;
            aperture.free.reserve(r.start, end);
            r.parent = aperture;
        }
    }
}

/**
 * Assigns every bus of a host bridge, parents first (`buses` in that order). A resource that fits
 * nowhere keeps no address (Linux's reset_resource()), so a window that failed opens no aperture
 * and nothing below can use it.
 */
export function assignBuses(root: PlacementBus, buses: readonly PlacementBus[]): void {
    for (const bus of buses) {
        if (bus.bridge) openBridgeApertures(bus, root);
        for (const resource of resourcesToAssign(bus)) assignResource(bus, resource);
    }
}
