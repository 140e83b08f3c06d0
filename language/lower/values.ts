// Reading token text into model values without ever throwing: the user may be mid-edit, so
// any value can be missing; the language checks report what is wrong.
import { numberValue, pciAddressValue, type PciAddressParts } from '../numbers.js';

export function num(text: string | undefined, fallback: bigint): bigint {
    return text === undefined ? fallback : numberValue(text);
}

export function optNum(text: string | undefined): bigint | undefined {
    return text === undefined ? undefined : numberValue(text);
}

/** Small integer fields (indices, bit counts): clamped so a huge written value cannot overflow a number. */
export function smallNum(text: string | undefined, fallback: number): number {
    if (text === undefined) return fallback;
    const value = numberValue(text);
    return value > 0xffff_ffffn ? 0xffff_ffff : Number(value);
}

export function pciAddress(absolute: string | undefined, relative: string | undefined): PciAddressParts {
    const text = absolute ?? relative;
    return text === undefined ? { device: 0n, fn: 0n } : pciAddressValue(text);
}

/** The value of the first `key value` pair with this key. */
export function prop(props: readonly { key: string; value: string }[], key: string): string | undefined {
    return props.find((p) => p.key === key)?.value;
}
