// The device-tree compatibles Xen on Arm has a PCI host-bridge driver for (Xen 4.18,
// xen/arch/arm/pci/: pci-host-generic.c gen_pci_dt_match, pci-host-zynqmp.c nwl_pcie_dt_match).
// dt_pci_init() calls device_init() on every node; a node no driver matches gives -EBADF, which
// dt_pci_init ignores: Xen then has no host bridge there, cannot reach its configuration space,
// and refuses the devices dom0 reports on it (pci_find_host_bridge finds nothing: -ENODEV).
// A node matches when any of its compatible strings is in the table (dt_match_node).
import { matchesCompatible } from '../model/compatible.js';
import type { HostBridge } from '../model/platform.js';

export const XEN_ARM_HOST_BRIDGE_COMPATIBLES: readonly string[] = ['pci-host-ecam-generic', 'xlnx,nwl-pcie-2.0'];

/** A host bridge written without `compatible` is the generic ECAM one (what `export dts` writes). */
export function xenHasHostBridgeDriver(hb: HostBridge): boolean {
    return matchesCompatible(hb.compatible ?? ['pci-host-ecam-generic'], XEN_ARM_HOST_BRIDGE_COMPATIBLES);
}
