// The extension's VS Code-free parts: the grammar merge, the address-map layout and rendering, and
// the Simulation view's tree. (The parts that need VS Code are tested in a real one: suite/ with
// @vscode/test-electron, and test/e2e-vscode/ in code-server.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findOverlaps, formatAddress, formatSize, layoutMap, type MapRegion } from '../../client/src/address-map/layout.js';
import { mapSections, renderSections } from '../../client/src/address-map/render.js';
import type { AddressMapResult, RichSimulateResult } from '../../client/src/protocol.js';
import { traceText, traceTree, type TraceNode } from '../../client/src/trace-model.js';
import { mergeGrammar } from '../../client/grammar/merge.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Rule {
    name?: string;
    match?: string;
    captures?: Record<string, { name: string }>;
}

function grammar(): { patterns: Rule[] } {
    const generated = JSON.parse(fs.readFileSync(path.join(REPO, 'client/syntaxes/pciplat.tmLanguage.json'), 'utf8'));
    const extra = JSON.parse(fs.readFileSync(path.join(REPO, 'client/grammar/pciplat.tmLanguage.extra.json'), 'utf8'));
    return mergeGrammar(generated, extra);
}

/** A rough TextMate: the first rule (in order) that matches at each position wins. */
function scopes(text: string): [string, string][] {
    const rules = grammar().patterns.filter((r) => r.match);
    const tokens: [string, string][] = [];
    let i = 0;
    while (i < text.length) {
        let best: { index: number; length: number; scope: string; sub: [string, string][] } | undefined;
        for (const rule of rules) {
            const re = new RegExp(rule.match!, 'g');
            re.lastIndex = i;
            const m = re.exec(text);
            if (!m || m[0].length === 0) continue;
            if (!best || m.index < best.index) {
                const sub: [string, string][] = [];
                if (rule.captures) for (const [k, v] of Object.entries(rule.captures)) if (m[Number(k)] !== undefined) sub.push([m[Number(k)]!, v.name]);
                best = { index: m.index, length: m[0].length, scope: rule.name ?? '', sub };
            }
        }
        if (!best) break;
        if (best.sub.length > 0) tokens.push(...best.sub);
        else tokens.push([text.slice(best.index, best.index + best.length), best.scope]);
        i = best.index + best.length;
    }
    return tokens;
}

