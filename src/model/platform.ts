// The core's plain model of one platform: what the engine reads. Plain data only (structured-
// cloneable, so the language server can hand a snapshot to a worker thread): every address,
// size and ID is a bigint, references between objects are names (unique per platform, the
// language enforces it), and every object carries the SourceLoc it was written at.

import type { SourceLoc } from './source.js';

export type Arch = 'arm64' | 'x86_64' | 'arm32' | 'ppc64';
export type Profile = 'arm-design' | 'arm-upstream' | 'x86-pvh' | 'kvm';

export interface Platform {
    name: string;
    title?: string;
    arch: Arch;
    /** `arch arm32 lpae`: 40-bit physical addresses (LPAE); arm32 without it has 32-bit ones. */
    lpae?: boolean;
    loc: SourceLoc;
    memory: MemoryRegion[];
    reserved: ReservedRegion[];
    its: Its[];
    smmus: Smmu[];
    x86Iommus: X86Iommu[];
    gics: Gic[];
    ioapics: IoApic[];
    /** UARTs and other non-PCI devices the hypervisor may keep. */
    platformDevices: PlatformDevice[];
    hostBridges: HostBridge[];
    iort?: Iort;
    xen?: XenConfig;
    kvm?: KvmConfig;
    linux: LinuxOptions;
    scenarios: Scenario[];
    /** `cpus N`: the physical CPUs the machine has. */
    cpus?: { count: bigint; loc: SourceLoc };
}

export interface MemoryRegion {
    name: string;
    base: bigint;
    size: bigint;
    loc: SourceLoc;
}

export interface ReservedRegion extends MemoryRegion {
    kind: 'reserved' | 'acpi' | 'nvs';
}

export interface Its {
    name: string;
    base: bigint;
    /** GITS_TYPER.Devbits + 1: DeviceIDs are below 2^deviceIdBits. */
    deviceIdBits: number;
    eventIdBits?: number;
    numaNode?: bigint;
    loc: SourceLoc;
}

export interface StreamMatch {
    id: bigint;
    mask: bigint;
    loc: SourceLoc;
}

export interface Smmu {
    name: string;
    version: 'v2' | 'v3';
    base: bigint;
    size?: bigint;
    /** SMMUv3 IDR1.SIDSIZE / SMMUv2 NUMSIDB: StreamIDs are below 2^streamIdBits. */
    streamIdBits: number;
    streamMatches: StreamMatch[];
    loc: SourceLoc;
}

export interface X86Iommu {
    name: string;
    kind: 'vt-d' | 'amd-vi';
    base: bigint;
    /** Host bridges whose requester IDs this IOMMU sees (DMAR INCLUDE_PCI_ALL). */
    scope: string[];
    /** DMAR device scope entries: functions, a bridge meaning everything below it (src/fabric/ids/dmar-scope.ts). */
    deviceScope?: { function: string; loc: SourceLoc }[];
    loc: SourceLoc;
}

export interface Gic {
    name: string;
    version: 'v2' | 'v3' | 'v4';
    base: bigint;
    loc: SourceLoc;
}

export interface IoApic {
    name: string;
    base: bigint;
    gsiBase: bigint;
    pins: bigint;
    loc: SourceLoc;
}

export interface PlatformDevice {
    name: string;
    kind: 'uart' | 'device';
    /** Device-tree `compatible` strings, most specific first (src/model/compatible.ts matches on any). */
    compatible?: string[];
    /** MMIO base, or the I/O port for x86 UARTs (`io` is then true). */
    base: bigint;
    io: boolean;
    size: bigint;
    /** Device-tree `iommus`: the StreamIDs the device masters DMA with, per SMMU (src/fabric/ids/platform-streams.ts). */
    iommus?: { smmu: string; streamId: bigint; loc: SourceLoc }[];
    loc: SourceLoc;
}

// --- host bridges ------------------------------------------------------------------------------

export interface ConfigWindow {
    /**
     * `dt`: base is the first bus of the range (device-tree `reg`).
     * `mcfg`: base is bus 0's even when the range starts higher (ACPI MCFG).
     */
    convention: 'dt' | 'mcfg';
    base: bigint;
    size: bigint;
    /** `mcfg`: the buses the MCFG entry covers; a written `bus-range` (the _CRS range) may be wider. */
    buses?: { start: bigint; end: bigint };
    loc: SourceLoc;
}

