// Linux 6.1's pci_dev_acs_enabled[] (linux:drivers/pci/quirks.c, as in the 6.1.y stable tree):
// vendor, device (or any) and the function that decides. pci_dev_specific_acs_enabled walks the
// rows in this order and the first function that answers (returns >= 0) decides; a function that
// returns -ENOTTY/-ENODEV lets the walk go on. The functions' tests are in acs-quirks.ts.
import { VENDOR } from './vendors.js';

/** The Linux function a row calls. */
export type AcsQuirkFn =
    | 'pci_quirk_amd_sb_acs'
    | 'pci_quirk_mf_endpoint_acs'
    | 'pci_quirk_rciep_acs'
    | 'pci_quirk_qcom_rp_acs'
    | 'pci_quirk_intel_pch_acs'
    | 'pci_quirk_intel_spt_pch_acs'
    | 'pci_quirk_cavium_acs'
    | 'pci_quirk_xgene_acs'
    | 'pci_quirk_brcm_acs'
    | 'pci_quirk_loongson_acs'
    | 'pci_quirk_al_acs'
    | 'pci_quirk_nxp_rp_acs'
    | 'pci_quirk_zhaoxin_pcie_ports_acs'
    | 'pci_quirk_wangxun_nic_acs';

export interface AcsQuirkRow {
    vendor: bigint;
    /** `any`: PCI_ANY_ID. */
    device: bigint | 'any';
    fn: AcsQuirkFn;
}

const rows = (vendor: bigint, fn: AcsQuirkFn, devices: readonly bigint[]): AcsQuirkRow[] => devices.map((device) => ({ vendor, device, fn }));

export const ACS_QUIRK_ROWS: readonly AcsQuirkRow[] = [
    // AMD/ATI southbridge functions (SBx00, SB7x0-SB9x0, FCH).
    ...rows(VENDOR.ATI, 'pci_quirk_amd_sb_acs', [0x4385n, 0x439cn, 0x4383n, 0x439dn, 0x4384n, 0x4399n]),
    ...rows(VENDOR.AMD, 'pci_quirk_amd_sb_acs', [0x780fn, 0x7809n]),
    ...rows(VENDOR.SOLARFLARE, 'pci_quirk_mf_endpoint_acs', [0x0903n, 0x0923n, 0x0a03n]),
    ...rows(VENDOR.INTEL, 'pci_quirk_mf_endpoint_acs', [
        0x10c6n, 0x10dbn, 0x10ddn, 0x10e1n, 0x10f1n, 0x10f7n, 0x10f8n, 0x10f9n, 0x10fan, 0x10fbn, 0x10fcn,
        0x1507n, 0x1514n, 0x151cn, 0x1529n, 0x152an, 0x154dn, 0x154fn, 0x1551n, 0x1558n,
        // 82580
        0x1509n, 0x150en, 0x150fn, 0x1510n, 0x1511n, 0x1516n, 0x1527n,
        // 82576
        0x10c9n, 0x10e6n, 0x10e7n, 0x10e8n, 0x150an, 0x150dn, 0x1518n, 0x1526n,
        // 82575
        0x10a7n, 0x10a9n, 0x10d6n,
        // I350
        0x1521n, 0x1522n, 0x1523n, 0x1524n,
        // 82571 (the quad-port ones are left out: they sit behind a non-ACS switch)
        0x105en, 0x105fn, 0x1060n, 0x10d9n,
        // I219
        0x15b7n, 0x15b8n,
    ]),
    { vendor: VENDOR.INTEL, device: 'any', fn: 'pci_quirk_rciep_acs' },
    // QCOM QDF2xxx and SA8775P root ports; HXT SD4800 has the same design.
    ...rows(VENDOR.QCOM, 'pci_quirk_qcom_rp_acs', [0x0400n, 0x0401n, 0x0115n]),
    { vendor: VENDOR.HXT, device: 0x0401n, fn: 'pci_quirk_qcom_rp_acs' },
    { vendor: VENDOR.INTEL, device: 'any', fn: 'pci_quirk_intel_pch_acs' },
    { vendor: VENDOR.INTEL, device: 'any', fn: 'pci_quirk_intel_spt_pch_acs' },
    { vendor: 0x19a2n, device: 0x0710n, fn: 'pci_quirk_mf_endpoint_acs' }, // Emulex BE3-R
    { vendor: 0x10dfn, device: 0x0720n, fn: 'pci_quirk_mf_endpoint_acs' }, // Emulex Skyhawk-R
    { vendor: VENDOR.CAVIUM, device: 'any', fn: 'pci_quirk_cavium_acs' },
    ...rows(VENDOR.CAVIUM, 'pci_quirk_mf_endpoint_acs', [0xa026n, 0xa059n, 0xa060n]),
    { vendor: VENDOR.AMCC, device: 0xe004n, fn: 'pci_quirk_xgene_acs' },
    ...rows(VENDOR.AMPERE, 'pci_quirk_xgene_acs', [0xe005n, 0xe006n, 0xe007n, 0xe008n, 0xe009n, 0xe00an, 0xe00bn, 0xe00cn]),
    ...rows(VENDOR.BROADCOM, 'pci_quirk_mf_endpoint_acs', [0x16d7n, 0x1750n, 0x1751n, 0x1752n, 0x1760n, 0x1761n, 0x1762n, 0x1763n]),
    { vendor: VENDOR.BROADCOM, device: 0xd714n, fn: 'pci_quirk_brcm_acs' },
    ...rows(VENDOR.LOONGSON, 'pci_quirk_loongson_acs', [0x3c09n, 0x3c19n, 0x3c29n, 0x7a09n, 0x7a19n, 0x7a29n, 0x7a39n, 0x7a49n, 0x7a59n, 0x7a69n]),
    { vendor: VENDOR.AMAZON_ANNAPURNA_LABS, device: 0x0031n, fn: 'pci_quirk_al_acs' },
    ...rows(VENDOR.ZHAOXIN, 'pci_quirk_mf_endpoint_acs', [0x3038n, 0x3104n, 0x9083n]),
    // NXP LX2xx0/LX2xx2 root ports (A, C, E, N variants; 16, 12 or 8 cores).
    ...rows(VENDOR.NXP, 'pci_quirk_nxp_rp_acs', [
        0x8d81n, 0x8da1n, 0x8d83n, 0x8d80n, 0x8da0n, 0x8d82n, 0x8d90n, 0x8db0n, 0x8d92n, 0x8d91n, 0x8db1n, 0x8d93n,
        0x8d89n, 0x8da9n, 0x8d8bn, 0x8d88n, 0x8da8n, 0x8d8an, 0x8d98n, 0x8db8n, 0x8d9an, 0x8d99n, 0x8db9n, 0x8d9bn,
    ]),
    { vendor: VENDOR.ZHAOXIN, device: 'any', fn: 'pci_quirk_zhaoxin_pcie_ports_acs' },
    { vendor: VENDOR.WANGXUN, device: 'any', fn: 'pci_quirk_wangxun_nic_acs' },
];

