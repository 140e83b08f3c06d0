// Linux 6.1's ID-keyed fixups (linux:drivers/pci/quirks.c, DECLARE_PCI_FIXUP_HEADER/EARLY) that
// change DMA aliases, where the IOMMU sits, or which resets a device has. Each row names the
// function it comes from; `when` is the extra test that function makes on the device.
import { VENDOR } from './vendors.js';

export type FixupEffect =
    /** dma_alias_mask: function 0 of the slot (for functions != 0). */
    | { kind: 'dma-func0-alias' }
    /** dma_alias_mask: function 1 of the slot (for functions != 1). */
    | { kind: 'dma-func1-alias' }
    /** dma_alias_mask: these devfns on the device's bus. */
    | { kind: 'dma-alias'; devfns: readonly bigint[] }
    /** PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS: a PCIe-to-PCI bridge without a PCIe capability. */
    | { kind: 'pcie-bridge-alias' }
    /** PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT: the IOMMU sits at this bridge. */
    | { kind: 'bridge-xlate-root' }
    | { kind: 'no-flr' }
    | { kind: 'no-bus-reset' }
    | { kind: 'no-pm-reset' };

/** What a fixup's own test reads beyond the IDs. */
export interface FixupDevice {
    device?: bigint;
    classCode?: bigint;
    revision?: bigint;
    subsystemVendor?: bigint;
    subsystem?: bigint;
    onRootBus: boolean;
    /** hdr_type is PCI_HEADER_TYPE_BRIDGE. */
    isBridge: boolean;
    /** pci_is_pcie(dev). */
    isPcie: boolean;
    /** The bridge above: pci_is_pcie and its type is not PCIe-to-PCI. */
    parentIsPcieNotPciBridge: boolean;
}

export interface FixupRow {
    vendor: bigint;
    device: bigint | 'any';
    linux: string;
    effect: FixupEffect;
    /** The function's own condition (absent: the IDs suffice). */
    when?: (d: FixupDevice) => boolean;
    /** The condition, in words, for hovers. */
    whenText?: string;
}

const each = (vendor: bigint, devices: readonly bigint[], linux: string, effect: FixupEffect, when?: FixupRow['when'], whenText?: string): FixupRow[] =>
    devices.map((device) => ({ vendor, device, linux, effect, when, whenText }));

/** quirk_pex_vca_alias: functions 0-4 of every slot (the whole VCA card is one group). */
const VCA_DEVFNS: readonly bigint[] = Array.from({ length: 32 }, (_, slot) => [0n, 1n, 2n, 3n, 4n].map((fn) => (BigInt(slot) << 3n) | fn)).flat();

const ADAPTEC_SUBSYSTEMS: readonly bigint[] = [0x02bbn /* 3405 */, 0x02bcn /* 3805 */];

