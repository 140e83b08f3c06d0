// Decoding one function's configuration space (the bytes of sysfs `config`, or an `lspci -xxxx`
// hex block): the type 0/1 header, the capability list and the PCIe extended capabilities that
// decide enumeration, placement and IOMMU groups. Pure: bytes in, plain data out. Register
// layouts are the PCI Local Bus 3.0 and PCI Express Base 6.0 specifications (Linux's
// include/uapi/linux/pci_regs.h names each offset used here).

export interface DecodedMsi {
    /** Multiple Message Capable, as a vector count. */
    vectors: bigint;
    is64: boolean;
    maskable: boolean;
}

export interface DecodedMsix {
    entries: bigint;
    tableBar: number;
    tableOffset: bigint;
    pbaBar: number;
    pbaOffset: bigint;
}

export interface DecodedPcie {
    /** Device/Port Type (PCI_EXP_FLAGS_TYPE). */
    type: number;
    flr: boolean;
    /** DevCap Phantom Functions Supported (0-3). */
    phantom: number;
    /** DevCap2 ARI Forwarding Supported. */
    ariForwarding: boolean;
    slot?: { number: bigint; hotplug: boolean };
}

export interface DecodedSriov {
    totalVfs: bigint;
    numVfs: bigint;
    initialVfs: bigint;
    offset: bigint;
    stride: bigint;
    vfDevice: bigint;
    /** System Page Size register, in bytes. */
    pageSize: bigint;
    /** The six VF BAR registers, raw. */
    vfBarRegisters: number[];
}

export interface DecodedBridge {
    primary: bigint;
    secondary: bigint;
    subordinate: bigint;
    /** Windows as the bridge decodes them (inclusive ends); absent when closed (base > limit). */
    io?: { start: bigint; end: bigint };
    mem?: { start: bigint; end: bigint };
    prefetch?: { start: bigint; end: bigint; is64: boolean };
}

export interface ConfigSpace {
    vendor: bigint;
    device: bigint;
    command: number;
    revision: bigint;
    classCode: bigint;
    headerType: number;
    multifunction: boolean;
    subsystemVendor?: bigint;
    subsystem?: bigint;
    /** BAR registers, raw (6 in a type 0 header, 2 in a type 1). */
    barRegisters: number[];
    romRegister: number;
    bridge?: DecodedBridge;
    pcie?: DecodedPcie;
    msi?: DecodedMsi;
    msix?: DecodedMsix;
    /** Power Management capability: No_Soft_Reset. */
    pm?: { noSoftReset: boolean };
    /** Advanced Features capability: FLR. */
    afFlr?: boolean;
    acs?: { capability: number; control: number };
    ari?: { nextFunction: bigint };
    sriov?: DecodedSriov;
    /** Bytes the dump holds (64, 256 or 4096). */
    length: number;
}

/** Thrown for bytes that are not a configuration space; the caller adds file and line. */
export class ConfigSpaceError extends Error {
    override name = 'ConfigSpaceError';
}

const CAP_PM = 0x01;
const CAP_MSI = 0x05;
const CAP_PCIE = 0x10;
const CAP_MSIX = 0x11;
const CAP_AF = 0x13;
const EXT_ACS = 0x000d;
const EXT_ARI = 0x000e;
const EXT_SRIOV = 0x0010;

