// The buses placement works on, built from the model tree (HostBridge.functions,
// PciFunction.children): each bus's functions in the order Linux's scan finds them, each function's
// resources, and the root bus's apertures (the host bridge's `ranges` windows). Bus numbers are not
// needed: Linux sizes and assigns bus by bus, parent before child, in device order.
import { isBridge, type HostBridge, type HostWindow, type PciFunction } from '../../model/platform.js';
import { FreeSpace } from './allocator.js';
import { functionResources } from './bar-sizing.js';
import { bridgeWindowResources } from './bridge-windows.js';
import { hostBridgeLabel, range } from './labels.js';
import { IORESOURCE_IO, IORESOURCE_MEM, IORESOURCE_MEM_64, IORESOURCE_PREFETCH, type Aperture, type PlacementBus, type PlacementDevice } from './resource.js';

/** pci_scan_child_bus() probes devfn upwards: device, then function (ARI functions are device 0). */
function scanKey(fn: PciFunction): number {
    return Number(fn.address.device) * 256 + Number(fn.address.fn);
}

/** The visible functions of a bus in scan order (a stable sort; no copy-sort when already in order). */
function inScanOrder(functions: readonly PciFunction[], hidden: ReadonlySet<PciFunction>): PciFunction[] {
    const visible = hidden.size === 0 ? [...functions] : functions.filter((fn) => !hidden.has(fn));
    const keys = visible.map(scanKey);
    let sorted = true;
    for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! <= keys[i]!;
    if (sorted) return visible;
    const order = visible.map((fn, i) => ({ fn, key: keys[i]! }));
    order.sort((a, b) => a.key - b.key);
    return order.map((o) => o.fn);
}

/**
 * __dev_sort_resources(): Linux does not touch the resources of "classless" functions (class
 * 0x0000xx) and host bridges (0x0600xx), such as the host-bridge function QEMU puts at 00:00.0.
 */
export function linuxAssignsResourcesOf(fn: PciFunction): boolean {
    if (fn.classCode === undefined) return true;
    const baseAndSub = fn.classCode >> 8n;
    return baseAndSub !== 0x0000n && baseAndSub !== 0x0600n;
}

/** The windows of a host bridge as root-bus apertures, in `ranges` order. */
export function hostApertures(hostBridge: HostBridge, ioLogicalBase: (window: HostWindow) => bigint, alignf?: Aperture['alignf']): Aperture[] {
    const apertures: Aperture[] = [];
    for (const window of hostBridge.windows) {
        if (window.size <= 0n) continue;
        const io = window.kind === 'io';
        // Our coordinates: the PCI I/O port for I/O (what the BAR holds), the CPU address for memory.
        const start = io ? window.pciBase : window.cpuBase;
        let flags = io ? IORESOURCE_IO : IORESOURCE_MEM;
        if (window.kind === 'mem64') flags |= IORESOURCE_MEM_64;
        if (!io && window.prefetchable) flags |= IORESOURCE_PREFETCH;
        const end = start + window.size - 1n;
        apertures.push({
            start,
            end,
            flags,
            busOffset: io ? 0n : window.pciBase - window.cpuBase,
            resourceOffset: io ? ioLogicalBase(window) - window.pciBase : 0n,
            free: new FreeSpace(start, end),
            label: `${window.kind}${window.prefetchable ? ' prefetch' : ''} window ${range(start, end)} of ${hostBridgeLabel(hostBridge)}`,
            loc: window.loc,
            hostBridge,
            alignf,
        });
    }
    return apertures;
}

/**
 * The root bus of a host bridge and every bus below it. Functions in `hidden` (Linux's scan never
 * finds them) are left out with everything below them.
 */
export function buildBusTree(hostBridge: HostBridge, apertures: Aperture[], hidden: ReadonlySet<PciFunction>): PlacementBus {
    const root: PlacementBus = { hostBridge, devices: [], apertures };
    // Iterative, so a deep (even absurdly deep) hierarchy cannot overflow the stack.
    const pending: { bus: PlacementBus; functions: PciFunction[] }[] = [{ bus: root, functions: hostBridge.functions }];
    while (pending.length > 0) {
        const { bus, functions } = pending.pop()!;
        for (const fn of inScanOrder(functions, hidden)) {
            const device: PlacementDevice = { fn, bus, resources: [], assignable: linuxAssignsResourcesOf(fn) };
            device.resources = functionResources(device);
            if (isBridge(fn.kind)) {
                device.windows = bridgeWindowResources(device);
                const subordinate: PlacementBus = { hostBridge, bridge: device, parent: bus, devices: [], apertures: [] };
                device.subordinate = subordinate;
                pending.push({ bus: subordinate, functions: fn.children });
            }
            bus.devices.push(device);
        }
    }
    return root;
}

/** Buses parent-first (pre-order); reversed, children-first. */
export function busesTopDown(root: PlacementBus): PlacementBus[] {
    const order: PlacementBus[] = [];
    const stack: PlacementBus[] = [root];
    while (stack.length > 0) {
        const bus = stack.pop()!;
        order.push(bus);
        for (let i = bus.devices.length - 1; i >= 0; i--) {
            const sub = bus.devices[i]!.subordinate;
            if (sub) stack.push(sub);
        }
    }
    return order;
}

/**
 * Buses children-first in the order __pci_bus_size_bridges() recurses: each bridge's subtree in
 * device order, then the bus itself (post-order). Sizes do not depend on the order of siblings,
 * but the realloc list does: its entries are added in this order.
 */
export function busesBottomUp(root: PlacementBus): PlacementBus[] {
    const order: PlacementBus[] = [];
    const stack: { bus: PlacementBus; next: number }[] = [{ bus: root, next: 0 }];
    while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const devices = top.bus.devices;
        while (top.next < devices.length && !devices[top.next]!.subordinate) top.next++;
        if (top.next < devices.length) {
            const sub = devices[top.next++]!.subordinate!;
            stack.push({ bus: sub, next: 0 });
        } else {
            order.push(top.bus);
            stack.pop();
        }
    }
    return order;
}
