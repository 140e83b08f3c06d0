// Access Control Services as Linux's IOMMU grouping reads them (DOMAIN.md B.2.1): whether ACS
// is enabled at all, pci_acs_enabled per device kind and pci_acs_path_enabled up to the root.
import { isArmArch, type AcsFlag, type Platform } from '../../model/platform.js';
import { hasQuirk, isMultifunction, pcieType } from '../ids/pcie-type.js';
import { acsQuirk, type AcsQuirkAnswer } from '../quirks/acs-quirks.js';
import { idQuirksOn } from '../quirks/apply.js';
import { deviceIds } from '../quirks/device-ids.js';
import type { FabricFunction } from '../topology.js';

/**
 * `enabled`: Linux enables ACS on every port as it enumerates (pci_enable_acs at device add),
 * because the IOMMU driver requested it first (ACPI/IORT boots, x86). `deferred`: on device-tree
 * Arm, Linux 6.1 calls pci_request_acs() only from of_iommu_configure, i.e. when the first
 * driver binds, after the boot scan; boot-enumerated ports keep ACS off (oracle note 1).
 */
export type AcsMode = 'enabled' | 'deferred';

export function acsMode(platform: Platform): AcsMode {
    if (platform.linux.acs) return platform.linux.acs;
    return isArmArch(platform.arch) && !platform.iort ? 'deferred' : 'enabled';
}

/** REQ_ACS_FLAGS in linux:drivers/iommu/iommu.c: Source Validation, P2P Request/Completion Redirect, Upstream Forwarding. */
export const REQ_ACS_FLAGS: readonly AcsFlag[] = ['sv', 'rr', 'cr', 'uf'];

/** What pci_std_enable_acs sets in ACS Control: SV, RR, CR, UF where implemented (TB only for untrusted ports). */
const ENABLED_BY_LINUX: ReadonlySet<AcsFlag> = new Set<AcsFlag>(['sv', 'rr', 'cr', 'uf']);

export class AcsRules {
    private readonly pathMemo = new Map<FabricFunction, { ok: boolean; unknown: FabricFunction[] }>();
    /** Collects the `acs unknown` functions consulted while one device is grouped (see collectUnknown). */
    private sink: Set<FabricFunction> | undefined;
    private readonly overrides: ReadonlySet<string>;
    private readonly overrideIds: ReadonlySet<string>;
    private readonly tableOn: boolean;
    private readonly ivrs: boolean;
    private readonly tableMemo = new Map<FabricFunction, AcsQuirkAnswer | null>();

    constructor(
        readonly mode: AcsMode,
        platform: Platform,
    ) {
        this.overrides = new Set(platform.linux.acsOverride);
        this.overrideIds = new Set((platform.linux.acsOverrideIds ?? []).map((id) => `${id.vendor}:${id.device}`));
        this.tableOn = idQuirksOn(platform);
        this.ivrs = platform.x86Iommus.some((i) => i.kind === 'amd-vi');
    }

    /** The answer of Linux's pci_dev_acs_enabled[] table for f (undefined: no row answers, or a written ACS quirk replaces it). */
    tableAnswer(f: FabricFunction): AcsQuirkAnswer | undefined {
        if (!this.tableOn || (!f.isVf && f.decl.quirks.some((q) => q.kind === 'acs-isolated' || q.kind === 'no-acs'))) return undefined;
        let memo = this.tableMemo.get(f);
        if (memo === undefined) {
            const acs = knownAcs(f);
            memo =
                acsQuirk({
                    ids: deviceIds(f),
                    type: pcieType(f),
                    multifunction: isMultifunction(f),
                    onRootBus: (f.isVf ? f.pf?.upstream : f.upstream) === undefined,
                    acsCap: acs?.flags,
                    acsEnabledAtAdd: this.mode === 'enabled',
                    ivrs: this.ivrs,
                }) ?? null;
            this.tableMemo.set(f, memo);
        }
        return memo ?? undefined;
    }

    /** ACS Control as Linux leaves it: off when ACS is deferred or the port's ACS is `disabled`. */
    private controlBits(f: FabricFunction): ReadonlySet<AcsFlag> {
        const acs = knownAcs(f);
        if (!acs || acs.disabled || this.mode === 'deferred') return new Set();
        return new Set(acs.flags.filter((flag) => ENABLED_BY_LINUX.has(flag)));
    }

