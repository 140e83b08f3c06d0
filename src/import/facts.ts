// What the fabric sources (sysfs snapshot, lspci) tell about one PCI function, in one shape the
// fabric builder reads whichever source it came from. Values the source did not show are absent
// and listed in `unknown`, so the printed platform can say what a reader must check by hand.
import type { BarKind, ResetMethod, WindowKind } from '../model/platform.js';
import { ACS_BITS, barKindOf, type ConfigSpace, type DecodedSriov } from './config-space.js';

export interface SourceLine {
    /** The file as the user named it. */
    file: string;
    /** 1-based. */
    line: number;
}

export interface FactBar {
    index: number;
    kind: BarKind;
    prefetchable: boolean;
    /** Absent when the source did not show it (lspci without sysfs access, an -xxxx dump). */
    size?: bigint;
    /** The address the BAR decodes (CPU address; I/O port number); absent when unassigned. */
    address?: bigint;
}

export interface FactWindow {
    kind: WindowKind;
    prefetchable: boolean;
    start: bigint;
    end: bigint;
}

export interface FunctionFacts {
    segment: bigint;
    bus: bigint;
    device: bigint;
    fn: bigint;
    vendor?: bigint;
    deviceId?: bigint;
    classCode?: bigint;
    revision?: bigint;
    subsystemVendor?: bigint;
    subsystem?: bigint;
    /** 0 (endpoint), 1 (bridge), 2 (CardBus). */
    headerType: number;
    multifunction: boolean;
    /** PCIe Device/Port Type; absent: no PCI Express capability (conventional PCI), or not seen. */
    pcieType?: number;
    bars: FactBar[];
    rom?: { size?: bigint; address?: bigint; disabled: boolean };
    /** `closed`: windows the source shows closed (unassigned, or not implemented). */
    bridge?: { primary: bigint; secondary: bigint; subordinate: bigint; windows: FactWindow[]; closed?: ('io' | 'mem' | 'prefetch')[] };
    slot?: { number: bigint; hotplug: boolean };
    ariForwarding: boolean;
    resets: ResetMethod[];
    msi?: { vectors: bigint; is64: boolean; maskable: boolean };
    msix?: { entries: bigint; tableBar: number; tableOffset: bigint; pbaBar: number; pbaOffset: bigint };
    acs?: { capability: number; control: number };
    ari?: { nextFunction: bigint };
    /** The SR-IOV capability as decoded, with the VF BARs sized instead of raw. */
    sriov?: Omit<DecodedSriov, 'vfBarRegisters'> & { vfBars: FactBar[] };
    phantom: number;
    driver?: string;
    /** The IOMMU group the machine put the function in. */
    iommuGroup?: number;
    /** Set for SR-IOV VFs the source listed (they are computed from their PF, not declared). */
    physfn?: string;
    source: SourceLine;
    /** What the source could not show (printed as a comment). */
    unknown: string[];
}

export function bdfText(f: { segment: bigint; bus: bigint; device: bigint; fn: bigint }): string {
    const h = (v: bigint, n: number) => v.toString(16).padStart(n, '0');
    return `${h(f.segment, 4)}:${h(f.bus, 2)}:${h(f.device, 2)}.${f.fn.toString(16)}`;
}

/** A sysfs `resource` line, or what lspci printed for one region. */
export interface ResourceLine {
    start: bigint;
    end: bigint;
    flags: bigint;
}

// include/linux/ioport.h
const IORESOURCE_IO = 0x100n;
const IORESOURCE_MEM = 0x200n;
const IORESOURCE_PREFETCH = 0x2000n;
const IORESOURCE_MEM_64 = 0x100000n;
const IORESOURCE_DISABLED = 0x10000000n;
const IORESOURCE_UNSET = 0x20000000n;

/** Resource indices of the resource file (include/linux/pci.h: PCI_ROM_RESOURCE, PCI_IOV_RESOURCES, PCI_BRIDGE_RESOURCES). */
const ROM_RESOURCE = 6;
const IOV_RESOURCES = 7;
const BRIDGE_RESOURCES = 13;

function resourceUsed(r: ResourceLine | undefined): r is ResourceLine {
    return r !== undefined && r.flags !== 0n && r.end >= r.start && !(r.start === 0n && r.end === 0n);
}

function resourceAddress(r: ResourceLine): bigint | undefined {
    return (r.flags & IORESOURCE_UNSET) !== 0n || r.start === 0n ? undefined : r.start;
}

/**
 * A function's facts from its configuration space, sized by the OS's resource lines when the
 * source has them (sysfs `resource`): the config bytes give kinds, capabilities and registers,
 * the resources give sizes and the CPU addresses Linux uses.
 */
