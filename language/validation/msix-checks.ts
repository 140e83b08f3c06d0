// MSI-X checks (DOMAIN §6.2, §6.3.3, B.12 items 17-18): the entry count the Table Size field
// encodes, a BIR naming a memory BAR of the function, 8-byte aligned offsets, table and PBA inside
// their BAR and not overlapping. Codes LANG-VALUE-RANGE, PCI-MSIX-BIR, PCI-MSIX-MISALIGNED,
// PCI-MSIX-OUTSIDE-BAR, PCI-MSIX-OVERLAP. Missing or over-64-bit numbers are skipped.
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { Bar, MsiX, PciFunction, PciplatAstType } from '../generated/ast.js';
import { hex } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { valueOf } from './ast-helpers.js';
import { barLabel, functionBank, slotsOf, type AnyBar } from './bar-helpers.js';
import { functionLabel } from './function-helpers.js';
import { relatedAt, report } from './report.js';

export function msixChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        MsiX: [checkMsixEntriesInRange, checkMsixBirsNameMemoryBars, checkMsixOffsetsAligned, checkMsixStructuresInsideBars, checkMsixTableAndPbaDisjoint],
    };
}

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