export const FIXUP_ROWS: readonly FixupRow[] = [
    ...each(VENDOR.RICOH, [0xe832n, 0xe476n], 'quirk_dma_func0_alias', { kind: 'dma-func0-alias' }),
    ...each(VENDOR.GLENFLY, [0x3d40n, 0x3d41n], 'quirk_dma_func0_alias', { kind: 'dma-func0-alias' }),
    ...each(
        VENDOR.MARVELL_EXT,
        [0x9120n, 0x9123n, 0x9125n, 0x9128n, 0x9130n, 0x9170n, 0x9172n, 0x917an, 0x9182n, 0x9183n, 0x91a0n, 0x9215n, 0x9220n, 0x9230n, 0x9235n],
        'quirk_dma_func1_alias',
        { kind: 'dma-func1-alias' },
    ),
    ...each(VENDOR.TTI, [0x0642n, 0x0645n], 'quirk_dma_func1_alias', { kind: 'dma-func1-alias' }),
    { vendor: VENDOR.JMICRON, device: 0x2393n, linux: 'quirk_dma_func1_alias', effect: { kind: 'dma-func1-alias' } }, // JMB388_ESD
    { vendor: 0x1c28n, device: 0x0122n, linux: 'quirk_dma_func1_alias', effect: { kind: 'dma-func1-alias' } }, // Lite-On Plextor M6E
    {
        vendor: VENDOR.ADAPTEC2,
        device: 0x0285n,
        linux: 'quirk_fixed_dma_alias',
        effect: { kind: 'dma-alias', devfns: [1n << 3n] },
        when: (d) => d.subsystemVendor === VENDOR.ADAPTEC2 && d.subsystem !== undefined && ADAPTEC_SUBSYSTEMS.includes(d.subsystem),
        whenText: 'subsystem 9005:02bb (Adaptec 3405) or 9005:02bc (3805)',
    },
    ...[
        [VENDOR.ASMEDIA, 0x1080n], // ASM1083/1085
        [0x10e3n, 0x8113n], // Tundra 8113
        [0x1283n, 0x8892n], // ITE 8892
        [0x1283n, 0x8893n], // ITE 8893
        [VENDOR.INTEL, 0x244en], // Intel 82801
    ].map(
        ([vendor, device]): FixupRow => ({
            vendor: vendor!,
            device: device!,
            linux: 'quirk_use_pcie_bridge_dma_alias',
            effect: { kind: 'pcie-bridge-alias' },
            when: (d) => !d.onRootBus && d.isBridge && !d.isPcie && d.parentIsPcieNotPciBridge,
            whenText: 'a conventional bridge (no PCIe capability) below a PCIe port that is not a PCIe-to-PCI bridge',
        }),
    ),
    ...each(VENDOR.INTEL, [0x2260n, 0x2264n], 'quirk_mic_x200_dma_alias', { kind: 'dma-alias', devfns: [0x10n << 3n, 0x11n << 3n, (0x12n << 3n) | 3n] }),
    ...each(VENDOR.INTEL, [0x2954n, 0x2955n, 0x2956n, 0x2958n, 0x2959n, 0x295an], 'quirk_pex_vca_alias', { kind: 'dma-alias', devfns: VCA_DEVFNS }),
    ...each(VENDOR.BROADCOM, [0x9000n, 0x9084n], 'quirk_bridge_cavm_thrx2_pcie_root', { kind: 'bridge-xlate-root' }),
    // Resets.
    ...each(VENDOR.AMD, [0x1487n, 0x148cn, 0x149cn, 0x7901n], 'quirk_no_flr', { kind: 'no-flr' }),
    ...each(VENDOR.INTEL, [0x1502n, 0x1503n], 'quirk_no_flr', { kind: 'no-flr' }),
    { vendor: VENDOR.SOLIDRUN, device: 0x1000n, linux: 'quirk_no_flr_snet', effect: { kind: 'no-flr' }, when: (d) => d.revision === 0x1n, whenText: 'revision 0x01' },
    {
        vendor: VENDOR.NVIDIA,
        device: 'any',
        linux: 'quirk_nvidia_no_bus_reset',
        effect: { kind: 'no-bus-reset' },
        when: (d) => d.device !== undefined && (d.device & 0xffc0n) === 0x2340n,
        whenText: 'device IDs 0x2340-0x237f',
    },
    ...each(VENDOR.ATHEROS, [0x0030n, 0x0032n, 0x003cn, 0x0033n, 0x0034n, 0x003en], 'quirk_no_bus_reset', { kind: 'no-bus-reset' }),
    { vendor: VENDOR.CAVIUM, device: 0xa100n, linux: 'quirk_no_bus_reset', effect: { kind: 'no-bus-reset' } },
    { vendor: VENDOR.TI, device: 0xb005n, linux: 'quirk_no_bus_reset', effect: { kind: 'no-bus-reset' } },
    {
        vendor: VENDOR.ATI,
        device: 'any',
        linux: 'quirk_no_pm_reset',
        effect: { kind: 'no-pm-reset' },
        when: (d) => d.classCode !== undefined && d.classCode >> 8n === 0x0300n && !d.onRootBus,
        whenText: 'a VGA controller (class 0x0300) not on the root bus',
    },
    ...each(VENDOR.MELLANOX, [0xcb84n, 0xcf6cn, 0xcf70n, 0xcf80n], 'quirk_no_pm_reset', { kind: 'no-pm-reset' }, (d) => !d.onRootBus, 'not on the root bus'),
];
