// Written (firmware-assigned) resources: kept where they are and claimed before Linux assigns the
// rest, like pci_bus_claim_resources() followed by assignment of what is left. A written resource
// is claimed in the first window of its bus that contains it (pci_find_parent_resource()); when
// its bus's window is computed (not written), or does not contain it, it is claimed further up,
// so that nothing placed later lands on it. Sizing ignores claimed resources (setup-bus.c skips
// `r->parent`), so a written BAR behind a computed window ends up outside it: checks.ts reports it.
import { FreeSpace } from './allocator.js';
import { functionLabel, range, SLOT_OF_INDEX } from './labels.js';
import { IORESOURCE_IO, WINDOW_SLOTS, type Aperture, type PlacementBus, type Resource } from './resource.js';

function sameSpace(a: number, b: number): boolean {
    return ((a ^ b) & IORESOURCE_IO) === 0;
}

function contains(aperture: Aperture, start: bigint, end: bigint): boolean {
    return aperture.start <= start && end <= aperture.end;
}

/** The apertures a bus offers before assignment: host windows, or its bridge's written windows. */
function writtenApertures(bus: PlacementBus): Aperture[] {
    if (!bus.bridge) return bus.apertures;
    const windows = bus.bridge.windows ?? {};
    return WINDOW_SLOTS.map((slot) => windows[slot]?.aperture).filter((a): a is Aperture => a !== undefined);
}

/** The first window, from the resource's own bus upwards, that holds [start, end] in its space. */
function claimingAperture(bus: PlacementBus, flags: number, start: bigint, end: bigint): Aperture | undefined {
    for (let level: PlacementBus | undefined = bus; level; level = level.parent) {
        const found = writtenApertures(level).find((a) => sameSpace(a.flags, flags) && contains(a, start, end));
        if (found) return found;
    }
    return undefined;
}

/** The aperture a bridge window opens on its secondary bus, with the address offsets of the window it sits in. */
export function windowAperture(window: Resource, within: Aperture | undefined, root: PlacementBus): Aperture {
    const start = window.start!;
    const end = start + window.size - 1n;
    // pcibios_resource_to_bus() translates through the host window that contains the address.
    const host = within ?? root.apertures.find((a) => sameSpace(a.flags, window.flags) && contains(a, start, end));
    return {
        start,
        end,
        flags: window.flags,
        busOffset: host?.busOffset ?? 0n,
        resourceOffset: host?.resourceOffset ?? 0n,
        free: new FreeSpace(start, end),
        label: `${SLOT_OF_INDEX[window.index]} window ${range(start, end)} of ${functionLabel(window.owner.fn)}`,
        loc: window.loc,
        hostBridge: root.hostBridge,
        window,
        alignf: host?.alignf,
    };
}

/**
 * Opens the written bridge windows (parents first) and claims every written resource. `buses` is
 * the host bridge's buses parent-first.
 */
export function claimWrittenResources(root: PlacementBus, buses: readonly PlacementBus[]): void {
    for (const bus of buses) {
        for (const device of bus.devices) {
            for (const slot of WINDOW_SLOTS) {
                const window = device.windows?.[slot];
                if (!window?.fixed || window.start === undefined) continue;
                const end = window.start + window.size - 1n;
                const parent = claimingAperture(bus, window.flags, window.start, end);
                if (parent) {
                    window.parent = parent;
                    parent.free.reserve(window.start, end);
                }
                window.aperture = windowAperture(window, parent, root);
            }
        }
    }
    for (const bus of buses) {
        for (const device of bus.devices) {
            for (const resource of device.resources) {
                if (!resource.fixed || resource.start === undefined) continue;
                const end = resource.start + resource.size - 1n;
                const parent = claimingAperture(bus, resource.flags, resource.start, end);
                if (!parent) continue;
                resource.parent = parent;
                parent.free.reserve(resource.start, end);
            }
        }
    }
}