export function decodeConfigSpace(bytes: Uint8Array): ConfigSpace {
    if (bytes.length < 64) throw new ConfigSpaceError(`a configuration space has at least 64 bytes, this one ${bytes.length}`);
    const b8 = (o: number) => (o < bytes.length ? bytes[o]! : 0);
    const b16 = (o: number) => b8(o) | (b8(o + 1) << 8);
    const b32 = (o: number) => (b16(o) | (b16(o + 2) << 16)) >>> 0;
    const vendor = b16(0);
    if (vendor === 0xffff || vendor === 0) throw new ConfigSpaceError(`vendor ID 0x${vendor.toString(16).padStart(4, '0')}: no function answers here`);
    const headerByte = b8(0x0e);
    const headerType = headerByte & 0x7f;
    if (headerType > 2) throw new ConfigSpaceError(`header type ${headerType} does not exist`);
    const result: ConfigSpace = {
        vendor: BigInt(vendor),
        device: BigInt(b16(2)),
        command: b16(4),
        revision: BigInt(b8(8)),
        classCode: BigInt(b32(8) >>> 8),
        headerType,
        multifunction: (headerByte & 0x80) !== 0,
        barRegisters: [],
        romRegister: 0,
        length: bytes.length,
    };
    if (headerType === 0) {
        for (let i = 0; i < 6; i++) result.barRegisters.push(b32(0x10 + 4 * i));
        result.subsystemVendor = BigInt(b16(0x2c));
        result.subsystem = BigInt(b16(0x2e));
        result.romRegister = b32(0x30);
    } else if (headerType === 1) {
        for (let i = 0; i < 2; i++) result.barRegisters.push(b32(0x10 + 4 * i));
        result.romRegister = b32(0x38);
        result.bridge = decodeBridge(b8, b16, b32);
    }
    // Capability list (Status bit 4), bounded so a looping list cannot hang us.
    if ((b16(6) & 0x10) !== 0) {
        let ptr = b8(0x34) & 0xfc;
        const seen = new Set<number>();
        while (ptr >= 0x40 && ptr < Math.min(bytes.length, 256) && !seen.has(ptr)) {
            seen.add(ptr);
            decodeCapability(b8(ptr), ptr, result, b8, b16, b32);
            ptr = b8(ptr + 1) & 0xfc;
        }
    }
    if (bytes.length > 256) {
        let ptr = 0x100;
        const seen = new Set<number>();
        while (ptr >= 0x100 && ptr < bytes.length && !seen.has(ptr)) {
            seen.add(ptr);
            const header = b32(ptr);
            if (header === 0 || header === 0xffffffff) break;
            decodeExtended(header & 0xffff, ptr, result, b16, b32);
            ptr = (header >>> 20) & 0xffc;
        }
    }
    return result;
}

type Reader = (offset: number) => number;

function decodeBridge(b8: Reader, b16: Reader, b32: Reader): DecodedBridge {
    const bridge: DecodedBridge = { primary: BigInt(b8(0x18)), secondary: BigInt(b8(0x19)), subordinate: BigInt(b8(0x1a)) };
    const ioBase = b8(0x1c);
    const ioLimit = b8(0x1d);
    if (ioBase !== 0 || ioLimit !== 0) {
        const wide = (ioBase & 0x0f) === 0x01;
        const start = (BigInt(ioBase & 0xf0) << 8n) | (wide ? BigInt(b16(0x30)) << 16n : 0n);
        const end = (BigInt(ioLimit & 0xf0) << 8n) | 0xfffn | (wide ? BigInt(b16(0x32)) << 16n : 0n);
        if (start <= end) bridge.io = { start, end };
    }
    const memBase = b16(0x20);
    const memLimit = b16(0x22);
    {
        const start = BigInt(memBase & 0xfff0) << 16n;
        const end = (BigInt(memLimit & 0xfff0) << 16n) | 0xfffffn;
        if (start <= end) bridge.mem = { start, end };
    }
    const prefBase = b16(0x24);
    const prefLimit = b16(0x26);
    {
        const is64 = (prefBase & 0x0f) === 0x01;
        const start = (BigInt(prefBase & 0xfff0) << 16n) | (is64 ? BigInt(b32(0x28)) << 32n : 0n);
        const end = (BigInt(prefLimit & 0xfff0) << 16n) | 0xfffffn | (is64 ? BigInt(b32(0x2c)) << 32n : 0n);
        if (start <= end) bridge.prefetch = { start, end, is64 };
    }
    return bridge;
}