export type WindowKind = 'io' | 'mem32' | 'mem64';

export interface HostWindow {
    kind: WindowKind;
    prefetchable: boolean;
    cpuBase: bigint;
    /** PCI bus address of the window start (equal to cpuBase unless written). */
    pciBase: bigint;
    size: bigint;
    loc: SourceLoc;
}

export interface MapEntry {
    ridBase: bigint;
    count: bigint;
    /** Name of the SMMU (iommu-map) or ITS (msi-map). */
    target: string;
    targetBase: bigint;
    loc: SourceLoc;
}

export interface HostBridge {
    name: string;
    /** `linux,pci-domain` when written; absent means the OS/Xen allocates one. */
    segment?: bigint;
    /** Device-tree `compatible` strings, most specific first (src/model/compatible.ts matches on any). */
    compatible?: string[];
    compatibleLoc?: SourceLoc;
    ecam?: ConfigWindow;
    /** DesignWare-style second config window for the buses below the root bus. */
    childEcam?: ConfigWindow;
    busStart: bigint;
    busEnd: bigint;
    windows: HostWindow[];
    iommuMap: MapEntry[];
    msiMap: MapEntry[];
    iommuMapMask?: bigint;
    msiMapMask?: bigint;
    msiParent?: string;
    numaNode?: bigint;
    /** `config-access`: how the controller reaches configuration space; absent means plain ECAM. */
    configAccess?: ConfigAccess;
    /** Functions on the root bus (the tree below hangs from their `children`). */
    functions: PciFunction[];
    loc: SourceLoc;
    nameLoc: SourceLoc;
}

// --- PCI functions -----------------------------------------------------------------------------

export type FunctionKind =
    | 'endpoint'
    | 'legacy-endpoint'
    | 'rc-endpoint'
    | 'rc-event-collector'
    | 'pci-device'
    | 'root-port'
    | 'switch-upstream'
    | 'downstream-port'
    | 'pcie-pci-bridge'
    | 'pci-pcie-bridge'
    | 'pci-bridge';

export const BRIDGE_KINDS: ReadonlySet<FunctionKind> = new Set<FunctionKind>([
    'root-port',
    'switch-upstream',
    'downstream-port',
    'pcie-pci-bridge',
    'pci-pcie-bridge',
    'pci-bridge',
]);

export function isBridge(kind: FunctionKind): boolean {
    return BRIDGE_KINDS.has(kind);
}

export interface PciAddress {
    /** Written segment (SSSS:BB:DD.F form only). */
    segment?: bigint;
    /** Written bus; absent for the relative `DD.F` form (enumeration decides). */
    bus?: bigint;
    device: bigint;
    fn: bigint;
    loc: SourceLoc;
}

export type BarKind = 'io' | 'mem32' | 'mem64';

export interface Bar {
    index: number;
    kind: BarKind;
    prefetchable: boolean;
    size: bigint;
    /** Firmware-assigned address: checked, never moved. Absent: the simulator places it. */
    address?: bigint;
    /** `ea`: fixed by the Enhanced Allocation capability (pci_ea_init): not sized, never released, any DWORD size. */
    ea?: boolean;
    loc: SourceLoc;
}

export interface Rom {
    size: bigint;
    address?: bigint;
    disabled: boolean;
    loc: SourceLoc;
}

export interface Msi {
    vectors: bigint;
    is64: boolean;
    maskable: boolean;
    loc: SourceLoc;
}

export interface MsiX {
    entries: bigint;
    tableBar: number;
    tableOffset: bigint;
    pbaBar: number;
    pbaOffset: bigint;
    loc: SourceLoc;
}

export type AcsFlag = 'sv' | 'tb' | 'rr' | 'cr' | 'uf' | 'ec' | 'dt';

export interface Acs {
    /** Capability bits present. */
    flags: AcsFlag[];
    /** `disabled`: the port has the capability but its control bits are left off. */
    disabled: boolean;
    /** `acs unknown`: the description does not know (a listing read without root); computed as no capability, and said so. */
    unknown?: boolean;
    loc: SourceLoc;
}

