// The result store's compact copies (server/simulation/compact.ts): the same data, with equal
// strings, small bigints and locations shared, arrays copied, and keys whose value is undefined
// left out.
import { describe, expect, it } from 'vitest';
import { Compactor } from '../../server/simulation/compact.js';

const loc = (line: number) => ({ uri: 'file:///w/a.pciplat', start: { line, character: 2 }, end: { line, character: 9 } });

describe('Compactor', () => {
    it('keeps the data, leaving out undefined keys', () => {
        const input = { name: 'nic0', kind: 'vf', bus: 3n, address: 0x1000_0000_0000n, rom: undefined, bars: [{ index: 0, size: 65536n, prefetchable: true }], loc: loc(4), nested: { a: [1, 'x', null] } };
        const copy = new Compactor().value(structuredClone(input));
        expect(copy).toStrictEqual({ name: 'nic0', kind: 'vf', bus: 3n, address: 0x1000_0000_0000n, bars: [{ index: 0, size: 65536n, prefetchable: true }], loc: loc(4), nested: { a: [1, 'x', null] } });
        expect(Object.keys(copy)).toEqual(['name', 'kind', 'bus', 'address', 'bars', 'loc', 'nested']);
    });

    it('shares equal locations across objects of one run, and not different ones', () => {
        const compactor = new Compactor();
        const a = compactor.value(structuredClone({ name: 'pf.vf[0]', loc: loc(7) }));
        const b = compactor.value(structuredClone({ name: 'pf.vf[1]', loc: loc(7) }));
        const c = compactor.value(structuredClone({ name: 'other', loc: loc(8) }));
        expect(a.loc).toBe(b.loc);
        expect(a.loc).not.toBe(c.loc);
        expect(c.loc).toEqual(loc(8));
    });

    it('copies arrays rather than keeping the received ones (their stores have spare room)', () => {
        const received = structuredClone({ streamIds: [{ id: 5n }], members: ['nic0', 'nic1'] });
        const copy = new Compactor().value(received);
        expect(copy.streamIds).not.toBe(received.streamIds);
        expect(copy.members).not.toBe(received.members);
        expect(copy).toStrictEqual({ streamIds: [{ id: 5n }], members: ['nic0', 'nic1'] });
    });

    it('keeps objects that are not plain objects or arrays as they are', () => {
        const map = new Map([['k', 1]]);
        const copy = new Compactor().value({ map, date: new Date(0) });
        expect(copy.map).toBe(map);
        expect(copy.date).toEqual(new Date(0));
    });

    it('keeps a key named __proto__ out of the copy rather than changing its prototype', () => {
        const input = JSON.parse('{"name":"x","__proto__":{"polluted":true}}') as Record<string, unknown>;
        const copy = new Compactor().value(input);
        expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
        expect(copy).toEqual({ name: 'x' });
    });
});
