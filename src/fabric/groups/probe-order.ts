// The order in which Linux hands devices to the IOMMU driver. It decides group numbering and,
// where two masters share a StreamID, which one the SMMUv3 driver accepts (oracle note 2).
import type { Platform } from '../../model/platform.js';
import type { FabricFunction, Topology } from '../topology.js';

/**
 * `boot`: on a DT or ACPI boot the port drivers (pcieport, shpchp) are built in and bind while
 * pci_bus_add_devices runs, so every bridge is probed first; endpoint drivers are modules that
 * udev loads afterwards, and driver_attach walks the bus's devices in add order. (The oracle's
 * legacy topology: 03:02.0, a bridge, wins StreamID 0x300 over 03:01.0 at boot.)
 * `rescan`: every driver is already loaded, so devices are probed as they are added (the oracle's
 * remove-and-rescan: 03:01.0 wins).
 * `bus`: the x86 IOMMU drivers (VT-d, AMD-Vi) register after PCI enumeration and
 * bus_iommu_probe walks the PCI bus's devices in the order they were added (bus_for_each_dev),
 * grouping each: the add order (the x86 oracle's group numbers).
 * VFs come last in all three: they appear when the PF driver enables SR-IOV.
 */
export type ProbeOrder = 'boot' | 'rescan' | 'bus';

/**
 * The order on each path of Linux 6.1: device tree (of_iommu_configure) and IORT
 * (acpi_dma_configure) set a device's IOMMU up when its driver probes it (`boot`); VT-d and
 * AMD-Vi group every device when the IOMMU registers (`bus`).
 */
export function defaultProbeOrder(platform: Platform): ProbeOrder {
    return platform.arch === 'x86_64' ? 'bus' : 'boot';
}

/**
 * Device add order, pci_bus_add_devices (linux:drivers/pci/bus.c): every device on a bus (in
 * devfn order, as pci_scan_child_bus found them), then each bridge's secondary bus recursively;
 * host bridges in enumeration order; then the VFs of each PF in that order.
 */
export function addOrder(topology: Topology): FabricFunction[] {
    const out: FabricFunction[] = [];
    const visible = (fs: readonly FabricFunction[]) => fs.filter((f) => !f.invisible).sort((a, b) => (a.devfn < b.devfn ? -1 : a.devfn > b.devfn ? 1 : 0));
    // Iterative per-bus recursion (deep bridge chains must not overflow the stack).
    const visitBus = (root: readonly FabricFunction[]) => {
        const stack: FabricFunction[][] = [visible(root)];
        while (stack.length > 0) {
            const bus = stack.pop()!;
            out.push(...bus);
            const children = bus.filter((f) => f.downstream.length > 0).map((f) => visible(f.downstream));
            for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
        }
    };
    for (const hb of topology.hostBridges) visitBus(hb.root);
    const vfs = out.flatMap((f) => f.vfs.filter((vf) => !vf.invisible));
    return [...out, ...vfs];
}

/** The probe order, from the add order (addOrder). */
export function probeOrder(added: readonly FabricFunction[], order: ProbeOrder): FabricFunction[] {
    if (order === 'rescan' || order === 'bus') return [...added];
    const isVf = (f: FabricFunction) => f.isVf;
    const isBridge = (f: FabricFunction) => f.secondary !== undefined && !f.isVf;
    return [...added.filter(isBridge), ...added.filter((f) => !isBridge(f) && !isVf(f)), ...added.filter(isVf)];
}
