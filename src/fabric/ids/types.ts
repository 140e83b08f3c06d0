// What the requester-ID layer computes per function: RID, DMA aliases, MSI RID and their
// translation to IOMMU StreamIDs and ITS DeviceIDs.
import type { Finding } from '../../findings/finding.js';
import type { IortMapping, MapEntry } from '../../model/platform.js';
import type { FabricFunction } from '../topology.js';
import type { DmaAlias } from './dma-aliases.js';

export interface StreamId {
    /** The SMMU (or x86 IOMMU) name. */
    iommu: string;
    id: bigint;
}

export interface DeviceId {
    its: string;
    id: bigint;
}

/** One lookup Linux made for one DMA alias (what the oracle's `dt_iommu_map` lists). */
export interface AliasLookup {
    alias: DmaAlias;
    /** The IOMMU the alias translated to; undefined when nothing matched (bypass, no IOMMU). */
    iommu?: string;
    /** The translated ID (the untranslated alias when nothing matched). */
    id: bigint;
    /** The map entry or IORT mapping that produced `id` (the last one of an IORT chain). */
    entry?: MapEntry | IortMapping;
}

export type IdSource = 'iommu-map' | 'iort' | 'x86-iommu';

/** Why a function ended up with no IOMMU. */
export type NoIommuReason =
    /** The firmware describes no IOMMU for this host bridge (no iommu-map, no SMMU mapping). */
    | 'no-map'
    /** An alias matched no entry: Linux stops the alias walk and attaches no IOMMU. */
    | 'unmapped'
    /** The lookup reached an entry with rid-base outside the mask (-EFAULT). */
    | 'bad-entry'
    /** Aliases translated to IOMMUs of different drivers (iommu_fwspec_init -EINVAL). */
    | 'split'
    /** IORT: no root-complex node for the host bridge's segment. */
    | 'no-root-complex';

export interface IdTranslation {
    source: IdSource;
    /** The lookups made, in alias order; Linux stops at the first that fails. */
    lookups: AliasLookup[];
    /** The IOMMU the function is attached to (the fwspec's); undefined: no IOMMU. */
    iommu?: string;
    /** One per alias when the function has an IOMMU (empty otherwise), in alias order. */
    streamIds: StreamId[];
    noIommu?: { reason: NoIommuReason; alias?: DmaAlias };
    /** ITS DeviceID for the MSI RID (empty: no ITS reached). */
    deviceIds: DeviceId[];
    /** The msi-map entry or IORT mapping that produced the DeviceID. */
    msiEntry?: MapEntry | IortMapping;
}

export interface FunctionIds {
    fn: FabricFunction;
    rid: bigint;
    /** pci_for_each_dma_alias order (own RID first). */
    aliases: DmaAlias[];
    msiRid: bigint;
    /** Phantom-function RIDs Xen adds (Linux ignores them). */
    phantomRids: bigint[];
    /** The translation Linux uses (IORT on an ACPI platform, else iommu-map, else x86 scope). */
    translation?: IdTranslation;
    /** Both firmware views when the platform describes them (Xen on Arm uses only `dt`). */
    dt?: IdTranslation;
    iort?: IdTranslation;
    /** Shortcuts into `translation`. */
    iommu?: string;
    streamIds: StreamId[];
    deviceIds: DeviceId[];
}

export interface IdsResult {
    /** Enumerated functions (invisible ones left out), in topology order. */
    functions: FunctionIds[];
    byFunction: Map<FabricFunction, FunctionIds>;
    findings: Finding[];
}
