// Resource checks: BARs, expansion ROM, MSI, MSI-X and SR-IOV (indices, sizes, alignment, flags, BIR and structure placement, VF rules).
// The rules are DOMAIN.md §5.3 (BARs), §6.1-6.2 (MSI, MSI-X), §7 (SR-IOV) and B.12 items 10, 11,
// 17, 18 and 20-24. Every check reads the AST as the user is typing it: any property may be
// missing, and a number too large for 64 bits counts as missing (LANG-NUMBER-OVERFLOW reports it).
import type { AstNode, ValidationAcceptor, ValidationChecks } from 'langium';
import { isVfBar, type Bar, type FunctionKind, type Msi, type MsiX, type PciFunction, type PciplatAstType, type Rom, type Sriov, type SriovProp, type VfBar } from '../generated/ast.js';
import { U64_MAX, hex, numberValue } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { relatedAt, report } from './report.js';

export function resourceChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Bar: [
            checkBarIndexInRange, checkBar64NotInLastSlot, checkBarIndexFree, checkBarSizePowerOfTwo,
            checkBarSizeAtLeastMinimum, checkIoBarAtMost256Bytes, checkIoBarNotPrefetchable,
            checkBarAlignedToSize, checkBarInsideItsAddressSpace,
        ],
        VfBar: [
            checkBarIndexInRange, checkBar64NotInLastSlot, checkBarIndexFree, checkVfBarIsMemory,
            checkBarSizePowerOfTwo, checkVfBarSizeIsPageMultiple, checkBarAlignedToSize,
        ],
        Rom: [checkRomSizePowerOfTwo, checkRomSizeAtLeast2K, checkRomAlignedToSize],
        Msi: [checkMsiVectorsEncodable],
        MsiX: [checkMsixEntriesInRange, checkMsixBirsNameMemoryBars, checkMsixOffsetsAligned, checkMsixStructuresInsideBars, checkMsixTableAndPbaDisjoint],
        Sriov: [checkSriovKeysGivenOnce, checkSriovRequiredKeysGiven, checkNumVfsAtMostTotalVfs, checkVfOffsetAndStrideUsable],
        SriovProp: [checkSriovValueFitsItsRegister],
    };
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** A NUMBER's value, or undefined when absent or beyond 64 bits (reported by LANG-NUMBER-OVERFLOW). */
function valueOf(text: string | undefined): bigint | undefined {
    if (text === undefined) return undefined;
    const value = numberValue(text);
    return value > U64_MAX ? undefined : value;
}

function isPowerOfTwo(value: bigint): boolean {
    return value > 0n && (value & (value - 1n)) === 0n;
}

function lineOf(node: AstNode): number {
    return (node.$cstNode?.range.start.line ?? 0) + 1;
}

