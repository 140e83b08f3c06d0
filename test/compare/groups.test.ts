// compareGroups (src/compare/groups.ts) on hand-built sides: the verdict rules, and bounded work
// and output on a group of thousands of functions. (Real Linux runs: compare.test.ts.)
import { describe, expect, it } from 'vitest';
import { compareGroups, type Verdict } from '../../src/compare/groups.js';
import type { FunctionResult, SimulationResult } from '../../src/engine/result.js';
import type { RealGroups } from '../../src/import/iommu-groups.js';
import { compareJson, formatCompareText } from '../../src/cli/format-compare.js';
import { stringifyJson } from '../../src/cli/format-json.js';

const loc = { uri: 'file:///p.pciplat', start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };

/** `bus:dev` → group (null: none), e.g. { '01:00': 3 }. */
function predicted(groups: Record<string, number | null>, extra: Partial<FunctionResult> = {}): SimulationResult {
    const functions = Object.entries(groups).map(([at, group]): FunctionResult => {
        const [bus, device] = at.split(':').map((x) => BigInt(`0x${x}`)) as [bigint, bigint];
        return { name: `f${at.replace(':', '_')}`, kind: 'endpoint', segment: 0n, bus, device, fn: 0n, bars: [], aliases: [], streamIds: [], deviceIds: [], group, loc, ...extra };
    });
    return { platform: 'p', profile: 'kvm', functions, groups: [], domains: [], assignable: [], trace: [], findings: [] };
}

function real(groups: Record<string, number | null>, listsUngrouped = false): RealGroups {
    const functions = Object.entries(groups).map(([at, group]) => ({ sbdf: `0000:${at.split(':')[0]}:${at.split(':')[1]}.0`, group, loc }));
    return { form: listsUngrouped ? 'sysfs' : 'loop', functions, listsUngrouped, otherDevices: 0, findings: [] };
}

function verdicts(p: SimulationResult, r: RealGroups): Record<string, Verdict> {
    return Object.fromEntries(compareGroups(p, r).functions.map((f) => [f.sbdf, f.verdict]));
}

describe('verdicts', () => {
    it('agree on equal member sets whatever the numbers; differ on other members or a group on one side only', () => {
        expect(verdicts(predicted({ '00:01': 0, '01:00': 0, '00:02': 1, '02:00': 2 }), real({ '00:01': 7, '01:00': 7, '00:02': 3, '02:00': 3 }))).toEqual({
            '0000:00:01.0': 'agree',
            '0000:00:02.0': 'differs',
            '0000:01:00.0': 'agree',
            '0000:02:00.0': 'differs',
        });
        expect(verdicts(predicted({ '00:01': null }), real({ '00:01': 4 }, true))).toEqual({ '0000:00:01.0': 'differs' });
    });

    it('a function without a group agrees with its absence from a listing, not from a snapshot that lists every function', () => {
        expect(verdicts(predicted({ '00:01': 0, '01:00': null }), real({ '00:01': 0 }))).toEqual({ '0000:00:01.0': 'agree', '0000:01:00.0': 'agree' });
        expect(verdicts(predicted({ '00:01': 0, '01:00': null }), real({ '00:01': 0 }, true))).toEqual({ '0000:00:01.0': 'agree', '0000:01:00.0': 'only-predicted' });
        expect(verdicts(predicted({ '00:01': 0, '01:00': null }), real({ '00:01': 0, '01:00': null }, true))).toEqual({ '0000:00:01.0': 'agree', '0000:01:00.0': 'agree' });
    });

    it("does not hold a member the other side lacks against the group's other functions (it has its own line)", () => {
        const c = compareGroups(predicted({ '00:01': 0 }), real({ '00:01': 0, '01:00': 0 }));
        expect(c.functions.map((f) => [f.sbdf, f.verdict, f.onlyRealMembers])).toEqual([
            ['0000:00:01.0', 'agree', ['0000:01:00.0']],
            ['0000:01:00.0', 'only-real', ['0000:01:00.0']],
        ]);
    });

    it('invisible functions are not predicted', () => {
        expect(verdicts(predicted({ '80:00': null }, { invisible: 'behind a host bridge Linux never scans' }), real({ '80:00': 2 }))).toEqual({ '0000:80:00.0': 'only-real' });
    });
});

describe('one group of 20,000 functions', () => {
    it('compares, prints and serialises in output proportional to the functions, not their square', () => {
        const n = 20_000;
        const p = predicted({});
        p.functions = Array.from({ length: n }, (_, i): FunctionResult => ({
            name: `f${i}`, kind: 'endpoint', segment: 0n, bus: BigInt(i >> 8), device: BigInt((i >> 3) & 31), fn: BigInt(i & 7), bars: [], aliases: [], streamIds: [], deviceIds: [], group: 0, loc,
        }));
        // The real machine isolates the first function; the other 19,999 share a group.
        const r: RealGroups = { form: 'loop', functions: p.functions.map((f, i) => ({ sbdf: `0000:${f.bus!.toString(16).padStart(2, '0')}:${f.device.toString(16).padStart(2, '0')}.${f.fn}`, group: i === 0 ? 1 : 0, loc })), listsUngrouped: false, otherDevices: 0, findings: [] };
        const c = compareGroups(p, r);
        expect(c.counts.differs).toBe(n);
        const text = formatCompareText(c, 'p.pciplat', 'r.txt');
        expect(text.split('\n').length).toBe(n + 6);
        expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThan(600);
        expect(text).toContain('0000:00:00.1  f1      differs         predicted group 0 {0000:00:00.0, 0000:00:00.1,');
        expect(text).toContain(', and 19984 more}  real group 0 {0000:00:00.1,');
        expect(text).toContain(', and 19983 more}\n');
        // JSON names each group's members once.
        const json = stringifyJson(compareJson(c, 'p.pciplat', 'r.txt', '/'));
        expect(json.split('0000:4e:03.7').length - 1).toBe(3); // its own entry, once in each side's group
    });
});