export interface Ari {
    nextFunction?: bigint;
    loc: SourceLoc;
}

export interface Sriov {
    totalVfs: bigint;
    numVfs: bigint;
    initialVfs?: bigint;
    offset: bigint;
    stride: bigint;
    vfDevice?: bigint;
    /** System page size in bytes (4 KiB unless written). */
    pageSize: bigint;
    vfBars: Bar[];
    loc: SourceLoc;
}

export type ResetMethod = 'flr' | 'pm' | 'bus' | 'slot' | 'none' | 'no-soft-reset';

export type Quirk =
    | { kind: 'dma-alias'; device: bigint; fn: bigint; loc: SourceLoc }
    | { kind: 'phantom'; count: bigint; loc: SourceLoc }
    | {
          kind:
              | 'dma-func0-alias'
              | 'dma-func1-alias'
              | 'no-acs'
              | 'acs-isolated'
              | 'bridge-xlate-root'
              | 'pci-bridge-no-alias'
              | 'pcie-bridge-alias'
              | 'no-flr'
              | 'no-bus-reset'
              | 'no-pm-reset';
          loc: SourceLoc;
      };

export interface BridgeWindow {
    kind: WindowKind;
    prefetchable: boolean;
    start: bigint;
    end: bigint;
    loc: SourceLoc;
}

export interface PciFunction {
    name: string;
    kind: FunctionKind;
    address: PciAddress;
    vendor?: bigint;
    device?: bigint;
    classCode?: bigint;
    revision?: bigint;
    subsystemVendor?: bigint;
    subsystem?: bigint;
    multifunction: boolean;
    ariForwarding: boolean;
    ioWindow1k: boolean;
    /** `window … none`: bridge windows that stay closed (the slot: io, mem, or prefetch). */
    closedWindows?: { kind: WindowKind; prefetchable: boolean; loc: SourceLoc }[];
    /** `outside-iommu`: no IOMMU translates the function (outside every DMAR device scope, not in IVRS), so Linux gives it no group. */
    outsideIommu?: boolean;
    bars: Bar[];
    rom?: Rom;
    msi?: Msi;
    msix?: MsiX;
    acs?: Acs;
    ari?: Ari;
    sriov?: Sriov;
    resets: ResetMethod[];
    quirks: Quirk[];
    slot?: { number: bigint; hotplug: boolean; loc: SourceLoc };
    /** Written bus numbers (bridges): checked, not recomputed. */
    secondary?: bigint;
    subordinate?: bigint;
    busNumbersLoc?: SourceLoc;
    /** Written bridge windows: checked, not recomputed. */
    windows: BridgeWindow[];
    /** `pcie-type K`: the PCIe capability's Device/Port Type when it differs from the kind's (a type 0 Root Port). */
    pcieType?: FunctionKind;
    /** `registers bar I offset O size S`: BAR ranges the driver uses (checked against the MSI-X pages). */
    registers?: RegisterRange[];
    children: PciFunction[];
    loc: SourceLoc;
    nameLoc: SourceLoc;
}

export interface RegisterRange {
    bar: number;
    offset: bigint;
    size: bigint;
    loc: SourceLoc;
}

// --- ACPI IORT ---------------------------------------------------------------------------------

export interface IortMapping {
    inputBase: bigint;
    /** Raw IORT field: number of IDs minus one. */
    idCount: bigint;
    /** Name of an ITS group or of an SMMU. */
    target: string;
    outputBase: bigint;
    single: boolean;
    /** How it was written: `ids A..B` (inclusive range) or `input A id-count N` (raw). */
    form: 'range' | 'raw';
    loc: SourceLoc;
}

export interface IortItsGroup {
    name: string;
    its: string[];
    loc: SourceLoc;
}

export interface IortSmmuNode {
    smmu: string;
    kind: 'smmu-v3' | 'smmu-v2';
    mappings: IortMapping[];
    deviceIdIndex?: bigint;
    loc: SourceLoc;
}

export interface IortRootComplex {
    hostBridge: string;
    /** pci_segment_number; defaults to the host bridge's segment. */
    segment?: bigint;
    mappings: IortMapping[];
    loc: SourceLoc;
}

export interface IortNamedComponent {
    device: string;
    mappings: IortMapping[];
    loc: SourceLoc;
}