    /**
     * pci_acs_flags_enabled: no ACS capability -> false. Requested features the capability does
     * not implement count as hard-wired on (`acs_flags &= cap | PCI_ACS_EC`); implemented ones
     * must be set in ACS Control.
     */
    private flagsEnabled(f: FabricFunction): boolean {
        const acs = knownAcs(f);
        if (!acs) return false;
        const cap = new Set<AcsFlag>([...acs.flags, 'ec']);
        const ctrl = this.controlBits(f);
        return REQ_ACS_FLAGS.filter((flag) => cap.has(flag)).every((flag) => ctrl.has(flag));
    }

    /**
     * pci_dev_specific_acs_enabled: the device-specific table first (`quirk acs-isolated` /
     * `quirk no-acs`), then the out-of-tree pcie_acs_override entry, which never overrides
     * conventional PCI devices or devices that have an ACS capability. -ENOTTY is `undefined`.
     */
    private specific(f: FabricFunction): boolean | undefined {
        if (hasQuirk(f, 'acs-isolated')) return true;
        if (hasQuirk(f, 'no-acs')) return false;
        const table = this.tableAnswer(f);
        if (table) return table.isolated;
        if (this.overrides.size === 0 && this.overrideIds.size === 0) return undefined;
        const type = pcieType(f);
        if (type === undefined || knownAcs(f)) return undefined;
        const ids = deviceIds(f);
        if (ids.vendor !== undefined && ids.device !== undefined && this.overrideIds.has(`${ids.vendor}:${ids.device}`)) return true;
        if (this.overrides.has('downstream') && (type === 'downstream' || type === 'root-port')) return true;
        if (this.overrides.has('multifunction') && isMultifunction(f) && (type === 'endpoint' || type === 'upstream' || type === 'legacy-endpoint' || type === 'rc-endpoint')) return true;
        return undefined;
    }

    /** pci_acs_enabled(dev, REQ_ACS_FLAGS) (linux:drivers/pci/pci.c). */
    acsEnabled(f: FabricFunction): boolean {
        const quirk = this.specific(f);
        if (quirk !== undefined) return quirk;
        if (!f.isVf && f.decl.acs?.unknown) this.sink?.add(f);
        const type = pcieType(f);
        switch (type) {
            // Conventional PCI/PCI-X: the shared bus lets any device snoop or receive DMA.
            case undefined:
                return false;
            // PCI/PCI-X-to-PCIe bridges are treated like conventional devices; PCIe-to-PCI
            // bridges and RC event collectors must never implement ACS (PCIe 3.0 6.12.1).
            case 'pci-to-pcie-bridge':
            case 'pcie-to-pci-bridge':
            case 'rc-event-collector':
                return false;
            // Root and downstream ports should implement ACS whatever their function count.
            case 'downstream':
            case 'root-port':
                return this.flagsEnabled(f);
            // Other types need ACS only as functions of a multi-function device.
            case 'endpoint':
            case 'upstream':
            case 'legacy-endpoint':
            case 'rc-endpoint':
                return isMultifunction(f) ? this.flagsEnabled(f) : true;
        }
    }

    /**
     * pci_acs_path_enabled(start, NULL, REQ_ACS_FLAGS): the bridge and every bridge above it up
     * to the one on the root bus pass pci_acs_enabled. Memoised: each bridge is decided once.
     */
    acsPathEnabled(bridge: FabricFunction): boolean {
        const memo = this.pathMemo.get(bridge);
        if (memo !== undefined) {
            for (const u of memo.unknown) this.sink?.add(u);
            return memo.ok;
        }
        const outer = this.sink;
        const local = new Set<FabricFunction>();
        this.sink = local;
        const ok = this.acsEnabled(bridge) && (bridge.upstream === undefined || this.acsPathEnabled(bridge.upstream));
        this.sink = outer;
        for (const u of local) outer?.add(u);
        this.pathMemo.set(bridge, { ok, unknown: [...local] });
        return ok;
    }

    /** Runs `decide` and returns, with its result, the `acs unknown` functions whose ACS it read. */
    collectUnknown<T>(decide: () => T): { result: T; unknown: FabricFunction[] } {
        const outer = this.sink;
        const local = new Set<FabricFunction>();
        this.sink = local;
        try {
            return { result: decide(), unknown: [...local] };
        } finally {
            this.sink = outer;
            for (const u of local) outer?.add(u);
        }
    }
}

/** The ACS capability as written, or undefined when there is none or it is `acs unknown` (computed as none). */
function knownAcs(f: FabricFunction) {
    const acs = f.isVf ? undefined : f.decl.acs;
    return acs && !acs.unknown ? acs : undefined;
}
