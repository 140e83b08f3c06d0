// The exact output of `simulate` (and check's merging of simulation findings) with the engine's
// answer pinned: `simulate` is replaced by a stub, so these tests do not move when the fabric
// and hypervisor layers change what the engine computes.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SimulationOptions } from '../../src/engine/simulate.js';
import type { FunctionResult, SimulationResult } from '../../src/engine/result.js';
import type { Platform } from '../../src/model/platform.js';
import { runCli } from '../../src/cli/main.js';
import { VERSION } from '../../src/cli/version.js';
import { capture, fakeLoader, input, loc, mkFinding, scenario, smallPlatform } from './fixtures.js';

const engine = vi.hoisted(() => ({ simulate: vi.fn<(p: Platform, o?: SimulationOptions) => SimulationResult>() }));
vi.mock('../../src/engine/simulate.js', () => ({ simulate: engine.simulate }));

const where = loc('p.pciplat', 10, 4, 10, 9);
const overlap = mkFinding('PCI-BAR-MISALIGNED', 'error', 'BAR 2 of nic at 0x800 is not aligned to its size 0x1000.', loc('p.pciplat', 21, 4, 21, 30), [
    { loc: loc('p.pciplat', 9, 2, 9, 10), message: 'the function' },
]);
const warning = mkFinding('PCI-MF-NOT-MULTIFUNCTION', 'warning', 'Function 0 of 01:00 is not marked multifunction.', where);

const noIds: Pick<FunctionResult, 'aliases' | 'streamIds' | 'deviceIds' | 'group'> = { aliases: [], streamIds: [], deviceIds: [], group: null };
/** The JSON of a function's fields the engine could not compute: empty lists, null values. */
const noIdsJson = { acsUnknown: [], noGroup: null, quirks: [], owner: null, refused: [], pf: null, invisible: null, rom: null, aliases: [], msiRid: null, streamIds: [], deviceIds: [], group: null, secondary: null, subordinate: null, windows: null };

function result(platform: string, profile: SimulationResult['profile'], findings = [overlap]): SimulationResult {
    return {
        platform,
        profile,
        findings,
        groups: [{ id: 0, members: ['rp0', 'nic'] }],
        domains: [],
        assignable: [],
        trace: [],
        functions: [
            { name: 'rp0', kind: 'root-port', segment: 0n, bus: 0n, device: 1n, fn: 0n, bars: [], loc: where, ...noIds, group: 0, bridge: { secondary: 1n, subordinate: 1n, windows: [{ window: 'mem', kind: 'mem32', start: 0x1000_0000n, end: 0x101f_ffffn, written: false }] } },
            {
                name: 'nic',
                kind: 'endpoint',
                segment: 0x10n,
                bus: 0x1n,
                device: 0n,
                fn: 0n,
                bars: [
                    { index: 0, kind: 'mem64', prefetchable: true, size: 0x4000n, address: 0xffff_ffff_ffff_c000n },
                    { index: 2, kind: 'mem32', prefetchable: false, size: 0x1000n, address: 0x800n },
                    { index: 4, kind: 'io', prefetchable: false, size: 0x20n },
                ],
                loc: where,
                aliases: [0x100n],
                msiRid: 0x100n,
                streamIds: [{ iommu: 'smmu0', id: 0x100n }],
                deviceIds: [{ its: 'gits0', id: 0x100n }],
                group: 0,
            },
            { name: 'vf0', kind: 'vf', segment: 0n, device: 0x1fn, fn: 7n, bars: [], loc: where, ...noIds },
            { name: 'ari9', kind: 'endpoint', segment: 0n, bus: 2n, device: 0n, fn: 9n, bars: [], loc: where, ...noIds },
        ],
    };
}

async function run(argv: string[], loaded = input({ platforms: [smallPlatform('board', { scenarios: [scenario('hotplug')] })], findings: [warning] })) {
    const c = capture();
    const code = await runCli(argv, c.io, fakeLoader(loaded));
    return { code, out: c.out(), err: c.err() };
}

beforeEach(() => {
    engine.simulate.mockReset();
    engine.simulate.mockImplementation((p, o) => result(p.name, o?.profile ?? 'arm-design'));
});

