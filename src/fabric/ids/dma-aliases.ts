// DMA aliases: every requester ID an IOMMU may see for a function's DMA, in the exact order of
// Linux's pci_for_each_dma_alias (linux:drivers/pci/search.c; DOMAIN.md B.1.2). IOMMU setup
// translates each one (of_pci_iommu_init, iort_pci_iommu_init), the MSI RID is picked from them
// (msi-rid.ts) and pci_device_group starts from them (groups/iommu-groups.ts).
import { rid, type FabricFunction } from '../topology.js';
import { hasQuirk, pcieType } from './pcie-type.js';

export interface DmaAlias {
    /** The requester ID: bus<<8 | devfn. */
    rid: bigint;
    /** The device the walk reports it for: the function itself, or the bridge that aliases it. */
    via: FabricFunction;
    /** `own` RID, a same-bus `quirk` alias (dma_alias_mask), or a `bridge` alias. */
    kind: 'own' | 'quirk' | 'bridge';
}

/**
 * The devfns set in the function's dma_alias_mask by quirks (drivers/pci/quirks.c): a fixed
 * `dma-alias DD.F` (quirk_fixed_dma_alias), fn 0 of the slot for functions != 0
 * (quirk_dma_func0_alias), fn 1 for functions != 1 (quirk_dma_func1_alias). The mask is a 256-bit
 * bitmap walked with for_each_set_bit: ascending devfn, each once.
 */
export function dmaAliasDevfns(f: FabricFunction): bigint[] {
    const slot = f.devfn >> 3n;
    const func = f.devfn & 7n;
    const devfns = new Set<bigint>();
    for (const q of f.isVf ? [] : f.decl.quirks) {
        if (q.kind === 'dma-alias') devfns.add(((q.device << 3n) | q.fn) & 0xffn);
        else if (q.kind === 'dma-func0-alias' && func !== 0n) devfns.add(slot << 3n);
        else if (q.kind === 'dma-func1-alias' && func !== 1n) devfns.add((slot << 3n) | 1n);
    }
    // Linux's table (quirk_dma_func0/func1_alias, quirk_fixed_dma_alias, quirk_mic_x200_dma_alias,
    // quirk_pex_vca_alias), matched on the IDs at enumeration; a written alias quirk replaces it.
    for (const { fixup } of f.fixups ?? []) {
        if (fixup.kind === 'dma-alias') for (const d of fixup.devfns) devfns.add(d);
        else if (fixup.kind === 'dma-func0-alias' && func !== 0n) devfns.add(slot << 3n);
        else if (fixup.kind === 'dma-func1-alias' && func !== 1n) devfns.add((slot << 3n) | 1n);
    }
    if (devfns.size === 0) return [];
    return [...devfns].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The bridges the upward walk visits, nearest first: the `self` of each bus up to the root bus.
 * A VF on its own bus number sits on a virtual bus with no bridge (`bus->self == NULL`), which
 * the walk skips, continuing on the PF's bus: so a VF walks exactly the bridges above its PF.
 */
export function* bridgesAbove(f: FabricFunction): Generator<FabricFunction> {
    let bridge = f.isVf && f.pf ? f.pf.upstream : f.upstream;
    while (bridge) {
        yield bridge;
        bridge = bridge.upstream;
    }
}

/** What crossing bridge B adds to the walk (the table in DOMAIN.md B.1.2). */
export type BridgeAlias = { kind: 'alias'; rid: bigint } | { kind: 'none' } | { kind: 'stop' };

export function bridgeAliasRule(bridge: FabricFunction): BridgeAlias {
    // PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT: the IOMMU sits at this bridge; nothing above sees the DMA.
    if (hasQuirk(bridge, 'bridge-xlate-root')) return { kind: 'stop' };
    const secondaryAlias = (bridge.secondary ?? 0n) << 8n; // (subordinate->number, 00.0)
    switch (pcieType(bridge)) {
        case 'root-port':
        case 'upstream':
        case 'downstream':
            return { kind: 'none' };
        // PCIe-to-PCI/PCI-X bridges take ownership of downstream transactions with the RID
        // (secondary bus, 00.0) (PCIe-to-PCI/PCI-X Bridge spec r1.0 §2.3), unless
        // PCI_DEV_FLAGS_PCI_BRIDGE_NO_ALIAS (ASPEED AST1150).
        case 'pcie-to-pci-bridge':
            return hasQuirk(bridge, 'pci-bridge-no-alias') ? { kind: 'none' } : { kind: 'alias', rid: secondaryAlias };
        case 'pci-to-pcie-bridge':
            return { kind: 'alias', rid: rid(bridge) };
        case undefined:
            // Conventional PCI-PCI bridge: its own RID, or (secondary, 00.0) with
            // PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS (quirk_use_pcie_bridge_dma_alias).
            return hasQuirk(bridge, 'pcie-bridge-alias') ? { kind: 'alias', rid: secondaryAlias } : { kind: 'alias', rid: rid(bridge) };
        default:
            // Any other PCIe type with a secondary bus falls through Linux's switch: no alias.
            return { kind: 'none' };
    }
}

/**
 * pci_for_each_dma_alias, in order: own RID, the dma_alias_mask devfns on the function's own
 * bus, then one alias per aliasing bridge up to the root bus (the walk does not stop at the
 * first alias), stopping at a BRIDGE_XLATE_ROOT bridge. pci_real_dma_dev (Intel VMD) is not
 * modelled: a function is its own DMA device.
 */
export function dmaAliases(f: FabricFunction): DmaAlias[] {
    const aliases: DmaAlias[] = [{ rid: rid(f), via: f, kind: 'own' }];
    for (const devfn of dmaAliasDevfns(f)) aliases.push({ rid: (f.bus << 8n) | devfn, via: f, kind: 'quirk' });
    for (const bridge of bridgesAbove(f)) {
        const rule = bridgeAliasRule(bridge);
        if (rule.kind === 'stop') break;
        if (rule.kind === 'alias') aliases.push({ rid: rule.rid, via: bridge, kind: 'bridge' });
    }
    return aliases;
}

/**
 * Phantom functions, as Xen models them (xen:xen/drivers/passthrough/pci.c alloc_pdev; DOMAIN.md
 * B.1.1.6): `quirk phantom N` is the Device Capabilities Phantom Functions Supported field, the
 * number of function-number MSBs the device borrows (1-3). Xen uses stride = 8 >> N and ignores it
 * when fn >= stride; the device then also issues DMA as fn + k*stride in the same slot. Linux core
 * has no phantom handling (its alias walk above does not include these). Not for ARI functions.
 */
export function phantomRids(f: FabricFunction): bigint[] {
    if (f.isVf || f.ari) return [];
    const quirk = f.decl.quirks.find((q) => q.kind === 'phantom');
    if (!quirk || quirk.kind !== 'phantom' || quirk.count < 1n || quirk.count > 3n) return [];
    const stride = 8n >> quirk.count;
    if (f.fn >= stride) return [];
    const out: bigint[] = [];
    for (let fn = f.fn + stride; fn < 8n; fn += stride) out.push((f.bus << 8n) | (f.device << 3n) | fn);
    return out;
}
