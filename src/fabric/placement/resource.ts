// The placement's working objects: Linux's `struct resource` for one BAR, ROM, VF BAR aperture or
// bridge window, and the apertures (host-bridge windows and placed bridge windows) resources are
// allocated from. Flags are Linux's IORESOURCE_* bits (include/linux/ioport.h) so that the type
// matching in bridge-windows.ts and assign.ts can be written exactly as setup-bus.c and
// setup-res.c write it.
import type { HostBridge, PciFunction } from '../../model/platform.js';
import type { SourceLoc } from '../../model/source.js';
import type { FreeSpace } from './allocator.js';
import type { FirmwareWindow } from './firmware-windows.js';

export const IORESOURCE_IO = 0x100;
export const IORESOURCE_MEM = 0x200;
export const IORESOURCE_PREFETCH = 0x2000;
export const IORESOURCE_MEM_64 = 0x100000;
/** IORESOURCE_TYPE_BITS: what pci_bus_alloc_from_region() always compares. */
export const IORESOURCE_TYPE_BITS = IORESOURCE_IO | IORESOURCE_MEM;

/** Linux's dev->resource[] indices (CONFIG_PCI_IOV): they order resources of equal alignment. */
export const PCI_ROM_RESOURCE = 6;
export const PCI_IOV_RESOURCES = 7;
export const PCI_BRIDGE_RESOURCES = 13;

export type ResourceRole = 'bar' | 'rom' | 'vf-bar' | 'window';

/** A bridge's three windows, in Linux's order (PCI_BRIDGE_IO/MEM/PREF_MEM_WINDOW). */
export type WindowSlot = 'io' | 'mem' | 'prefetch';
export const WINDOW_SLOTS: readonly WindowSlot[] = ['io', 'mem', 'prefetch'];

export interface Resource {
    owner: PlacementDevice;
    role: ResourceRole;
    /** BAR or VF BAR index; for windows 0 (io), 1 (mem), 2 (prefetch). */
    index: number;
    /** Index in Linux's dev->resource[]: ties in alignment keep this order. */
    linuxIndex: number;
    /** IORESOURCE_* bits; 0 once Linux disabled the resource (unused window, failed assignment). */
    flags: number;
    size: bigint;
    /** pci_resource_alignment(): the size for BARs and ROMs, the VF BAR size for SR-IOV, the computed minimum for windows. */
    align: bigint;
    /** Written in the description (firmware-assigned): kept where it is, never moved. */
    fixed: boolean;
    /** Fixed by Enhanced Allocation (IORESOURCE_PCI_FIXED): not even realloc releases it. */
    ea: boolean;
    /** First address: CPU address for memory, PCI I/O port for I/O. Undefined while unplaced. */
    start?: bigint;
    /** The aperture it was allocated or claimed in. */
    parent?: Aperture;
    /** Why it has no address, once placement gave up on it. */
    failure?: PlacementFailure;
    /** The bridge window it was counted into when that window was sized. */
    sizedInto?: Resource;
    /** Windows: the aperture it opens on the secondary bus, once placed or written. */
    aperture?: Aperture;
    /** Windows: the flags the bridge implements (pci_bridge_check_ranges()); 0 for other resources. */
    windowFlags: number;
    /** Unwritten windows above firmware-placed resources: what they cover (firmware-windows.ts). */
    firmware?: FirmwareWindow;
    /** Windows written `window … none`: sized as Linux sizes it, never assigned (the machine had it closed). */
    closed?: boolean;
    loc: SourceLoc;
}

export interface PlacementFailure {
    /** The windows Linux tried (their free space goes into the message). */
    tried: Aperture[];
    /** The bridge window it was sized into, when that window could not be placed itself. */
    becauseOf?: Resource;
    /**
     * ACPI path: the resource needed nothing and failed at its optional size (a hot-plug port's
     * reservation, a VF BAR aperture), after everything required was placed.
     */
    optional?: boolean;
    /** The window is written closed (`window … none`): nothing was tried. */
    closed?: boolean;
}

/**
 * An address range resources are allocated from: a host-bridge window (root bus) or a bridge
 * window once placed or written (its secondary bus). Coordinates are CPU addresses for memory and
 * PCI I/O ports for I/O.
 */
export interface Aperture {
    start: bigint;
    end: bigint;
    flags: number;
    /** PCI bus address minus our coordinate (a host window's `pci` offset; 0 for I/O). */
    busOffset: bigint;
    /**
     * Linux's resource coordinate minus ours: I/O windows live at a logical port number
     * (pci_address_to_pio), memory at the CPU address (0).
     */
    resourceOffset: bigint;
    free: FreeSpace;
    /** `mem32 window 0x10000000..0x3efeffff of host bridge pcie` */
    label: string;
    loc: SourceLoc;
    hostBridge: HostBridge;
    /** The bridge window it is, or undefined for a host-bridge window. */
    window?: Resource;
    /** The architecture's pcibios_align_resource() (x86-align.ts); absent where it changes nothing (arm64). */
    alignf?: (flags: number, start: bigint) => bigint;
}

/** One PCI function as placement sees it: its resources and, for bridges, its windows. */
export interface PlacementDevice {
    fn: PciFunction;
    /** The bus it sits on. */
    bus: PlacementBus;
    /** BARs, ROM and VF BAR apertures, in Linux's resource index order. */
    resources: Resource[];
    /** Bridges: io, mem, prefetch windows (undefined where the bridge has none). */
    windows?: Partial<Record<WindowSlot, Resource>>;
    /** Bridges: the bus below. */
    subordinate?: PlacementBus;
    /**
     * Whether Linux assigns this function's resources: __dev_sort_resources() leaves functions of
     * class 0x0000xx (not defined) and 0x0600xx (host bridge) alone.
     */
    assignable: boolean;
}

export interface PlacementBus {
    hostBridge: HostBridge;
    /** The bridge above; undefined for the root bus. */
    bridge?: PlacementDevice;
    /** The parent bus (undefined for the root bus). */
    parent?: PlacementBus;
    /** The functions on the bus, in the order Linux's scan finds them (device, then function). */
    devices: PlacementDevice[];
    /**
     * pci_bus_for_each_resource(): the host windows in `ranges` order on the root bus, the bridge's
     * io, mem and prefetch windows below a bridge (those placed or written).
     */
    apertures: Aperture[];
}

/**
 * A resource as Linux reads it from the hardware: written (firmware-assigned) when it comes with
 * an address. Every field is set here so that all resources share one object shape.
 */
export function newResource(
    owner: PlacementDevice,
    role: ResourceRole,
    index: number,
    linuxIndex: number,
    flags: number,
    size: bigint,
    align: bigint,
    start: bigint | undefined,
    loc: SourceLoc,
    ea = false,
): Resource {
    return {
        owner,
        role,
        index,
        linuxIndex,
        flags,
        size,
        align,
        fixed: start !== undefined,
        ea,
        start,
        parent: undefined,
        failure: undefined,
        sizedInto: undefined,
        aperture: undefined,
        windowFlags: 0,
        firmware: undefined,
        loc,
    };
}

/** Every resource of a device that Linux sizes and assigns with it: BARs, ROM, VF BARs, then windows. */
export function allResources(device: PlacementDevice): Resource[] {
    if (!device.windows) return device.resources;
    const windows = WINDOW_SLOTS.map((slot) => device.windows![slot]).filter((w): w is Resource => w !== undefined);
    return [...device.resources, ...windows];
}