describe('simulate output', () => {
    it('text: header, aligned function lines, then the findings; summary on stderr', async () => {
        const r = await run(['simulate', 'p.pciplat', '--scenario', 'hotplug']);
        expect(r.out).toBe(
            [
                'platform board',
                'profile arm-design',
                'scenario hotplug',
                'functions:',
                '  rp0   root-port  0000:00:01.0  rid 0x0008  group 0   buses 01-01  mem 0x10000000-0x101fffff',
                '  nic   endpoint   0010:01:00.0  rid 0x0100  group 0   bar0 mem64 pref size 0x4000 at 0xffffffffffffc000, bar2 mem32 size 0x1000 at 0x800, bar4 io size 0x20 at ?  sid smmu0:0x100  did gits0:0x100',
                '  vf0   vf         0000:??:1f.7  rid ????    no group',
                '  ari9  endpoint   0000:02:01.1  rid 0x0209  no group',
                'iommu groups:',
                '  0:  rp0 nic',
                '',
                'p.pciplat:11:5: warning: PCI-MF-NOT-MULTIFUNCTION Function 0 of 01:00 is not marked multifunction.',
                'p.pciplat:22:5: error: PCI-BAR-MISALIGNED BAR 2 of nic at 0x800 is not aligned to its size 0x1000.',
                '    p.pciplat:10:3: note: the function',
                '',
            ].join('\n'),
        );
        expect(r.err).toBe('1 error, 1 warning\n');
        expect(r.code).toBe(1);
        expect(engine.simulate).toHaveBeenCalledTimes(1);
        expect(engine.simulate.mock.calls[0]![1]).toEqual({ profile: undefined, scenario: 'hotplug' });
    });

    it('text without functions or findings', async () => {
        engine.simulate.mockImplementation((p) => ({ platform: p.name, profile: 'kvm', functions: [], groups: [], domains: [], assignable: [], trace: [], findings: [] }));
        const r = await run(['simulate', 'p.pciplat'], input({ platforms: [smallPlatform('empty')] }));
        expect(r).toEqual({ code: 0, out: 'platform empty\nprofile kvm\nfunctions: none\n', err: '0 errors, 0 warnings\n' });
    });

    it('json: the documented document, 64-bit values as hex strings, null when unknown', async () => {
        const r = await run(['simulate', 'p.pciplat', '--format', 'json', '--profile', 'kvm']);
        expect(r.code).toBe(1);
        expect(r.err).toBe('');
        expect(engine.simulate.mock.calls[0]![1]).toEqual({ profile: 'kvm', scenario: undefined });
        expect(JSON.parse(r.out)).toEqual({
            platform: 'board',
            profile: 'kvm',
            scenario: null,
            functions: [
                {
                    ...noIdsJson,
                    name: 'rp0',
                    kind: 'root-port',
                    sbdf: '0000:00:01.0',
                    rid: '0x8',
                    bars: [],
                    bus: '0x0',
                    group: 0,
                    secondary: '0x1',
                    subordinate: '0x1',
                    windows: [{ window: 'mem', kind: 'mem32', start: '0x10000000', end: '0x101fffff', written: false }],
                },
                {
                    ...noIdsJson,
                    name: 'nic',
                    kind: 'endpoint',
                    sbdf: '0010:01:00.0',
                    rid: '0x100',
                    bars: [
                        { index: 0, kind: 'mem64', prefetchable: true, size: '0x4000', address: '0xffffffffffffc000' },
                        { index: 2, kind: 'mem32', prefetchable: false, size: '0x1000', address: '0x800' },
                        { index: 4, kind: 'io', prefetchable: false, size: '0x20', address: null },
                    ],
                    bus: '0x1',
                    aliases: ['0x100'],
                    msiRid: '0x100',
                    streamIds: [{ iommu: 'smmu0', id: '0x100' }],
                    deviceIds: [{ its: 'gits0', id: '0x100' }],
                    group: 0,
                },
                { ...noIdsJson, name: 'vf0', kind: 'vf', sbdf: '0000:??:1f.7', rid: null, bars: [], bus: null },
                { ...noIdsJson, name: 'ari9', kind: 'endpoint', sbdf: '0000:02:01.1', rid: '0x209', bars: [], bus: '0x2' },
            ],
            groups: [{ id: 0, members: ['rp0', 'nic'] }],
            domains: [],
            assignable: [],
            trace: [],
            findings: [
                {
                    code: 'PCI-MF-NOT-MULTIFUNCTION',
                    severity: 'warning',
                    message: 'Function 0 of 01:00 is not marked multifunction.',
                    file: 'p.pciplat',
                    line: 11,
                    column: 5,
                    endLine: 11,
                    endColumn: 10,
                    related: [],
                },
                {
                    code: 'PCI-BAR-MISALIGNED',
                    severity: 'error',
                    message: 'BAR 2 of nic at 0x800 is not aligned to its size 0x1000.',
                    file: 'p.pciplat',
                    line: 22,
                    column: 5,
                    endLine: 22,
                    endColumn: 31,
                    related: [{ file: 'p.pciplat', line: 10, column: 3, endLine: 10, endColumn: 11, message: 'the function' }],
                },
            ],
        });
    });

    it('sarif: the findings of the language and of the simulation', async () => {
        const r = await run(['simulate', 'p.pciplat', '--format', 'sarif']);
        const log = JSON.parse(r.out);
        expect(log.runs[0].tool.driver).toMatchObject({ name: 'pciplat', version: VERSION });
        expect(log.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)).toEqual(['PCI-BAR-MISALIGNED', 'PCI-MF-NOT-MULTIFUNCTION']);
        expect(log.runs[0].results.map((x: { ruleId: string; ruleIndex: number; level: string }) => [x.ruleId, x.ruleIndex, x.level])).toEqual([
            ['PCI-MF-NOT-MULTIFUNCTION', 1, 'warning'],
            ['PCI-BAR-MISALIGNED', 0, 'error'],
        ]);
        expect(r.code).toBe(1);
    });

    it('exits 0 when neither the language nor the simulation reports an error', async () => {
        engine.simulate.mockImplementation((p) => result(p.name, 'arm-design', [warning]));
        const r = await run(['simulate', 'p.pciplat']);
        expect(r.code).toBe(0);
        expect(r.out.match(/PCI-MF-NOT-MULTIFUNCTION/g)).toHaveLength(1);
        expect(r.err).toBe('0 errors, 1 warning\n');
    });

    it('an engine failure is an internal error: exit 2, one line', async () => {
        engine.simulate.mockImplementation(() => {
            throw new TypeError("Cannot read properties of undefined (reading 'bus')");
        });
        const r = await run(['simulate', 'p.pciplat', '--format', 'json']);
        expect(r).toEqual({ code: 2, out: '', err: "pciplat: internal error: Cannot read properties of undefined (reading 'bus')\n" });
        const c = await run(['check', 'p.pciplat']);
        expect(c.code).toBe(2);
    });
});