export function factsFromConfig(
    where: { segment: bigint; bus: bigint; device: bigint; fn: bigint },
    config: ConfigSpace,
    resources: ResourceLine[] | undefined,
    source: SourceLine,
): FunctionFacts {
    const unknown: string[] = [];
    const facts: FunctionFacts = {
        ...where,
        vendor: config.vendor,
        deviceId: config.device,
        classCode: config.classCode,
        revision: config.revision,
        subsystemVendor: config.subsystemVendor,
        subsystem: config.subsystem,
        headerType: config.headerType,
        multifunction: config.multifunction,
        pcieType: config.pcie?.type,
        bars: [],
        ariForwarding: config.pcie?.ariForwarding ?? false,
        resets: [],
        msi: config.msi,
        msix: config.msix,
        acs: config.acs,
        ari: config.ari,
        slot: config.pcie?.slot,
        phantom: config.pcie?.phantom ?? 0,
        source,
        unknown,
    };
    if (config.length <= 64) unknown.push('capabilities (only the 64-byte header was readable: run as root)');
    else if (config.length <= 256 && config.pcie) unknown.push('extended capabilities (ACS, ARI, SR-IOV: only 256 bytes were readable)');
    // BARs: a 64-bit BAR takes two registers.
    for (let i = 0; i < config.barRegisters.length; i++) {
        const register = config.barRegisters[i]!;
        const { kind, prefetchable } = barKindOf(register);
        const r = resources?.[i];
        const used = resources ? resourceUsed(r) : register !== 0;
        if (used) {
            const bar: FactBar = { index: i, kind, prefetchable };
            if (r && resourceUsed(r)) {
                bar.size = r.end - r.start + 1n;
                bar.address = resourceAddress(r);
                // The resource's flags are the OS's reading; prefer them where they differ (a
                // bridge with a disabled BAR reads as 0 in the register).
                if ((r.flags & IORESOURCE_IO) !== 0n) bar.kind = 'io';
                else if ((r.flags & IORESOURCE_MEM) !== 0n) {
                    bar.kind = (r.flags & IORESOURCE_MEM_64) !== 0n ? 'mem64' : 'mem32';
                    bar.prefetchable = (r.flags & IORESOURCE_PREFETCH) !== 0n;
                }
            } else {
                bar.address = kind === 'io' ? BigInt((register & 0xfffffffc) >>> 0) : BigInt((register & 0xfffffff0) >>> 0) | (kind === 'mem64' ? BigInt(config.barRegisters[i + 1] ?? 0) << 32n : 0n);
                if (bar.address === 0n) bar.address = undefined;
            }
            facts.bars.push(bar);
        }
        if (kind === 'mem64' && (register !== 0 || (r && resourceUsed(r)))) i++;
    }
    // ROM
    const romResource = resources?.[ROM_RESOURCE];
    if (resources ? resourceUsed(romResource) : config.romRegister !== 0) {
        if (romResource && resourceUsed(romResource)) {
            facts.rom = { size: romResource.end - romResource.start + 1n, address: resourceAddress(romResource), disabled: (config.romRegister & 1) === 0 };
        } else {
            const address = BigInt((config.romRegister & 0xfffff800) >>> 0);
            facts.rom = { address: address === 0n ? undefined : address, disabled: (config.romRegister & 1) === 0 };
        }
    }
    if (config.bridge) {
        const b = config.bridge;
        const windows: FactWindow[] = [];
        // Prefer the OS's window resources (CPU addresses); the registers otherwise.
        const io = resources?.[BRIDGE_RESOURCES];
        const mem = resources?.[BRIDGE_RESOURCES + 1];
        const pref = resources?.[BRIDGE_RESOURCES + 2];
        const pick = (r: ResourceLine | undefined, reg: { start: bigint; end: bigint } | undefined) =>
            resources ? (resourceUsed(r) && (r.flags & IORESOURCE_DISABLED) === 0n ? { start: r.start, end: r.end } : undefined) : reg;
        const ioW = pick(io, b.io);
        if (ioW) windows.push({ kind: 'io', prefetchable: false, ...ioW });
        const memW = pick(mem, b.mem);
        if (memW) windows.push({ kind: 'mem32', prefetchable: false, ...memW });
        const prefW = pick(pref, b.prefetch);
        if (prefW) {
            const is64 = pref && resourceUsed(pref) ? (pref.flags & IORESOURCE_MEM_64) !== 0n : (b.prefetch?.is64 ?? false);
            windows.push({ kind: is64 ? 'mem64' : 'mem32', prefetchable: true, ...prefW });
        }
        const closed: ('io' | 'mem' | 'prefetch')[] = [];
        if (!ioW) closed.push('io');
        if (!memW) closed.push('mem');
        if (!prefW) closed.push('prefetch');
        facts.bridge = { primary: b.primary, secondary: b.secondary, subordinate: b.subordinate, windows, closed };
    }
    if (config.sriov) {
        const s = config.sriov;
        const vfBars: FactBar[] = [];
        for (let i = 0; i < 6; i++) {
            const register = s.vfBarRegisters[i]!;
            const { kind, prefetchable } = barKindOf(register);
            const r = resources?.[IOV_RESOURCES + i];
            if (r && resourceUsed(r) && s.totalVfs > 0n) {
                // The IOV resource spans TotalVFs BARs.
                vfBars.push({ index: i, kind, prefetchable, size: (r.end - r.start + 1n) / s.totalVfs, address: resourceAddress(r) });
            } else if (!resources && register !== 0) {
                vfBars.push({ index: i, kind, prefetchable });
            }
            if (kind === 'mem64') i++;
        }
        facts.sriov = { totalVfs: s.totalVfs, numVfs: s.numVfs, initialVfs: s.initialVfs, offset: s.offset, stride: s.stride, vfDevice: s.vfDevice, pageSize: s.pageSize, vfBars };
    }
    if (config.pcie?.flr || config.afFlr) facts.resets.push('flr');
    if (config.pm) facts.resets.push(config.pm.noSoftReset ? 'no-soft-reset' : 'pm');
    return facts;
}

/** `sv rr cr uf`-style names of ACS bits. */
export function acsNames(bits: number): string[] {
    return ACS_BITS.filter(([, bit]) => (bits & bit) !== 0).map(([name]) => name);
}