export interface Iort {
    itsGroups: IortItsGroup[];
    smmus: IortSmmuNode[];
    rootComplexes: IortRootComplex[];
    namedComponents: IortNamedComponent[];
    loc: SourceLoc;
}

// --- hypervisors -------------------------------------------------------------------------------

/** A PCI function or one of its SR-IOV VFs (0-based index, as Linux's virtfnN). */
export interface FunctionRef {
    function: string;
    vf?: bigint;
    loc: SourceLoc;
}

export type XlFlag = 'permissive' | 'seize' | 'msitranslate' | 'power-mgmt' | 'no-rombar' | 'all-functions';

export interface Assignment {
    device: FunctionRef;
    /** Guest virtual slot `00:DD.F` when written. */
    vslot?: { device: bigint; fn: bigint; loc: SourceLoc };
    flags: XlFlag[];
    rdmPolicy?: 'strict' | 'relaxed';
    /** KVM on POWER: the guest PHB (`phb NAME index N { assign … }`) the device sits on; absent: the default PHB. */
    phb?: string;
    /** KVM: the guest root port (`pcie-root-port`) the device sits behind; absent: guest bus 0. */
    guestPort?: string;
    loc: SourceLoc;
}

export interface MmioHole {
    which: 'low' | 'high';
    base: bigint;
    size: bigint;
    loc: SourceLoc;
}

export interface XenDomain {
    name: string;
    dom0less: boolean;
    memory?: bigint;
    vcpus?: bigint;
    vcpusLoc?: SourceLoc;
    guestType?: 'pv' | 'pvh' | 'hvm';
    holes: MmioHole[];
    assignments: Assignment[];
    /** Non-PCI devices given to the domain (src/hypervisor/platform-passthrough.ts). */
    passthrough?: PlatformPassthrough[];
    loc: SourceLoc;
    nameLoc: SourceLoc;
}

/** `passthrough DEVICE [at GUEST] [force-assign-without-iommu]`: xen,path / xen,reg / dtdev + iomem. */
export interface PlatformPassthrough {
    device: string;
    /** Guest physical address of the registers (the gfn of `xen,reg`); absent: the host address. */
    guestBase?: bigint;
    /** `xen,force-assign-without-iommu`. */
    force: boolean;
    loc: SourceLoc;
}

export interface XenConfig {
    profile?: Profile;
    pciPassthrough?: boolean;
    iommu?: boolean;
    /** Devices Xen keeps for itself (PCI functions or platform devices). */
    owns: { name: string; loc: SourceLoc }[];
    /** `xl pci-assignable-add` before boot. */
    assignable: FunctionRef[];
    dom0: { uses: FunctionRef[]; memory?: bigint; loc?: SourceLoc; vcpus?: bigint; vcpusLoc?: SourceLoc };
    domains: XenDomain[];
    loc: SourceLoc;
}

export interface KvmVm {
    name: string;
    memory?: bigint;
    /** pseries guest host bridges written for the VM (the default PHB, index 0, is implicit). */
    phbs?: GuestPhb[];
    /** QEMU `-smp`. */
    vcpus?: bigint;
    vcpusLoc?: SourceLoc;
    /** QEMU pcie-root-ports on the guest's bus 0 (their devices are in `assignments`, with `guestPort`). */
    rootPorts?: { name: string; device: bigint; fn: bigint; loc: SourceLoc }[];
    assignments: Assignment[];
    loc: SourceLoc;
    nameLoc: SourceLoc;
}

export interface KvmConfig {
    hostDrivers: { device: FunctionRef; driver: string; loc: SourceLoc }[];
    vms: KvmVm[];
    /** `vfio-iommu`: the host's VFIO IOMMU backend when written (POWER: sPAPR TCE v1 or v2). */
    vfioIommu?: { kind: VfioIommuKind; loc: SourceLoc };
    loc: SourceLoc;
}