/** pci_quirk_intel_pch_acs_ids[]: PCH root ports with ACS-like isolation but no ACS capability (Red Hat bugzilla 1037684). */
export const INTEL_PCH_ACS_IDS: ReadonlySet<bigint> = new Set<bigint>([
    // Ibexpeak
    ...range(0x3b42n, 0x3b51n),
    // Cougarpoint
    ...range(0x1c10n, 0x1c1fn),
    // Pantherpoint
    ...range(0x1e10n, 0x1e1fn),
    // Lynxpoint-H
    ...range(0x8c10n, 0x8c1fn),
    // Lynxpoint-LP
    ...range(0x9c10n, 0x9c1bn),
    // Wildcat
    ...range(0x9c90n, 0x9c9bn),
    // Patsburg (X79): even IDs only
    0x1d10n, 0x1d12n, 0x1d14n, 0x1d16n, 0x1d18n, 0x1d1an, 0x1d1cn, 0x1d1en,
    // Wellsburg (X99)
    ...range(0x8d10n, 0x8d1en),
    // Lynx Point (9 series): even IDs only
    0x8c90n, 0x8c92n, 0x8c94n, 0x8c96n, 0x8c98n, 0x8c9an, 0x8c9cn, 0x8c9en,
]);

/** pci_quirk_intel_spt_pch_acs_match: Sunrise Point, Union Point and 7th/8th-gen mobile root ports. */
export const INTEL_SPT_PCH_ACS_RANGES: readonly (readonly [bigint, bigint])[] = [
    [0xa110n, 0xa11fn],
    [0xa167n, 0xa16an],
    [0xa290n, 0xa29fn],
    [0xa2e7n, 0xa2een],
    [0x9d10n, 0x9d1bn],
];

/** pci_quirk_cavium_acs_match: ThunderX1 (0xa000-0xa7ff), ThunderX2 (0xaf84), ThunderX3 (0xb884) root ports. */
export const CAVIUM_ACS_RANGES: readonly (readonly [bigint, bigint])[] = [
    [0xa000n, 0xa7ffn],
    [0xaf84n, 0xaf84n],
    [0xb884n, 0xb884n],
];

/** pci_quirk_zhaoxin_pcie_ports_acs: root and downstream ports without ACS that block peer-to-peer. */
export const ZHAOXIN_PORT_RANGES: readonly (readonly [bigint, bigint])[] = [
    [0x0710n, 0x071en],
    [0x0721n, 0x0721n],
    [0x0723n, 0x0752n],
];

/** pci_quirk_wangxun_nic_acs: EM (1G), SP (10G) and AML (40/25/10G) NICs that isolate their functions. */
export const WANGXUN_NIC_RANGES: readonly (readonly [bigint, bigint])[] = [
    [0x0100n, 0x010fn],
    [0x1001n, 0x1001n],
    [0x2001n, 0x2001n],
    [0x5010n, 0x5010n],
    [0x5025n, 0x5025n],
    [0x5040n, 0x5040n],
    [0x5110n, 0x5110n],
    [0x5125n, 0x5125n],
    [0x5140n, 0x5140n],
];

export function inRanges(id: bigint, ranges: readonly (readonly [bigint, bigint])[]): boolean {
    return ranges.some(([lo, hi]) => id >= lo && id <= hi);
}

function range(lo: bigint, hi: bigint): bigint[] {
    const out: bigint[] = [];
    for (let id = lo; id <= hi; id++) out.push(id);
    return out;
}
