// Display forms used in trace arguments, xl.cfg lines and finding messages.

export function hex(value: bigint): string {
    return `0x${value.toString(16)}`;
}

function pad(value: bigint, width: number): string {
    return value.toString(16).padStart(width, '0');
}

/** `SSSS:BB:DD.F` as Linux and xl print it (devfn split as dev<<3|fn, also under ARI). */
export function sbdf(segment: bigint, bus: bigint, devfn: bigint): string {
    return `${pad(segment, 4)}:${pad(bus, 2)}:${pad(devfn >> 3n, 2)}.${(devfn & 7n).toString(16)}`;
}

/** `BB:DD.F`. */
export function bdf(bus: bigint, devfn: bigint): string {
    return `${pad(bus, 2)}:${pad(devfn >> 3n, 2)}.${(devfn & 7n).toString(16)}`;
}

/** `0xA-0xB` (inclusive end, as boot logs print ranges). */
export function range(base: bigint, size: bigint): string {
    return `${hex(base)}-${hex(base + size - 1n)}`;
}

/** Human size: 4K, 256M, 4G, else hex. */
export function sizeText(size: bigint): string {
    const units: [bigint, string][] = [
        [1n << 40n, 'T'],
        [1n << 30n, 'G'],
        [1n << 20n, 'M'],
        [1n << 10n, 'K'],
    ];
    for (const [unit, suffix] of units) if (size >= unit && size % unit === 0n) return `${size / unit}${suffix}`;
    return hex(size);
}

export const PAGE = 0x1000n;


export function overlaps(a: bigint, aSize: bigint, b: bigint, bSize: bigint): boolean {
    return a < b + bSize && b < a + aSize;
}