function functionLabel(fn: PciFunction): string {
    return `${fn.kind ?? 'function'} ${fn.name ?? '(unnamed)'}`;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: string[]): string {
    return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const FOUR_GIB = 1n << 32n;

// ---------------------------------------------------------------------------------------------
// BAR registers: a function's own BARs and the VF BARs of its SR-IOV capability

type AnyBar = Bar | VfBar;

// Type 1 (bridge) headers have BARs 0-1 only (DOMAIN §5.3.1).
const BRIDGE_KINDS: ReadonlySet<FunctionKind> = new Set<FunctionKind>(['root-port', 'switch-upstream', 'downstream-port', 'pcie-pci-bridge', 'pci-pcie-bridge', 'pci-bridge']);

/** One set of BAR registers: the function header's, or the SR-IOV capability's VF BARs. */
interface BarBank {
    bars: readonly AnyBar[];
    /** `BAR` or `VF BAR`. */
    unit: string;
    /** The function the registers belong to, for messages: `endpoint nic0`. */
    owner: string;
    /** The highest BAR index the registers have. */
    last: bigint;
    /** Which indices exist, for messages: `a type 0 header has BARs 0-5`. */
    extent: string;
}

function functionBank(fn: PciFunction): BarBank {
    const bridge = BRIDGE_KINDS.has(fn.kind);
    return {
        bars: fn.bars,
        unit: 'BAR',
        owner: functionLabel(fn),
        last: bridge ? 1n : 5n,
        extent: bridge ? 'a type 1 (bridge) header has BARs 0-1' : 'a type 0 header has BARs 0-5',
    };
}

// The SR-IOV capability has six VF BAR registers, 0x24-0x38 (DOMAIN §7.1).
function vfBank(sriov: Sriov): BarBank {
    return {
        bars: sriov.vfBars,
        unit: 'VF BAR',
        owner: functionLabel(sriov.$container),
        last: 5n,
        extent: 'the SR-IOV capability has VF BARs 0-5',
    };
}

function bankOf(bar: AnyBar): BarBank {
    return isVfBar(bar) ? vfBank(bar.$container) : functionBank(bar.$container);
}

/** `BAR 3 of endpoint nic0`. */
function label(bank: BarBank, index: bigint | undefined): string {
    return `${bank.unit} ${index ?? '?'} of ${bank.owner}`;
}

function barLabel(bar: AnyBar): string {
    return label(bankOf(bar), valueOf(bar.index));
}

/** What decodes one BAR register: a declared BAR, or the upper half of the 64-bit BAR below. */
interface BarSlot {
    bar: AnyBar;
    upperHalf: boolean;
}

/**
 * The BAR register slots of a bank as hardware reads them, lowest first: a 64-bit BAR takes the
 * next register as its upper dword (DOMAIN §5.3.2), and otherwise the first BAR declared at an
 * index owns it.
 */
function slotsOf(bank: BarBank): Map<bigint, BarSlot> {
    const slots = new Map<bigint, BarSlot>();
    let lower64: AnyBar | undefined;
    for (let index = 0n; index <= bank.last; index++) {
        if (lower64) {
            slots.set(index, { bar: lower64, upperHalf: true });
            lower64 = undefined;
            continue;
        }
        const first = bank.bars.find((b) => valueOf(b.index) === index);
        if (first) slots.set(index, { bar: first, upperHalf: false });
        if (first?.kind === 'mem64') lower64 = first;
    }
    return slots;
}

function checkBarIndexInRange(bar: AnyBar, accept: ValidationAcceptor): void {
    const bank = bankOf(bar);
    const index = valueOf(bar.index);
    if (index === undefined || index <= bank.last) return;
    report(accept, 'PCI-BAR-INDEX', `${label(bank, index)} is out of range: ${bank.extent}.`, { node: bar, property: 'index' });
}

// A 64-bit BAR needs the next register for its upper 32 bits (DOMAIN §5.3.2, B.12 item 11).
function checkBar64NotInLastSlot(bar: AnyBar, accept: ValidationAcceptor): void {
    const bank = bankOf(bar);
    const index = valueOf(bar.index);
    if (bar.kind !== 'mem64' || index !== bank.last) return;
    report(accept, 'PCI-BAR64-LAST', `${label(bank, index)} is 64-bit in the last BAR slot: its upper 32 bits would need ${bank.unit} ${index + 1n}, and ${bank.extent}.`, { node: bar, property: 'kind' });
}

function checkBarIndexFree(bar: AnyBar, accept: ValidationAcceptor): void {
    const bank = bankOf(bar);
    const index = valueOf(bar.index);
    if (index === undefined || index > bank.last) return;
    const slot = slotsOf(bank).get(index);
    if (!slot || slot.bar === bar) return;
    if (slot.upperHalf) {
        const lower = `64-bit ${bank.unit} ${index - 1n}`;
        report(accept, 'PCI-BAR-INDEX-TAKEN', `${label(bank, index)} is taken: it holds the upper 32 bits of ${lower} (line ${lineOf(slot.bar)}).`, { node: bar, property: 'index' }, [relatedAt(slot.bar, lower)]);
    } else {
        report(accept, 'PCI-BAR-INDEX-TAKEN', `${label(bank, index)} is declared twice (first at line ${lineOf(slot.bar)}).`, { node: bar, property: 'index' }, [relatedAt(slot.bar, `${label(bank, index)} is first declared here`)]);
    }
}

// BAR sizing returns a power of two (DOMAIN §5.3.3, B.12 item 10).
function checkBarSizePowerOfTwo(bar: AnyBar, accept: ValidationAcceptor): void {
    const size = valueOf(bar.size);
    if (size === undefined || isPowerOfTwo(size)) return;
    report(accept, 'PCI-BAR-SIZE-POW2', `${barLabel(bar)} has size ${hex(size)}, which is not a power of two.`, { node: bar, property: 'size' });
}

// Memory BARs hard-wire address bits 3:0, I/O BARs bits 1:0 (DOMAIN §5.3.2-3).
function checkBarSizeAtLeastMinimum(bar: Bar, accept: ValidationAcceptor): void {
    const size = valueOf(bar.size);
    const [minimum, what] = bar.kind === 'io' ? [4n, 'an I/O BAR decodes at least 4 bytes'] : [16n, 'a memory BAR decodes at least 16 bytes'];
    if (size === undefined || size >= minimum) return;
    report(accept, 'PCI-BAR-SIZE-MIN', `${barLabel(bar)} has size ${hex(size)}: ${what} (${hex(minimum)}).`, { node: bar, property: 'size' });
}

// PCI recommends at most 256 bytes per I/O BAR (DOMAIN §5.3.3).
function checkIoBarAtMost256Bytes(bar: Bar, accept: ValidationAcceptor): void {
    const size = valueOf(bar.size);
    if (bar.kind !== 'io' || size === undefined || size <= 0x100n) return;
    report(accept, 'PCI-BAR-IO-LARGE', `${barLabel(bar)} is an I/O BAR of size ${hex(size)}: PCI recommends at most 256 bytes (0x100) per I/O BAR.`, { node: bar, property: 'size' });
}

// Bit 3 (prefetchable) exists only in memory BARs; in an I/O BAR it is an address bit (DOMAIN §5.3.2).
function checkIoBarNotPrefetchable(bar: Bar, accept: ValidationAcceptor): void {
    if (bar.kind !== 'io' || !bar.prefetch) return;
    report(accept, 'LANG-CONTRADICTORY', `${barLabel(bar)} is an I/O BAR marked prefetch: only memory BARs are prefetchable.`, { node: bar, property: 'prefetch' });
}

// The low address bits of a BAR are read-only zero up to its size (DOMAIN §5.3.3); a VF BAR
// aperture is aligned to at least the VF BAR size (§7.4).
function checkBarAlignedToSize(bar: AnyBar, accept: ValidationAcceptor): void {
    const size = valueOf(bar.size);
    const address = valueOf(bar.address);
    if (size === undefined || address === undefined || !isPowerOfTwo(size) || address % size === 0n) return;
    report(accept, 'PCI-BAR-MISALIGNED', `${barLabel(bar)} at ${hex(address)} is not aligned to its size ${hex(size)}.`, { node: bar, property: 'address' });
}

// A 32-bit memory BAR and an I/O BAR are 32-bit registers (DOMAIN §5.3.2).
function checkBarInsideItsAddressSpace(bar: Bar, accept: ValidationAcceptor): void {
    const size = valueOf(bar.size);
    const address = valueOf(bar.address);
    if (size === undefined || address === undefined || size === 0n || address + size <= FOUR_GIB) return;
    const span = `${hex(address)}-${hex(address + size - 1n)}`;
    if (bar.kind === 'mem32') {
        report(accept, 'PCI-BAR32-ABOVE-4G', `${barLabel(bar)} is mem32 but spans ${span}, past 4 GiB (${hex(FOUR_GIB)}).`, { node: bar, property: 'address' });
    } else if (bar.kind === 'io') {
        report(accept, 'LANG-VALUE-RANGE', `${barLabel(bar)} is I/O but spans ${span}, past the 32-bit I/O address space (0x0-0xffffffff).`, { node: bar, property: 'address' });
    }
}

// VF BARs are memory only (DOMAIN §7.4; Xen warns on I/O VF BARs).
function checkVfBarIsMemory(bar: VfBar, accept: ValidationAcceptor): void {
    if (bar.kind !== 'io') return;
    report(accept, 'SRIOV-VF-BAR-IO', `${barLabel(bar)} is I/O: VF BARs are memory only.`, { node: bar, property: 'kind' });
}

// Each VF BAR is a multiple of the System Page Size; Linux rejects the device otherwise (DOMAIN §7.4).
function checkVfBarSizeIsPageMultiple(bar: VfBar, accept: ValidationAcceptor): void {
    const size = valueOf(bar.size);
    const pageSize = sriovPageSize(bar.$container);
    if (size === undefined || pageSize === undefined || size % pageSize === 0n) return;
    report(accept, 'SRIOV-VF-BAR-PAGE', `${barLabel(bar)} has size ${hex(size)}, not a multiple of the SR-IOV page size ${hex(pageSize)}.`, { node: bar, property: 'size' });
}

// ---------------------------------------------------------------------------------------------
// Expansion ROM: a 32-bit BAR with address bits 10:0 reserved, so at least 2 KiB (DOMAIN §5.3.2-3)

const ROM_MINIMUM = 0x800n;

function romLabel(rom: Rom): string {
    return `expansion ROM of ${functionLabel(rom.$container)}`;
}

function checkRomSizePowerOfTwo(rom: Rom, accept: ValidationAcceptor): void {
    const size = valueOf(rom.size);
    if (size === undefined || isPowerOfTwo(size)) return;
    report(accept, 'PCI-BAR-SIZE-POW2', `${romLabel(rom)} has size ${hex(size)}, which is not a power of two.`, { node: rom, property: 'size' });
}

function checkRomSizeAtLeast2K(rom: Rom, accept: ValidationAcceptor): void {
    const size = valueOf(rom.size);
    if (size === undefined || size >= ROM_MINIMUM) return;
    report(accept, 'PCI-BAR-SIZE-MIN', `${romLabel(rom)} has size ${hex(size)}: an expansion ROM decodes at least 2 KiB (${hex(ROM_MINIMUM)}).`, { node: rom, property: 'size' });
}

function checkRomAlignedToSize(rom: Rom, accept: ValidationAcceptor): void {
    const size = valueOf(rom.size);
    const address = valueOf(rom.address);
    if (size === undefined || address === undefined || !isPowerOfTwo(size) || address % size === 0n) return;
    report(accept, 'PCI-BAR-MISALIGNED', `${romLabel(rom)} at ${hex(address)} is not aligned to its size ${hex(size)}.`, { node: rom, property: 'address' });
}

// ---------------------------------------------------------------------------------------------
// MSI: Multiple Message Capable is log2 of the vector count, 0..5 (DOMAIN §6.1.1, B.12 item 20)

function checkMsiVectorsEncodable(msi: Msi, accept: ValidationAcceptor): void {
    const vectors = valueOf(msi.vectors);
    if (vectors === undefined || (isPowerOfTwo(vectors) && vectors <= 32n)) return;
    report(accept, 'PCI-MSI-VECTORS', `MSI of ${functionLabel(msi.$container)} requests ${vectors} vectors: Multiple Message Capable encodes 1, 2, 4, 8, 16 or 32.`, { node: msi, property: 'vectors' });
}

// ---------------------------------------------------------------------------------------------
// MSI-X (DOMAIN §6.2, §6.3.3, B.12 items 17-18)

const MSIX_MAX_ENTRIES = 2048n;

/** The MSI-X table or the PBA: where the user put it and how many bytes it takes. */
interface MsixStructure {
    what: 'table' | 'PBA';
    /** Undefined while the entry count is missing or out of range. */
    entries: bigint | undefined;
    bir: bigint | undefined;
    offset: bigint | undefined;
    /** Undefined with `entries`. */
    bytes: bigint | undefined;
    birProperty: 'tableBar' | 'pbaBar';
    offsetProperty: 'tableOffset' | 'pbaOffset';
}

// Table: 16 bytes per entry; PBA: one bit per entry in whole qwords (DOMAIN §6.2.2).
function msixStructures(msix: MsiX): [MsixStructure, MsixStructure] {
    const entries = msixEntries(msix);
    return [
        { what: 'table', entries, bir: valueOf(msix.tableBar), offset: valueOf(msix.tableOffset), bytes: entries === undefined ? undefined : entries * 16n, birProperty: 'tableBar', offsetProperty: 'tableOffset' },
        { what: 'PBA', entries, bir: valueOf(msix.pbaBar), offset: valueOf(msix.pbaOffset), bytes: entries === undefined ? undefined : ((entries + 63n) / 64n) * 8n, birProperty: 'pbaBar', offsetProperty: 'pbaOffset' },
    ];
}

function msixEntries(msix: MsiX): bigint | undefined {
    const entries = valueOf(msix.entries);
    return entries !== undefined && entries >= 1n && entries <= MSIX_MAX_ENTRIES ? entries : undefined;
}

// Table Size holds N-1 in 11 bits.
function checkMsixEntriesInRange(msix: MsiX, accept: ValidationAcceptor): void {
    const entries = valueOf(msix.entries);
    if (entries === undefined || msixEntries(msix) !== undefined) return;
    report(accept, 'LANG-VALUE-RANGE', `MSI-X of ${functionLabel(msix.$container)} has ${entries} entries: the Table Size field encodes 1 to 2048.`, { node: msix, property: 'entries' });
}

/**
 * The memory BAR a BIR names, or why it cannot hold an MSI-X structure: the rest of the sentence
 * "MSI-X table of F names BAR n…", and the BAR at fault.
 */
type BirTarget = { bar: Bar } | { problem: string; related?: AnyBar };

// Xen vPCI refuses the device unless the BIR names a 32-bit or 64-bit-low memory BAR (DOMAIN §6.3.3).
function birTarget(fn: PciFunction, bir: bigint): BirTarget {
    const bank = functionBank(fn);
    if (bir > 5n) return { problem: ': a BIR names BAR 0-5' };
    if (bir > bank.last) return { problem: `: ${bank.extent}` };
    const slot = slotsOf(bank).get(bir);
    if (!slot) return { problem: `, which ${functionLabel(fn)} does not declare` };
    if (slot.upperHalf) return { problem: `, the upper half of 64-bit BAR ${bir - 1n}`, related: slot.bar };
    if (slot.bar.kind === 'io') return { problem: ', an I/O BAR: MSI-X structures live in memory space', related: slot.bar };
    return { bar: slot.bar as Bar };
}

function checkMsixBirsNameMemoryBars(msix: MsiX, accept: ValidationAcceptor): void {
    const fn = msix.$container;
    for (const structure of msixStructures(msix)) {
        if (structure.bir === undefined) continue;
        const target = birTarget(fn, structure.bir);
        if ('bar' in target) continue;
        const related = target.related ? [relatedAt(target.related, barLabel(target.related))] : [];
        report(accept, 'PCI-MSIX-BIR', `MSI-X ${structure.what} of ${functionLabel(fn)} names BAR ${structure.bir}${target.problem}.`, { node: msix, property: structure.birProperty }, related);
    }
}

// Bits 2:0 of the offset registers hold the BIR (DOMAIN §6.2.1).
function checkMsixOffsetsAligned(msix: MsiX, accept: ValidationAcceptor): void {
    for (const structure of msixStructures(msix)) {
        if (structure.offset === undefined || structure.offset % 8n === 0n) continue;
        report(accept, 'PCI-MSIX-MISALIGNED', `MSI-X ${structure.what} offset ${hex(structure.offset)} of ${functionLabel(msix.$container)} is not 8-byte aligned: the low 3 bits of the register hold the BIR.`, { node: msix, property: structure.offsetProperty });
    }
}

function checkMsixStructuresInsideBars(msix: MsiX, accept: ValidationAcceptor): void {
    const fn = msix.$container;
    for (const structure of msixStructures(msix)) {
        if (structure.bir === undefined || structure.offset === undefined || structure.bytes === undefined) continue;
        const target = birTarget(fn, structure.bir);
        const barSize = 'bar' in target ? valueOf(target.bar.size) : undefined;
        if (!('bar' in target) || barSize === undefined || structure.offset + structure.bytes <= barSize) continue;
        const bar = barLabel(target.bar);
        report(accept, 'PCI-MSIX-OUTSIDE-BAR', `MSI-X ${structure.what} of ${functionLabel(fn)} (${structure.entries} entries, ${hex(structure.bytes)} bytes at offset ${hex(structure.offset)}) ends at ${hex(structure.offset + structure.bytes)}, past the end of BAR ${structure.bir} (size ${hex(barSize)}).`, { node: msix, property: structure.offsetProperty }, [relatedAt(target.bar, bar)]);
    }
}

function checkMsixTableAndPbaDisjoint(msix: MsiX, accept: ValidationAcceptor): void {
    const [table, pba] = msixStructures(msix);
    if (table.bir === undefined || table.bir !== pba.bir) return;
    if (table.offset === undefined || pba.offset === undefined || table.bytes === undefined || pba.bytes === undefined) return;
    if (table.offset >= pba.offset + pba.bytes || pba.offset >= table.offset + table.bytes) return;
    const span = (s: MsixStructure) => `${hex(s.offset!)}-${hex(s.offset! + s.bytes! - 1n)}`;
    report(accept, 'PCI-MSIX-OVERLAP', `MSI-X table (${span(table)}) and PBA (${span(pba)}) of ${functionLabel(msix.$container)} overlap in BAR ${table.bir}.`, { node: msix, property: 'pbaOffset' });
}

// ---------------------------------------------------------------------------------------------
// SR-IOV (DOMAIN §7, B.12 items 21-24)

type SriovKey = SriovProp['key'];

const REQUIRED_SRIOV_KEYS: readonly SriovKey[] = ['total-vfs', 'offset', 'stride'];
const DEFAULT_PAGE_SIZE = 0x1000n;
// System Page Size is a 32-bit register with one bit n set for 2^(12+n)-byte pages (DOMAIN §7.1).
const MAX_PAGE_SIZE = 1n << 43n;

function firstProp(sriov: Sriov, key: SriovKey): SriovProp | undefined {
    return sriov.props.find((p) => p.key === key);
}

function fitsRegister(key: SriovKey, value: bigint): boolean {
    return key === 'page-size' ? isPowerOfTwo(value) && value >= DEFAULT_PAGE_SIZE && value <= MAX_PAGE_SIZE : value <= 0xffffn;
}

/** The first value given for a key, when it fits its register (else undefined). */
function sriovValue(sriov: Sriov, key: SriovKey): bigint | undefined {
    const value = valueOf(firstProp(sriov, key)?.value);
    return value !== undefined && fitsRegister(key, value) ? value : undefined;
}

function sriovPageSize(sriov: Sriov): bigint | undefined {
    return firstProp(sriov, 'page-size') ? sriovValue(sriov, 'page-size') : DEFAULT_PAGE_SIZE;
}

function checkSriovKeysGivenOnce(sriov: Sriov, accept: ValidationAcceptor): void {
    for (const prop of sriov.props) {
        const first = firstProp(sriov, prop.key);
        if (!first || first === prop) continue;
        report(accept, 'LANG-DUPLICATE-PROPERTY', `SR-IOV ${prop.key} of ${functionLabel(sriov.$container)} is given twice (first at line ${lineOf(first)}).`, { node: prop, property: 'key' }, [relatedAt(first, `${prop.key} is first given here`)]);
    }
}

// Without TotalVFs, First VF Offset and VF Stride no VF can be numbered (DOMAIN §7.2).
function checkSriovRequiredKeysGiven(sriov: Sriov, accept: ValidationAcceptor): void {
    const missing = REQUIRED_SRIOV_KEYS.filter((key) => !firstProp(sriov, key));
    if (missing.length === 0) return;
    report(accept, 'LANG-MISSING-PROPERTY', `SR-IOV of ${functionLabel(sriov.$container)} is missing ${listed(missing)}.`, { node: sriov, keyword: 'sriov' });
}

// TotalVFs, NumVFs, InitialVFs, First VF Offset, VF Stride and VF Device ID are 16-bit registers (DOMAIN §7.1).
function checkSriovValueFitsItsRegister(prop: SriovProp, accept: ValidationAcceptor): void {
    const value = valueOf(prop.value);
    if (prop.key === undefined || value === undefined || fitsRegister(prop.key, value)) return;
    const fn = functionLabel(prop.$container.$container);
    const why = prop.key === 'page-size'
        ? `System Page Size selects a power of two from 4 KiB (${hex(DEFAULT_PAGE_SIZE)}) to 8 TiB (${hex(MAX_PAGE_SIZE)})`
        : 'the register holds 16 bits (at most 0xffff)';
    report(accept, 'LANG-VALUE-RANGE', `SR-IOV ${prop.key} of ${fn} is ${hex(value)}: ${why}.`, { node: prop, property: 'value' });
}

function checkNumVfsAtMostTotalVfs(sriov: Sriov, accept: ValidationAcceptor): void {
    const total = sriovValue(sriov, 'total-vfs');
    const num = sriovValue(sriov, 'num-vfs');
    const numProp = firstProp(sriov, 'num-vfs');
    const totalProp = firstProp(sriov, 'total-vfs');
    if (total === undefined || num === undefined || !numProp || !totalProp || num <= total) return;
    report(accept, 'SRIOV-NUMVFS', `SR-IOV of ${functionLabel(sriov.$container)} enables ${num} VFs (num-vfs) but supports only ${total} (total-vfs).`, { node: numProp, property: 'value' }, [relatedAt(totalProp, `total-vfs ${total}`)]);
}

// Linux refuses SR-IOV when First VF Offset is 0, or VF Stride is 0 while TotalVFs > 1 (DOMAIN §7.2, iov.c sriov_init).
function checkVfOffsetAndStrideUsable(sriov: Sriov, accept: ValidationAcceptor): void {
    const fn = functionLabel(sriov.$container);
    const offsetProp = firstProp(sriov, 'offset');
    if (offsetProp && sriovValue(sriov, 'offset') === 0n) {
        report(accept, 'SRIOV-OFFSET-STRIDE', `SR-IOV offset of ${fn} is 0: VF 1 would have the PF's own routing ID, and Linux refuses SR-IOV.`, { node: offsetProp, property: 'value' });
    }
    const strideProp = firstProp(sriov, 'stride');
    const total = sriovValue(sriov, 'total-vfs');
    if (strideProp && sriovValue(sriov, 'stride') === 0n && total !== undefined && total > 1n) {
        report(accept, 'SRIOV-OFFSET-STRIDE', `SR-IOV stride of ${fn} is 0 with total-vfs ${total}: all VFs would share one routing ID, and Linux refuses SR-IOV.`, { node: strideProp, property: 'value' });
    }
}