function decodeCapability(id: number, at: number, out: ConfigSpace, b8: Reader, b16: Reader, b32: Reader): void {
    switch (id) {
        case CAP_PM:
            out.pm = { noSoftReset: (b16(at + 4) & 0x08) !== 0 };
            break;
        case CAP_MSI: {
            const control = b16(at + 2);
            out.msi = { vectors: 1n << BigInt(Math.min((control >> 1) & 7, 5)), is64: (control & 0x80) !== 0, maskable: (control & 0x100) !== 0 };
            break;
        }
        case CAP_MSIX: {
            const control = b16(at + 2);
            const table = b32(at + 4);
            const pba = b32(at + 8);
            out.msix = {
                entries: BigInt((control & 0x7ff) + 1),
                tableBar: table & 7,
                tableOffset: BigInt(table >>> 0) & 0xfffffff8n,
                pbaBar: pba & 7,
                pbaOffset: BigInt(pba >>> 0) & 0xfffffff8n,
            };
            break;
        }
        case CAP_AF:
            out.afFlr = (b8(at + 3) & 0x02) !== 0;
            break;
        case CAP_PCIE: {
            const flags = b16(at + 2);
            const type = (flags >> 4) & 0xf;
            const devCap = b32(at + 4);
            const version = flags & 0xf;
            const pcie: DecodedPcie = {
                type,
                flr: (devCap & 0x10000000) !== 0,
                phantom: (devCap >> 3) & 3,
                ariForwarding: version >= 2 && (b32(at + 0x24) & 0x20) !== 0,
            };
            if ((flags & 0x100) !== 0 && (type === 4 || type === 6)) {
                const slotCap = b32(at + 0x14);
                pcie.slot = { number: BigInt(slotCap >>> 19), hotplug: (slotCap & 0x40) !== 0 };
            }
            out.pcie = pcie;
            break;
        }
    }
}

function decodeExtended(id: number, at: number, out: ConfigSpace, b16: Reader, b32: Reader): void {
    switch (id) {
        case EXT_ACS:
            out.acs = { capability: b16(at + 4) & 0x7f, control: b16(at + 6) & 0x7f };
            break;
        case EXT_ARI:
            out.ari = { nextFunction: BigInt((b16(at + 4) >> 8) & 0xff) };
            break;
        case EXT_SRIOV: {
            const vfBarRegisters: number[] = [];
            for (let i = 0; i < 6; i++) vfBarRegisters.push(b32(at + 0x24 + 4 * i));
            const pageRegister = b32(at + 0x20);
            out.sriov = {
                initialVfs: BigInt(b16(at + 0x0c)),
                totalVfs: BigInt(b16(at + 0x0e)),
                numVfs: BigInt(b16(at + 0x10)),
                offset: BigInt(b16(at + 0x14)),
                stride: BigInt(b16(at + 0x16)),
                vfDevice: BigInt(b16(at + 0x1a)),
                // System Page Size: bit n set means 2^(n+12) bytes.
                pageSize: pageRegister === 0 ? 4096n : 4096n << BigInt(31 - Math.clz32(pageRegister & -pageRegister)),
                vfBarRegisters,
            };
            break;
        }
    }
}

/** What a BAR register says about its kind (the size needs the OS's resource or lspci's `[size=]`). */
export function barKindOf(register: number): { kind: 'io' | 'mem32' | 'mem64'; prefetchable: boolean } {
    if ((register & 1) !== 0) return { kind: 'io', prefetchable: false };
    return { kind: ((register >> 1) & 3) === 2 ? 'mem64' : 'mem32', prefetchable: (register & 8) !== 0 };
}

/** ACS control bits in the order the language writes them (PCI_ACS_SV .. PCI_ACS_DT). */
export const ACS_BITS = [
    ['sv', 0x01],
    ['tb', 0x02],
    ['rr', 0x04],
    ['cr', 0x08],
    ['uf', 0x10],
    ['ec', 0x20],
    ['dt', 0x40],
] as const;

/** Hex dump lines (`00: 36 1b ...` or `36 1b ...`) to bytes; undefined when a line is not one. */
export function hexBytes(lines: readonly string[]): Uint8Array | { badLine: number } {
    const out: number[] = [];
    for (let i = 0; i < lines.length; i++) {
        const text = lines[i]!.replace(/^[0-9a-f]{2,3}:\s*/i, '').trim();
        if (text === '') continue;
        for (const word of text.split(/\s+/)) {
            if (!/^[0-9a-f]{2}$/i.test(word)) return { badLine: i };
            out.push(parseInt(word, 16));
        }
    }
    return Uint8Array.from(out);
}
