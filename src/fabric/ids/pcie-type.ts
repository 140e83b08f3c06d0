// What Linux learns from a function's PCI Express capability: whether it has one at all
// (pci_is_pcie) and its Device/Port Type (pci_pcie_type). The alias walk and the ACS rules
// branch on exactly these, so they are derived from the declared kind in one place.
import type { FunctionKind } from '../../model/platform.js';
import { bdfText } from '../pci-text.js';
import type { FabricFunction } from '../topology.js';

/** PCIe Device/Port Type values (PCI_EXP_TYPE_*, include/uapi/linux/pci_regs.h). */
export type PcieType =
    | 'endpoint' // 0x0 PCI_EXP_TYPE_ENDPOINT
    | 'legacy-endpoint' // 0x1 PCI_EXP_TYPE_LEG_END
    | 'root-port' // 0x4 PCI_EXP_TYPE_ROOT_PORT
    | 'upstream' // 0x5 PCI_EXP_TYPE_UPSTREAM
    | 'downstream' // 0x6 PCI_EXP_TYPE_DOWNSTREAM
    | 'pcie-to-pci-bridge' // 0x7 PCI_EXP_TYPE_PCI_BRIDGE
    | 'pci-to-pcie-bridge' // 0x8 PCI_EXP_TYPE_PCIE_BRIDGE
    | 'rc-endpoint' // 0x9 PCI_EXP_TYPE_RC_END
    | 'rc-event-collector'; // 0xa PCI_EXP_TYPE_RC_EC

const PCIE_TYPE: Record<FunctionKind, PcieType | undefined> = {
    endpoint: 'endpoint',
    'legacy-endpoint': 'legacy-endpoint',
    'rc-endpoint': 'rc-endpoint',
    'rc-event-collector': 'rc-event-collector',
    'root-port': 'root-port',
    'switch-upstream': 'upstream',
    'downstream-port': 'downstream',
    'pcie-pci-bridge': 'pcie-to-pci-bridge',
    'pci-pcie-bridge': 'pci-to-pcie-bridge',
    // Conventional PCI: no PCI Express capability.
    'pci-device': undefined,
    'pci-bridge': undefined,
};

/**
 * The PCIe type Linux reads, or undefined for conventional PCI (pci_is_pcie false).
 * A VF is a PCIe endpoint whatever its PF is (SR-IOV exists only on PCIe).
 */
export function pcieType(f: FabricFunction): PcieType | undefined {
    if (f.isVf) return 'endpoint';
    // `pcie-type`: the capability says otherwise than the header (a type 0 Root Port); a
    // conventional kind has no capability to say it (the language reports the contradiction).
    const written = f.decl.pcieType;
    if (written !== undefined && PCIE_TYPE[f.decl.kind] !== undefined && PCIE_TYPE[written] !== undefined) return PCIE_TYPE[written];
    return PCIE_TYPE[f.decl.kind];
}

/**
 * pdev->multifunction: the header-type bit of function 0, and set on every function found after
 * it (pci_scan_slot: `if (fn > 0) dev->multifunction = 1`, ARI functions included). Linux sets it
 * to 0 on VFs (drivers/pci/iov.c pci_iov_add_virtfn).
 */
export function isMultifunction(f: FabricFunction): boolean {
    if (f.isVf) return false;
    return f.decl.multifunction || (f.ari ? f.devfn !== 0n : f.fn !== 0n);
}

/**
 * A quirk in effect: written on the declaration (a VF has its own device ID and none of the
 * PF's written quirks), or one of Linux's ID-keyed fixups matched at enumeration (quirks/apply.ts).
 */
export function hasQuirk(f: FabricFunction, kind: string): boolean {
    if (f.fixups?.some((x) => x.fixup.kind === kind)) return true;
    return !f.isVf && f.decl.quirks.some((q) => q.kind === kind);
}

/** Bridge-class functions (class 0x06xx: host, PCI-PCI bridges) are not DMA masters. */
export function isDmaMaster(f: FabricFunction): boolean {
    if (f.secondary !== undefined) return false;
    // A VF's decl is its PF's: same class.
    const classCode = f.decl.classCode;
    return classCode === undefined || classCode >> 16n !== 0x06n;
}

/** `BB:DD.F` as lspci prints it (segment added when not 0), via the fabric's one spelling. */
export function bdf(f: FabricFunction): string {
    return bdfText(f.segment, f.bus, f.devfn);
}

/** Hex as the findings print IDs: 0x0108 (at least 4 digits for RIDs). */
export function hex(v: bigint, digits = 4): string {
    return `0x${v.toString(16).padStart(digits, '0')}`;
}