export interface LinuxOptions {
    /**
     * Whether Linux enables ACS while enumerating: `enabled` when the IOMMU driver is up first
     * (ACPI, x86), `deferred` on device-tree Arm where it is requested only after the first scan.
     * Absent: decided from the platform (see the fabric's ACS rule).
     */
    acs?: 'enabled' | 'deferred';
    acsOverride: ('downstream' | 'multifunction')[];
    /** pcie_acs_override=id:VVVV:DDDD (the out-of-tree override patch): these IDs count as isolated. */
    acsOverrideIds?: { vendor: bigint; device: bigint; loc: SourceLoc }[];
    /** `no-id-quirks`: Linux's ID-keyed quirk tables are not applied (only written quirks count). */
    noIdQuirks?: boolean;
    pcieScanAll: boolean;
    realloc: boolean;
    assignBusses: boolean;
    hpMemSize?: bigint;
    hpMmioPrefSize?: bigint;
    hpIoSize?: bigint;
    /** `vmalloc=`: the size of a 32-bit kernel's vmalloc area (arm32 default 240 MiB). */
    vmalloc?: bigint;
}

/** The options of a platform that writes no `linux { }` block (as lowering gives them). */
export function defaultLinuxOptions(): LinuxOptions {
    return { acsOverride: [], acsOverrideIds: [], noIdQuirks: false, pcieScanAll: false, realloc: false, assignBusses: false };
}

// --- scenarios ---------------------------------------------------------------------------------

export type Step =
    | { kind: 'boot'; reports?: Dom0Report[]; loc: SourceLoc }
    | { kind: 'enable-sriov'; device: string; numVfs: bigint; loc: SourceLoc }
    | { kind: 'disable-sriov'; device: string; loc: SourceLoc }
    | { kind: 'assign'; device: FunctionRef; guest: string; vslot?: { device: bigint; fn: bigint }; loc: SourceLoc }
    | { kind: 'deassign'; device: FunctionRef; guest: string; loc: SourceLoc }
    | { kind: 'assignable-add'; device: FunctionRef; loc: SourceLoc }
    | { kind: 'assignable-remove'; device: FunctionRef; loc: SourceLoc }
    | { kind: 'start'; guest: string; loc: SourceLoc }
    | { kind: 'destroy'; guest: string; loc: SourceLoc }
    | { kind: 'relocate-bar'; device: FunctionRef; bar: number; address: bigint; loc: SourceLoc }
    | { kind: 'hot-plug'; device: FunctionRef; guest: string; vslot?: { device: bigint; fn: bigint }; loc: SourceLoc }
    | { kind: 'hot-unplug'; device: FunctionRef; guest: string; loc: SourceLoc }
    | { kind: 'reset'; device: FunctionRef; method?: ResetMethod; loc: SourceLoc };

/** What dom0 reports to Xen in a written `boot { }` block, in order (absent: every host bridge, then every device). */
export type Dom0Report =
    | { kind: 'host-bridge-add'; hostBridge: string; loc: SourceLoc }
    | { kind: 'device-add'; device: FunctionRef; loc: SourceLoc };

export interface Scenario {
    name: string;
    steps: Step[];
    loc: SourceLoc;
    nameLoc: SourceLoc;
}

// --- issue 14: 32-bit Arm, POWER, non-ECAM configuration access ------------------------------

export function isArmArch(arch: Arch): boolean {
    return arch === 'arm64' || arch === 'arm32';
}

/** CPU physical address width where the architecture limits it below 64 bits (arm32: 32, or 40 with LPAE). */
export function physicalAddressBits(platform: Pick<Platform, 'arch' | 'lpae'>): number | undefined {
    if (platform.arch !== 'arm32') return undefined;
    return platform.lpae ? 40 : 32;
}

export type ConfigAccessMethod = 'ecam' | 'dbi' | 'sliding-window' | 'index-data';

export interface ConfigAccess {
    method: ConfigAccessMethod;
    /** `index-data at A size S`: the address/data register pair. */
    registers?: { base: bigint; size: bigint };
    /** Access widths in bytes the controller supports; absent: 1, 2 and 4. */
    sizes?: bigint[];
    /** `ecam special ADDR...`: functions the controller's driver special-cases. */
    special: PciAddress[];
    loc: SourceLoc;
}

export type VfioIommuKind = 'type1' | 'spapr-tce' | 'spapr-tce-v2';

export interface GuestPhb {
    name: string;
    index: bigint;
    loc: SourceLoc;
    nameLoc: SourceLoc;
}
