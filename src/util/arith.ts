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
