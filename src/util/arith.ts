// Arithmetic the fabric and the hypervisor layers share, total on every input: a value that
// the language reports as out of range (LANG-VALUE-RANGE, PCI-BAR-SIZE-MIN) still reaches the
// engine while the user edits, and must give an answer, never a throw ("Division by zero") or a
// BigInt too large to build ("Maximum BigInt size exceeded", issue 15 bugs 2 and 4).

/** The widest ID any IOMMU or ITS has: IDs are 64-bit values at most. */
export const MAX_ID_BITS = 64;

/** 2^bits, the exclusive limit of IDs `bits` wide; the width is clamped to 0..MAX_ID_BITS. */
export function idLimit(bits: number): bigint {
    const width = Number.isFinite(bits) ? Math.min(Math.max(Math.trunc(bits), 0), MAX_ID_BITS) : MAX_ID_BITS;
    return 1n << BigInt(width);
}

/** The first multiple of `align` at or above `value`; alignments of 1 or less (0: none) leave it. */
export function alignUp(value: bigint, align: bigint): bigint {
    if (align <= 1n) return value;
    const rest = value % align;
    return rest === 0n ? value : value + (align - rest);
}

/** Whether `value` is a multiple of `align`; nothing is aligned to 0 or less. */
export function isAligned(value: bigint, align: bigint): boolean {
    return align > 0n && value % align === 0n;
}

/** The highest bus number: a bus number has 8 bits. */
export const MAX_BUS = 0xffn;

/**
 * A written bus number as the scan can use it: the language reports one above 0xff
 * (PCI-BUS-RANGE), and the engine still must not number buses, or place VFs, beyond what 8 bits
 * hold (a `bus-range` up to 0x1_ffff_ffff made every VF of 71 PFs "fit", 4.6 million of them).
 * A bound out of range is read as its default, the one a missing bound has: 0 for the first
 * bus, 0xff for the last, so the error is reported once, by the language, and not again as
 * the scan running out of buses.
 */
export function busBound(value: bigint, which: 'start' | 'end'): bigint {
    if (value >= 0n && value <= MAX_BUS) return value;
    return which === 'start' ? 0n : MAX_BUS;
}
