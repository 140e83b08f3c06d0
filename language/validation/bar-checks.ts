// BAR checks (DOMAIN §5.3, B.12 items 10-11): index in range, a 64-bit BAR not in the last slot,
// an index declared once and not the upper half of a 64-bit BAR, size a power of two and at least
// the minimum, I/O BARs at most 256 bytes and not prefetchable, alignment to the size, and a
// 32-bit BAR below 4 GiB. The index, size and alignment rules also run on VF BARs (sriov-checks.ts).
// Every check reads the AST as the user is typing it: any property may be missing, and a number
// too large for 64 bits counts as missing (LANG-NUMBER-OVERFLOW reports it).
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { Bar, PciplatAstType } from '../generated/ast.js';
import { hex } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { FOUR_GIB, isPowerOfTwo, lineOf, valueOf } from './ast-helpers.js';
import { bankLabel, bankOf, barLabel, slotsOf, type AnyBar } from './bar-helpers.js';
import { relatedAt, report } from './report.js';

export function barChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Bar: [
            checkBarIndexInRange, checkBar64NotInLastSlot, checkBarIndexFree, checkBarSizePowerOfTwo,
            checkBarSizeAtLeastMinimum, checkIoBarAtMost256Bytes, checkIoBarNotPrefetchable,
            checkBarAlignedToSize, checkBarInsideItsAddressSpace,
        ],
    };
}

export function checkBarIndexInRange(bar: AnyBar, accept: ValidationAcceptor): void {
    const bank = bankOf(bar);
    const index = valueOf(bar.index);
    if (index === undefined || index <= bank.last) return;
    report(accept, 'PCI-BAR-INDEX', `${bankLabel(bank, index)} is out of range: ${bank.extent}.`, { node: bar, property: 'index' });
}

// A 64-bit BAR needs the next register for its upper 32 bits (DOMAIN §5.3.2, B.12 item 11).
export function checkBar64NotInLastSlot(bar: AnyBar, accept: ValidationAcceptor): void {
    const bank = bankOf(bar);
    const index = valueOf(bar.index);
    if (bar.kind !== 'mem64' || index !== bank.last) return;
    report(accept, 'PCI-BAR64-LAST', `${bankLabel(bank, index)} is 64-bit in the last BAR slot: its upper 32 bits would need ${bank.unit} ${index + 1n}, and ${bank.extent}.`, { node: bar, property: 'kind' });
}

export function checkBarIndexFree(bar: AnyBar, accept: ValidationAcceptor): void {
    const bank = bankOf(bar);
    const index = valueOf(bar.index);
    if (index === undefined || index > bank.last) return;
    const slot = slotsOf(bank).get(index);
    if (!slot || slot.bar === bar) return;
    if (slot.upperHalf) {
        const lower = `64-bit ${bank.unit} ${index - 1n}`;
        report(accept, 'PCI-BAR-INDEX-TAKEN', `${bankLabel(bank, index)} is taken: it holds the upper 32 bits of ${lower} (line ${lineOf(slot.bar)}).`, { node: bar, property: 'index' }, [relatedAt(slot.bar, lower)]);
    } else {
        report(accept, 'PCI-BAR-INDEX-TAKEN', `${bankLabel(bank, index)} is declared twice (first at line ${lineOf(slot.bar)}).`, { node: bar, property: 'index' }, [relatedAt(slot.bar, `${bankLabel(bank, index)} is first declared here`)]);
    }
}

// BAR sizing returns a power of two (DOMAIN §5.3.3, B.12 item 10).
export function checkBarSizePowerOfTwo(bar: AnyBar, accept: ValidationAcceptor): void {
    const size = valueOf(bar.size);
    // An Enhanced Allocation entry states its size (MaxOffset) in DWORDs: ea-checks.ts.
    if (size === undefined || isPowerOfTwo(size) || bar.ea) return;
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
export function checkBarAlignedToSize(bar: AnyBar, accept: ValidationAcceptor): void {
    const size = valueOf(bar.size);
    const address = valueOf(bar.address);
    if (size === undefined || address === undefined || !isPowerOfTwo(size) || address % size === 0n || bar.ea) return;
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
