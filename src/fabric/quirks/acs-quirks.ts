// What each function of pci_dev_acs_enabled[] (acs-table.ts) answers for a device, as Linux
// 6.1's pci_dev_specific_acs_enabled calls it with REQ_ACS_FLAGS (SV, RR, CR, UF): isolated,
// not isolated, or no answer (-ENOTTY/-ENODEV: the walk goes on to the next row, then to the
// standard ACS capability test).
import type { AcsFlag } from '../../model/platform.js';
import type { PcieType } from '../ids/pcie-type.js';
import { ACS_QUIRK_ROWS, CAVIUM_ACS_RANGES, INTEL_PCH_ACS_IDS, INTEL_SPT_PCH_ACS_RANGES, WANGXUN_NIC_RANGES, ZHAOXIN_PORT_RANGES, inRanges, type AcsQuirkFn } from './acs-table.js';
import { idsMatch, type DeviceIds } from './device-ids.js';

/** What a device looks like to the ACS quirk functions. */
export interface AcsQuirkDevice {
    ids: DeviceIds;
    /** undefined: conventional PCI (no PCIe capability). */
    type: PcieType | undefined;
    multifunction: boolean;
    onRootBus: boolean;
    /** The ACS capability's bits, undefined without one. */
    acsCap?: readonly AcsFlag[];
    /** Linux enables ACS while it enumerates (acs.ts `enabled`), which runs pci_dev_specific_enable_acs. */
    acsEnabledAtAdd: boolean;
    /** The platform has an AMD IOMMU (an ACPI IVRS table). */
    ivrs: boolean;
}

export interface AcsQuirkAnswer {
    /** pci_acs_enabled's result the quirk decides. */
    isolated: boolean;
    linux: AcsQuirkFn;
    /** Why, in words (for hovers and the JSON). */
    why: string;
}

const REQ: readonly AcsFlag[] = ['sv', 'rr', 'cr', 'uf'];
type Answer = Omit<AcsQuirkAnswer, 'linux'> | undefined;

const yes = (why: string): Answer => ({ isolated: true, why });
const no = (why: string): Answer => ({ isolated: false, why });

const TESTS: Record<AcsQuirkFn, (d: AcsQuirkDevice) => Answer> = {
    pci_quirk_amd_sb_acs: (d) =>
        d.multifunction && d.onRootBus && d.ivrs ? yes('an AMD southbridge function on the root bus of a platform with an AMD IOMMU (IVRS) redirects peer-to-peer upstream (RR, CR)') : undefined,
    pci_quirk_mf_endpoint_acs: () => yes('the vendor verified that its functions do no peer-to-peer with each other'),
    pci_quirk_rciep_acs: (d) => (d.type === 'rc-endpoint' ? yes('Intel root-complex integrated endpoints may do peer-to-peer only on translated addresses (VT-d r3.1 §3.16)') : undefined),
    pci_quirk_qcom_rp_acs: () => yes('the root port terminates every transaction (no peer-to-peer between root ports)'),
    pci_quirk_nxp_rp_acs: () => yes('each root port is its own root complex and validates bus numbers (no ACS capability)'),
    pci_quirk_xgene_acs: () => yes('the root port does not allow peer-to-peer'),
    pci_quirk_brcm_acs: () => yes('iProc PAXB root ports do not allow peer-to-peer between root ports'),
    pci_quirk_loongson_acs: () => yes('Loongson root ports do not allow peer-to-peer between root ports'),
    pci_quirk_al_acs: (d) => (d.type === 'root-port' ? yes('Annapurna Labs root ports do not forward peer-to-peer') : undefined),
    pci_quirk_cavium_acs: (d) =>
        d.type === 'root-port' && d.ids.device !== undefined && inRanges(d.ids.device, CAVIUM_ACS_RANGES) ? yes('Cavium ThunderX root ports isolate as if SV, RR, CR and UF were on') : undefined,
    pci_quirk_zhaoxin_pcie_ports_acs: (d) => {
        if (d.type !== 'root-port' && d.type !== 'downstream') return undefined;
        if (d.ids.device !== undefined && inRanges(d.ids.device, ZHAOXIN_PORT_RANGES)) return yes('this Zhaoxin port blocks peer-to-peer without an ACS capability');
        return no('Linux 6.1 answers "not isolated" for every other Zhaoxin root or downstream port, whatever its ACS capability says');
    },
    pci_quirk_wangxun_nic_acs: (d) => {
        if (d.ids.device !== undefined && inRanges(d.ids.device, WANGXUN_NIC_RANGES)) return yes('the NIC directs peer-to-peer between its functions upstream (RR, CR)');
        return no('Linux 6.1 answers "not isolated" for every other Wangxun device, whatever its ACS capability says');
    },
    pci_quirk_intel_pch_acs: (d) => {
        if (d.type !== 'root-port' || d.ids.device === undefined || !INTEL_PCH_ACS_IDS.has(d.ids.device)) return undefined;
        // PCI_DEV_FLAGS_ACS_ENABLED_QUIRK is set by pci_quirk_enable_intel_pch_acs, which only
        // runs when Linux enables ACS on the port (pci_enable_acs).
        return d.acsEnabledAtAdd
            ? yes('an Intel PCH root port without an ACS capability, whose peer decodes Linux disables (pci_quirk_enable_intel_pch_acs)')
            : no('an Intel PCH root port whose ACS workaround Linux has not enabled (ACS is deferred), so it does not isolate');
    },
    pci_quirk_intel_spt_pch_acs: (d) => {
        if (d.type !== 'root-port' || d.ids.device === undefined || !inRanges(d.ids.device, INTEL_SPT_PCH_ACS_RANGES) || !d.acsCap) return undefined;
        // The control register is a dword at cap+8; Linux sets SV/RR/CR/UF there when it enables ACS.
        const cap = new Set(d.acsCap);
        if (d.acsEnabledAtAdd) return yes('a Sunrise/Union Point root port whose ACS control (a dword at +8) Linux sets (pci_quirk_enable_intel_spt_pch_acs)');
        return REQ.some((flag) => cap.has(flag)) ? no('a Sunrise/Union Point root port whose ACS controls are still off (ACS is deferred)') : yes('a Sunrise/Union Point root port implementing none of SV, RR, CR, UF');
    },
};

/** pci_dev_specific_acs_enabled: the first row that matches the IDs and answers. */
export function acsQuirk(d: AcsQuirkDevice): AcsQuirkAnswer | undefined {
    if (d.ids.vendor === undefined) return undefined;
    for (const row of ACS_QUIRK_ROWS) {
        if (!idsMatch(d.ids, row.vendor, row.device)) continue;
        const answer = TESTS[row.fn](d);
        if (answer) return { ...answer, linux: row.fn };
    }
    return undefined;
}
