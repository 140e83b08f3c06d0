// Resource placement: where Linux 6.1 puts every BAR, expansion ROM, SR-IOV VF BAR aperture and
// bridge window when firmware left them unassigned. Two paths, as in Linux:
// - device tree, the generic ECAM host without firmware (pci_host_probe(): pci_bus_size_bridges()
//   then pci_bus_assign_resources(); DOMAIN B.5.4.4);
// - ACPI (IORT, MCFG, x86) or `linux { realloc }`: pci_assign_unassigned_root_bus_resources()
//   with the realloc list and its tries (root-bus-assign.ts).
// Written addresses and windows are firmware's: kept, claimed first, and checked.
//
// 1. bus-tree.ts   the buses, functions in scan order, their resources (bar-sizing.ts);
//    firmware-windows.ts  unwritten windows above written resources, covering them
// 2. bridge-windows.ts  window sizes, children first (with optional sizes on the ACPI path)
// 3. claim.ts      written resources claimed in their windows
// 4. assign.ts     top-down, first-fit, decreasing alignment (realloc-assign.ts on the ACPI path)
// 5. checks.ts     findings
import type { HostWindow, PciFunction, Platform } from '../../model/platform.js';
import type { Topology } from '../topology.js';
import { assignBuses } from './assign.js';
import { hotplugReservation, sizeBridgeWindows } from './bridge-windows.js';
import { buildBusTree, busesTopDown, hostApertures } from './bus-tree.js';
import { placementFindings, type PlacedHostBridge } from './checks.js';
import { claimWrittenResources } from './claim.js';
import { coverFirmwareResources } from './firmware-windows.js';
import { x86AlignResource } from './x86-align.js';
import { assignRootBusResources, linuxPlacesThroughTheReallocList } from './root-bus-assign.js';
import { IORESOURCE_IO, IORESOURCE_MEM_64, IORESOURCE_PREFETCH, WINDOW_SLOTS, type Resource } from './resource.js';
import type { BridgePlacement, FunctionPlacement, PlacementResult, WindowPlacement } from './result.js';
import { checkCancelled } from '../../util/cancellation.js';

export type { BridgePlacement, FunctionPlacement, PlacementResult, WindowPlacement } from './result.js';
export { vfBarAddress } from './result.js';

export interface PlacementOptions {
    /**
     * The enumerated fabric: functions Linux's scan never finds (`invisible`) get no resources.
     * Without it every declared function is taken as visible.
     */
    topology?: Topology;
}

/**
 * Linux's logical I/O port of each host I/O window. On arm64 every host bridge's I/O range is
 * registered in turn (pci_register_io_range()) and numbered from 0 (pci_address_to_pio()), so only
 * the first range starts at port 0 and gets PCIBIOS_MIN_IO's protection; x86 ports are physical.
 */
function ioLogicalBases(platform: Platform): Map<HostWindow, bigint> {
    const bases = new Map<HostWindow, bigint>();
    let next = 0n;
    for (const hostBridge of platform.hostBridges) {
        for (const window of hostBridge.windows) {
            if (window.kind !== 'io') continue;
            if (platform.arch === 'x86_64') {
                bases.set(window, window.cpuBase);
            } else {
                bases.set(window, next);
                next += window.size;
            }
        }
    }
    return bases;
}

function hiddenFunctions(topology: Topology | undefined): Set<PciFunction> {
    const hidden = new Set<PciFunction>();
    for (const f of topology?.functions ?? []) {
        if (f.invisible !== undefined && !f.isVf) hidden.add(f.decl);
    }
    return hidden;
}

export function placeResources(platform: Platform, options: PlacementOptions = {}): PlacementResult {
    const hidden = hiddenFunctions(options.topology);
    const ioBases = ioLogicalBases(platform);
    const hotplug = hotplugReservation(platform.linux);
    const acpi = linuxPlacesThroughTheReallocList(platform);
    const hosts: PlacedHostBridge[] = [];
    for (const hostBridge of platform.hostBridges) {
        checkCancelled();
        const apertures = hostApertures(hostBridge, (window) => ioBases.get(window) ?? 0n, platform.arch === 'x86_64' ? x86AlignResource : undefined);
        const root = buildBusTree(hostBridge, apertures, hidden);
        const buses = busesTopDown(root);
        coverFirmwareResources(root, buses);
        if (acpi) {
            claimWrittenResources(root, buses);
            assignRootBusResources(platform, root, buses, hotplug);
        } else {
            for (let i = buses.length - 1; i >= 0; i--) sizeBridgeWindows(buses[i]!, hotplug);
            claimWrittenResources(root, buses);
            assignBuses(root, buses);
        }
        hosts.push({ root, buses });
    }
    return { ...collect(hosts), findings: placementFindings(hosts) };
}

function windowPlacement(window: Resource | undefined): WindowPlacement | undefined {
    if (!window || window.start === undefined || window.flags === 0) return undefined;
    const kind = window.flags & IORESOURCE_IO ? 'io' : window.flags & IORESOURCE_MEM_64 ? 'mem64' : 'mem32';
    return {
        kind,
        prefetchable: (window.flags & IORESOURCE_PREFETCH) !== 0,
        start: window.start,
        end: window.start + window.size - 1n,
        written: window.fixed && !window.firmware,
        ...(window.firmware && window.fixed ? { coversFirmware: true } : {}),
    };
}

function collect(hosts: readonly PlacedHostBridge[]): Pick<PlacementResult, 'functions' | 'bridges'> {
    const functions = new Map<string, FunctionPlacement>();
    const bridges = new Map<string, BridgePlacement>();
    for (const { buses } of hosts) {
        for (const bus of buses) {
            for (const device of bus.devices) {
                const placement: FunctionPlacement = { bars: new Map(), rom: undefined, vfBars: undefined };
                for (const resource of device.resources) {
                    if (resource.start === undefined) continue;
                    if (resource.role === 'bar') placement.bars.set(resource.index, resource.start);
                    else if (resource.role === 'rom') placement.rom = resource.start;
                    else if (resource.role === 'vf-bar') (placement.vfBars ??= new Map()).set(resource.index, resource.start);
                }
                functions.set(device.fn.name, placement);
                if (!device.windows) continue;
                const bridge: BridgePlacement = {};
                for (const slot of WINDOW_SLOTS) {
                    const window = windowPlacement(device.windows[slot]);
                    if (window) bridge[slot] = window;
                }
                bridges.set(device.fn.name, bridge);
            }
        }
    }
    return { functions, bridges };
}
