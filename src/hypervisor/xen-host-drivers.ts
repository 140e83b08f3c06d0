// The device-tree compatibles Xen on Arm has a PCI host-bridge driver for (Xen 4.19,
// xen/arch/arm/pci/: pci-host-generic.c gen_pci_dt_match, pci-host-zynqmp.c nwl_pcie_dt_match,
// and the DesignWare glue of R-Car Gen4, pci-host-rcar4.c rcar4_pcie_dt_match, new in 4.19).
// dt_pci_init() calls device_init() on every node; a node no driver matches gives -EBADF, which
// dt_pci_init ignores: Xen then has no host bridge there, cannot reach its configuration space,
// and refuses the devices dom0 reports on it (pci_find_host_bridge finds nothing: -ENODEV).
// A node matches when any of its compatible strings is in the table (dt_match_node).
import { matchesCompatible } from '../model/compatible.js';
import type { HostBridge } from '../model/platform.js';

/** Xen's only DesignWare host bridges (pci-host-rcar4.c over pci-designware.c, which programs the iATU per access). */
export const XEN_DESIGNWARE_COMPATIBLES: readonly string[] = ['renesas,r8a779f0-pcie', 'renesas,r8a779g0-pcie'];

export const XEN_ARM_HOST_BRIDGE_COMPATIBLES: readonly string[] = ['pci-host-ecam-generic', 'xlnx,nwl-pcie-2.0', ...XEN_DESIGNWARE_COMPATIBLES];

/** A host bridge written without `compatible` is the generic ECAM one (what `export dts` writes). */
export function xenHasHostBridgeDriver(hb: HostBridge): boolean {
    return matchesCompatible(hb.compatible ?? ['pci-host-ecam-generic'], XEN_ARM_HOST_BRIDGE_COMPATIBLES);
}