describe('check with simulation', () => {
    it('simulates every platform with --profile and merges identical findings', async () => {
        const loaded = input({ platforms: [smallPlatform('a'), smallPlatform('b')], findings: [warning, { ...overlap, related: [...overlap.related] }] });
        const r = await run(['check', 'p.pciplat', '--profile', 'x86-pvh'], loaded);
        expect(engine.simulate.mock.calls.map(([p, o]) => [p.name, o])).toEqual([
            ['a', { profile: 'x86-pvh', everyScenario: true }],
            ['b', { profile: 'x86-pvh', everyScenario: true }],
        ]);
        expect(r.out).toBe(
            [
                'p.pciplat:11:5: warning: PCI-MF-NOT-MULTIFUNCTION Function 0 of 01:00 is not marked multifunction.',
                'p.pciplat:22:5: error: PCI-BAR-MISALIGNED BAR 2 of nic at 0x800 is not aligned to its size 0x1000.',
                '    p.pciplat:10:3: note: the function',
                '',
            ].join('\n'),
        );
        expect(r.err).toBe('1 error, 1 warning\n');
        expect(r.code).toBe(1);
    });

    it('keeps findings that differ in any part', async () => {
        engine.simulate.mockImplementation((p) => result(p.name, 'arm-design', [overlap, { ...overlap, related: [] }, { ...overlap, severity: 'warning' }]));
        const r = await run(['check', 'p.pciplat', '--format', 'json'], input({ platforms: [smallPlatform('a')], findings: [] }));
        expect(JSON.parse(r.out).findings).toHaveLength(3);
    });

    it('drops a simulation finding at the start of a language error (its consequence)', async () => {
        engine.simulate.mockImplementation((p) => result(p.name, 'arm-design', [{ ...overlap, code: 'HV-DEVICE-UNKNOWN', message: 'guest1 cannot get nic1' }, warning]));
        const r = await run(['check', 'p.pciplat', '--format', 'json'], input({ platforms: [smallPlatform('a')], findings: [overlap] }));
        expect(JSON.parse(r.out).findings.map((f: { code: string }) => f.code)).toEqual(['PCI-MF-NOT-MULTIFUNCTION', 'PCI-BAR-MISALIGNED']);
    });
});
