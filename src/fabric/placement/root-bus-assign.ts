// The ACPI placement path (drivers/pci/setup-bus.c pci_assign_unassigned_root_bus_resources(),
// pci_realloc_detect(), pci_bus_release_bridge_resources(), pci_bridge_release_resources()):
// how Linux 6.1 places what firmware left to it on an ACPI boot (arm64 pci_acpi_scan_root(), x86
// pcibios_assign_resources()), as opposed to pci_host_probe() on a device-tree boot.
//
// - Linux sizes every window with the realloc list (bridge-windows.ts) and assigns bus by bus,
//   parents first, each bus through realloc-assign.ts; one try, unless realloc is enabled.
// - Realloc is enabled by `pci=realloc` (`linux { realloc }`), or automatically
//   (CONFIG_PCI_REALLOC_ENABLE_AUTO, set in Debian's kernels) when firmware left an SR-IOV VF BAR
//   unassigned. Then Linux makes up to (depth of the bus tree + 1) tries: every try but the last
//   sizes without the realloc list (reservations and VF BARs required, as pci_host_probe() does);
//   after a try where something failed it releases the window of the bridge above each failure
//   (only bridges with no bridge below them on the second try, whole subtrees from the third),
//   keeps everything else where it is, and sizes and assigns what is unplaced again. Released
//   windows keep their old size as a minimum, so they only grow.
import type { Platform } from '../../model/platform.js';
import { openBridgeApertures, resourcesToAssign } from './assign.js';
import { sizeBridgeWindows, type HotplugReservation } from './bridge-windows.js';
import { busesBottomUp } from './bus-tree.js';
import { assignSorted, releaseResource, type FailedResource } from './realloc-assign.js';
import { ReallocList } from './realloc-list.js';
import { IORESOURCE_IO, IORESOURCE_MEM, IORESOURCE_MEM_64, IORESOURCE_PREFETCH, allResources, type PlacementBus, type Resource } from './resource.js';

const PCI_RES_TYPE_MASK = IORESOURCE_IO | IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64;

/**
 * Linux boots the platform through ACPI, so it places resources with
 * pci_assign_unassigned_root_bus_resources(): the platform has an IORT, a host bridge whose
 * configuration space is an MCFG region, or is x86 (whose host bridges always come from ACPI);
 * `linux { realloc }` asks for that path on any platform.
 */
export function linuxPlacesThroughTheReallocList(platform: Platform): boolean {
    if (platform.linux.realloc || platform.iort || platform.arch === 'x86_64') return true;
    return platform.hostBridges.some((hb) => hb.ecam?.convention === 'mcfg');
}

/**
 * pci_realloc_detect() with CONFIG_PCI_REALLOC_ENABLE_AUTO: realloc is on when asked for, or when
 * firmware left a VF BAR unassigned. A description says what firmware assigned by writing
 * addresses, so a PF whose own BARs are written but one of whose VF BARs is not had its VF BARs
 * left to Linux. A PF with nothing written says nothing about firmware: UEFI (EDK2) assigns VF
 * BARs, which the oracle confirms (no automatic realloc with two SR-IOV PFs).
 */
export function reallocEnabled(platform: Platform, root: PlacementBus): boolean {
    if (platform.linux.realloc) return true;
    for (const bus of busesBelow(root)) {
        for (const device of bus.devices) {
            const vfBars = device.resources.filter((r) => r.role === 'vf-bar');
            if (vfBars.length === 0 || !device.resources.some((r) => r.role === 'bar' && r.fixed)) continue;
            if (vfBars.some((r) => !r.fixed)) return true;
        }
    }
    return false;
}

function* busesBelow(root: PlacementBus): Generator<PlacementBus> {
    const stack = [root];
    while (stack.length > 0) {
        const bus = stack.pop()!;
        yield bus;
        for (const device of bus.devices) if (device.subordinate) stack.push(device.subordinate);
    }
}

/** pci_bus_get_depth(): how many levels of buses lie below the root bus. */
function busDepth(buses: readonly PlacementBus[]): number {
    const depth = new Map<PlacementBus, number>();
    let max = 0;
    for (const bus of buses) {
        const d = bus.parent ? depth.get(bus.parent)! + 1 : 0;
        depth.set(bus, d);
        if (d > max) max = d;
    }
    return max;
}

/**
 * Releases a placed resource and, for a window, everything placed in it, keeping their sizes
 * (release_child_resources()). Written ones go too: firmware's windows are what realloc exists to
 * replace, and once released they are Linux's to place, at least as large as before.
 */
function releaseWithChildren(r: Resource): void {
    const aperture = r.aperture;
    if (r.fixed && r.start !== undefined && !r.parent) return; // written where no window holds it: never claimed
    if (r.ea) return; // Enhanced Allocation: the hardware's address, IORESOURCE_PCI_FIXED
    releaseResource(r);
    r.fixed = false;
    if (r.role !== 'window' || !aperture) return;
    r.aperture = undefined;
    const below = r.owner.subordinate;
    if (!below) return;
    for (const bus of busesBelow(below)) {
        for (const device of bus.devices) {
            for (const child of allResources(device)) {
                if (child.parent === aperture) releaseWithChildren(child);
            }
        }
    }
}

