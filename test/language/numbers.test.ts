// NUMBER and PCI address tokens → bigint (language/numbers.ts), whose conversions are cached by
// token text: a repeated literal gives the same value, and parts handed out stay the caller's.
import { describe, expect, it } from 'vitest';
import { numberValue, pciAddressValue, U64_MAX } from '../../language/numbers.js';

describe('numberValue', () => {
    it('reads every base and suffix, with underscores', () => {
        expect(numberValue('0x801_0002_0000')).toBe(0x801_0002_0000n);
        expect(numberValue('0b1010')).toBe(10n);
        expect(numberValue('4096')).toBe(4096n);
        expect(numberValue('64K')).toBe(64n << 10n);
        expect(numberValue('1m')).toBe(1n << 20n);
        expect(numberValue('0x10G')).toBe(16n << 30n);
        expect(numberValue('16384P')).toBe(U64_MAX + 1n);
    });

    it('gives the same value for a literal read again', () => {
        const first = numberValue('0x8086');
        for (let i = 0; i < 3; i++) expect(numberValue('0x8086')).toBe(first);
        expect(first).toBe(0x8086n);
    });

    it('keeps converting correctly past the cache limit (distinct literals)', () => {
        for (let i = 0; i < 70_000; i++) expect(numberValue(`${i}K`)).toBe(BigInt(i) << 10n);
        expect(numberValue('0x8086')).toBe(0x8086n);
    });
});

describe('pciAddressValue', () => {
    it('reads segment, bus, device and function in hex', () => {
        expect(pciAddressValue('0001:0a:1f.7')).toEqual({ segment: 1n, bus: 10n, device: 31n, fn: 7n });
        expect(pciAddressValue('01:00.0')).toEqual({ bus: 1n, device: 0n, fn: 0n });
        expect(pciAddressValue('1f.3')).toEqual({ device: 31n, fn: 3n });
    });

    it('hands out parts the caller may change without changing the next answer', () => {
        const parts = pciAddressValue('02:03.1');
        parts.bus = 99n;
        parts.fn = 5n;
        expect(pciAddressValue('02:03.1')).toEqual({ bus: 2n, device: 3n, fn: 1n });
    });
});