describe('TextMate grammar merge', () => {
    it('keeps every Langium keyword and compiles every rule', () => {
        const merged = grammar();
        for (const rule of merged.patterns) if (rule.match) expect(() => new RegExp(rule.match!)).not.toThrow();
        const generic = merged.patterns.find((r) => r.name === 'keyword.control.pciplat');
        expect(generic?.match).toMatch(/^\(\?<!\[\\w-\]\)\(/);
    });

    it('colours PCI addresses, sized numbers, kinds and declarations', () => {
        const tokens = new Map(scopes('endpoint nic0 at 01:00.0 vendor 0x8086 { bar 0 mem64 prefetch size 128K  pci-device mgmt at 04.0 }'));
        expect(tokens.get('endpoint')).toBe('storage.type.declaration.pciplat');
        expect(tokens.get('nic0')).toBe('entity.name.type.pciplat');
        expect(tokens.get('01:00.0')).toBe('constant.numeric.pci-address.pciplat');
        expect(tokens.get('04.0')).toBe('constant.numeric.devfn.pciplat');
        expect(tokens.get('0x8086')).toBe('constant.numeric.pciplat');
        expect(tokens.get('K')).toBe('keyword.other.unit.size-suffix.pciplat');
        expect(tokens.get('mem64')).toBe('support.type.resource-kind.pciplat');
        expect(tokens.get('vendor')).toBe('keyword.control.pciplat');
    });

    it('does not colour keywords inside hyphenated names', () => {
        const tokens = scopes('assign nic-io');
        expect(tokens.find(([t]) => t === 'io')).toBeUndefined();
    });
});

describe('address-map layout', () => {
    const region = (index: number, kind: string, name: string, base: bigint, size?: bigint): MapRegion => ({ index, kind, name, base, size });

    it('formats addresses and sizes', () => {
        expect(formatAddress(0x40_0000_0000n)).toBe('0x40_0000_0000');
        expect(formatAddress(0n)).toBe('0x0');
        expect(formatSize(256n << 20n)).toBe('256 MiB');
        expect(formatSize(0x1800n)).toBe('6 KiB');
        expect(formatSize(3n << 29n)).toBe('1.5 GiB');
        expect(formatSize(100n)).toBe('100 B');
    });

    it('nests BARs in windows and reports real overlaps only', () => {
        const regions = [
            region(0, 'host-window', 'pcie0.window0', 0x7000_0000n, 0x1000_0000n),
            region(1, 'bar', 'nic.bar0', 0x7000_0000n, 0x10_0000n),
            region(2, 'bar', 'gpu.bar0', 0x7008_0000n, 0x10_0000n),
            region(3, 'its', 'gits0', 0x3000_0000n),
        ];
        const overlaps = findOverlaps(regions);
        expect(overlaps).toEqual([{ a: 1, b: 2, base: 0x7008_0000n, end: 0x700f_ffffn }]);
        const layout = layoutMap(regions);
        expect(layout.lanes.get(0)).toBe(0);
        expect(layout.lanes.get(1)).toBe(1);
        expect(layout.lanes.get(2)).toBe(2); // beside the BAR it overlaps
        expect(layout.svg).toContain('class="region k-bar overlap"');
        expect(layout.svg).toContain('unsized');
        expect(layout.svg).toContain('unused');
        expect(layout.svg).not.toContain('<script');
    });
});

describe('address-map rendering', () => {
    const map: AddressMapResult = {
        uri: 'file:///w/a.pciplat',
        platforms: [
            {
                platform: 'board',
                simulated: true,
                regions: [
                    { kind: 'memory', name: 'dram', base: '0x80000000', size: '0x80000000', end: '0xffffffff', owner: 'platform' },
                    { kind: 'bar', name: 'x.bar0<script>', base: '0x10000000', size: '0x1000', end: '0x10000fff', origin: 'placed', loc: { uri: 'file:///w/a.pciplat', range: { start: { line: 3, character: 2 }, end: { line: 3, character: 9 } } } },
                ],
                unplaced: [{ name: 'y.bar2', size: '0x100000', space: 'mem32' }],
            },
        ],
    };

    it('escapes names, keeps details for hover, lists unplaced BARs', () => {
        const rendered = renderSections(mapSections(map));
        expect(rendered.html).toContain('x.bar0&lt;script&gt;');
        expect(rendered.html).not.toContain('<script>');
        expect(rendered.html).toContain('y.bar2');
        const details = rendered.details['host-board']!;
        expect(details[1]!.loc?.range.start.line).toBe(3);
        expect(details[1]!.rows).toContainEqual(['address', 'placed by the simulation']);
    });

    it('draws guest maps from the simulation result when it has them', () => {
        const simulation = {
            uri: map.uri,
            versions: {},
            platform: 'board',
            profile: 'arm-design',
            scenario: null,
            functions: [],
            findings: [],
            domains: [
                {
                    name: 'web',
                    running: true,
                    devices: ['nvme1'],
                    guestSbdf: { nvme1: '0000:00:03.0' },
                    holes: [{ which: 'low', base: '0x23000000', size: '0x10000000' }],
                    guestBars: [
                        { device: 'nvme1', bar: 0, kind: 'mem64', size: '0x4000', guest: '0x23000000', host: '0x58000000' },
                        { device: 'nvme1', bar: 2, kind: 'io', size: '0x40', guest: null, note: 'I/O BARs are not mapped on Arm' },
                    ],
                },
            ],
        } as RichSimulateResult;
        const sections = mapSections(map, simulation);
        expect(sections.map((s) => s.id)).toEqual(['host-board', 'guest-board-web']);
        const rendered = renderSections(sections);
        expect(rendered.overlapCount).toBe(0);
        expect(rendered.html).toContain('I/O BARs are not mapped on Arm');
    });
});

describe('Simulation view tree', () => {
    const base = {
        uri: 'file:///w/a.pciplat',
        versions: {},
        platform: 'armsrv',
        profile: 'arm-design',
        scenario: 'bringup',
        functions: [{ name: 'nic', kind: 'endpoint', sbdf: '0000:01:00.0', rid: '0x100', bars: [] }],
        groups: [{ id: 0, members: ['nic'] }],
        findings: [
            { code: 'PCI-BAR-OVERLAP', severity: 'error', message: 'BARs overlap', file: 'a.pciplat', line: 4, column: 3, endLine: 4, endColumn: 9, related: [{ file: 'a.pciplat', line: 3, column: 3, message: 'the other BAR' }] },
        ],
    } as RichSimulateResult;

    const find = (nodes: TraceNode[], id: string): TraceNode | undefined => {
        for (const n of nodes) {
            if (n.id === id) return n;
            const inner = find(n.children ?? [], id);
            if (inner) return inner;
        }
        return undefined;
    };

    it('lists findings with their places and says when there is no trace', () => {
        const tree = traceTree(base, { verbosity: 'events', millis: 42 });
        expect(find(tree, 'findings')!.description).toBe('1 error');
        expect(find(tree, 'findings/0')!.location).toEqual({ kind: 'relative', file: 'a.pciplat', line: 4, column: 3, endLine: 4, endColumn: 9 });
        expect(find(tree, 'findings/0/related/0')!.label).toBe('the other BAR');
        expect(find(tree, 'trace')!.description).toBe('not reported');
        expect(find(tree, 'groups/0')!.description).toBe('nic');
    });

    it('groups trace events by step, following the verbosity', () => {
        const result = {
            ...base,
            trace: [
                { step: 1, stepKind: 'boot', event: 'PHYSDEVOP_pci_device_add', args: { sbdf: '0000:01:00.0', device: 'nic' }, loc: { uri: 'file:///w/a.pciplat', start: { line: 9, character: 2 }, end: { line: 9, character: 6 } } },
                { step: 1, stepKind: 'boot', event: 'smmu_ste_write', args: { sid: '0x100' } },
                { step: 2, stepKind: 'start', event: 'xl create', args: { domain: 'web vm' } },
            ],
        } as RichSimulateResult;
        const events = traceTree(result, { verbosity: 'events' });
        expect(find(events, 'trace')!.description).toBe('2 steps, 3 events');
        expect(find(events, 'trace/1')!.location).toMatchObject({ kind: 'lsp', start: { line: 9 } });
        expect(find(events, 'trace/1/0')!.description).toBe('sbdf=0000:01:00.0 device=nic');
        expect(find(events, 'trace/2/0')!.description).toBe('domain="web vm"');
        expect(find(traceTree(result, { verbosity: 'steps' }), 'trace/1')!.children).toBeUndefined();
        expect(find(traceTree(result, { verbosity: 'off' }), 'trace')).toBeUndefined();
        expect(traceText(result, 'events')).toContain('  [1 boot] smmu_ste_write sid=0x100');
    });
});