/**
 * pci_bridge_release_resources(): the one window of the bridge above `bus` that serves the failed
 * type: I/O for I/O; the memory window for non-prefetchable memory; the prefetchable window for
 * 64-bit prefetchable memory if it is 64-bit, or for any prefetchable memory if it is 32-bit;
 * otherwise the memory window.
 */
function releaseBridgeWindow(bus: PlacementBus, type: number): void {
    const windows = bus.bridge?.windows;
    if (!windows) return;
    const pref = windows.prefetch;
    let slot: 'io' | 'mem' | 'prefetch';
    if (type & IORESOURCE_IO) slot = 'io';
    else if (!(type & IORESOURCE_PREFETCH)) slot = 'mem';
    else if (type & IORESOURCE_MEM_64 && pref && pref.flags & IORESOURCE_MEM_64) slot = 'prefetch';
    else if (pref && !(pref.flags & IORESOURCE_MEM_64) && pref.flags & IORESOURCE_PREFETCH) slot = 'prefetch';
    else slot = 'mem';
    const window = windows[slot];
    if (!window || !window.parent) return;
    releaseWithChildren(window);
}

/** Only PCI-to-PCI bridges (class 0x0604) have their windows released (not CardBus, not host bridges). */
function isPciBridge(bus: PlacementBus): boolean {
    const fn = bus.bridge?.fn;
    return fn !== undefined && (fn.classCode === undefined || fn.classCode >> 8n === 0x0604n);
}

/** pci_bus_release_bridge_resources(): the leaf bridge above `bus`, or every bridge of its subtree. */
function releaseBridgeResources(bus: PlacementBus, type: number, wholeSubtree: boolean): void {
    let leaf = true;
    for (const device of bus.devices) {
        const below = device.subordinate;
        if (!below) continue;
        leaf = false;
        if (wholeSubtree && isPciBridge(below)) releaseBridgeResources(below, type, wholeSubtree);
    }
    if (!bus.bridge || !isPciBridge(bus)) return;
    if (wholeSubtree || leaf) releaseBridgeWindow(bus, type);
}

/** One try: size bottom-up, then assign parents first (__pci_bus_size_bridges, __pci_bus_assign_resources). */
function assignOnce(root: PlacementBus, buses: readonly PlacementBus[], bottomUp: readonly PlacementBus[], hotplug: HotplugReservation, realloc: ReallocList | undefined, fail: FailedResource[]): void {
    for (const bus of bottomUp) sizeBridgeWindows(bus, hotplug, realloc);
    for (const bus of buses) {
        if (bus.bridge) openBridgeApertures(bus, root);
        assignSorted(resourcesToAssign(bus, true), realloc, fail);
    }
}

/**
 * pci_assign_unassigned_root_bus_resources() for one host bridge: `buses` parents first. Tries
 * as described above; what still fails after the last try keeps no address (and its failure).
 */
export function assignRootBusResources(platform: Platform, root: PlacementBus, buses: readonly PlacementBus[], hotplug: HotplugReservation): void {
    const tries = reallocEnabled(platform, root) ? busDepth(buses) + 1 : 1;
    const bottomUp = busesBottomUp(root);
    // Failed resources not on the fail list (ROMs) stay reset for the later tries: flags 0, so
    // neither sized nor assigned again. Their flags come back at the end, for the findings.
    const resetRoms = new Map<Resource, number>();
    for (let tried = 0; ; ) {
        const realloc = tried + 1 === tries ? new ReallocList() : undefined;
        const fail: FailedResource[] = [];
        assignOnce(root, buses, bottomUp, hotplug, realloc, fail);
        tried++;
        if (fail.length === 0 || tried >= tries) break;
        const wholeSubtree = tried + 1 > 2;
        for (const f of fail) releaseBridgeResources(f.resource.owner.bus, f.flags & PCI_RES_TYPE_MASK, wholeSubtree);
        // "Restore size and flags": a failed bridge window is resized from scratch next time.
        const failed = new Set<Resource>();
        for (const f of fail) {
            const r = f.resource;
            failed.add(r);
            r.size = f.size;
            r.align = f.align;
            r.flags = r.role === 'window' ? 0 : f.flags;
            r.failure = undefined;
        }
        for (const bus of buses) {
            for (const device of bus.devices) {
                for (const r of device.resources) {
                    if (r.failure && r.start === undefined && !failed.has(r) && r.flags !== 0) {
                        resetRoms.set(r, r.flags);
                        r.flags = 0;
                    }
                }
            }
        }
    }
    for (const [r, flags] of resetRoms) r.flags = flags;
}

