// Expansion ROM checks: a 32-bit BAR with address bits 10:0 reserved (DOMAIN §5.3.2-3), so a size
// that is a power of two of at least 2 KiB, and an address aligned to it. Codes PCI-BAR-SIZE-POW2,
// PCI-BAR-SIZE-MIN, PCI-BAR-MISALIGNED. Missing or over-64-bit numbers are skipped.
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { PciplatAstType, Rom } from '../generated/ast.js';
import { hex } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { isPowerOfTwo, valueOf } from './ast-helpers.js';
import { functionLabel } from './function-helpers.js';
import { report } from './report.js';

export function romChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Rom: [checkRomSizePowerOfTwo, checkRomSizeAtLeast2K, checkRomAlignedToSize],
    };
}

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
