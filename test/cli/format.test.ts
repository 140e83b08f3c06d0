// The printers' building blocks, without the CLI around them.
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { collectFindings } from '../../src/cli/findings.js';
import { stringifyJson } from '../../src/cli/format-json.js';
import { sarifLog } from '../../src/cli/format-sarif.js';
import { formatBar, formatRid, formatSbdf, MAX_COLUMN_WIDTH, summaryLine, table } from '../../src/cli/format-text.js';
import { artifactUri, displayPath } from '../../src/cli/paths.js';
import { loc, mkFinding } from './fixtures.js';

describe('numbers', () => {
    it('prints bigints as 0x lowercase hex strings and undefined as null in JSON', () => {
        expect(stringifyJson({ a: 0xffff_ffff_ffff_ffffn, b: 0n, c: undefined, d: [1n, undefined], e: 'x' })).toBe(
            '{\n  "a": "0xffffffffffffffff",\n  "b": "0x0",\n  "c": null,\n  "d": [\n    "0x1",\n    null\n  ],\n  "e": "x"\n}\n',
        );
    });

    it('formats SBDF as Linux does, ARI functions through their devfn, unknown bus as ssss:??', () => {
        expect(formatSbdf({ segment: 0xabcdn, bus: 0xfen, device: 0x1fn, fn: 7n })).toBe('abcd:fe:1f.7');
        expect(formatSbdf({ segment: 0n, bus: 3n, device: 0n, fn: 0xffn })).toBe('0000:03:1f.7');
        expect(formatSbdf({ segment: 1n, device: 2n, fn: 1n })).toBe('0001:??:02.1');
        expect(formatRid({ bus: 0xffn, device: 0x1fn, fn: 7n })).toBe('0xffff');
        expect(formatRid({ device: 0n, fn: 0n })).toBe('????');
    });

    it('aligns table columns, except that a cell over MAX_COLUMN_WIDTH widens no column', () => {
        expect(table([['nic0', 'endpoint', 'x'], ['gpu', 'rc-endpoint', 'y']])).toBe('  nic0  endpoint     x\n  gpu   rc-endpoint  y\n');
        const huge = 'b'.repeat(200_000);
        const text = table([['r0', 'root-port', 'x'], [huge, 'pci-bridge', 'y'], ['b3', 'pci-bridge', 'z']]);
        expect(text).toBe(`  r0  root-port   x\n  ${huge}  pci-bridge  y\n  b3  pci-bridge  z\n`);
        expect(text.length).toBeLessThan(huge.length + 100);
        expect(table([['x'.repeat(MAX_COLUMN_WIDTH), 'a'], ['y', 'b']])).toBe(`  ${'x'.repeat(MAX_COLUMN_WIDTH)}  a\n  y${' '.repeat(MAX_COLUMN_WIDTH - 1)}  b\n`);
    });

    it('formats BARs', () => {
        expect(formatBar({ index: 1, kind: 'mem64', prefetchable: true, size: 0x1_0000_0000n, address: 0x40_0000_0000n })).toBe('bar1 mem64 pref size 0x100000000 at 0x4000000000');
        expect(formatBar({ index: 5, kind: 'io', prefetchable: false, size: 0x80n })).toBe('bar5 io size 0x80 at ?');
    });

    it('pluralises the summary', () => {
        const e = mkFinding('LANG-SYNTAX', 'error', 'x');
        const w = mkFinding('MAP-EMPTY-ENTRY', 'warning', 'y');
        expect(summaryLine([])).toBe('0 errors, 0 warnings\n');
        expect(summaryLine([e, w])).toBe('1 error, 1 warning\n');
        expect(summaryLine([e, e, w, w, mkFinding('MAP-EMPTY-ENTRY', 'info', 'z')])).toBe('2 errors, 2 warnings\n');
    });
});

describe('paths', () => {
    it('shows paths relative to the cwd with forward slashes', () => {
        expect(displayPath('file:///proj/a/b.pciplat', '/proj')).toBe('a/b.pciplat');
        expect(displayPath('file:///other/b.pciplat', '/proj')).toBe('../other/b.pciplat');
        expect(displayPath('file:///proj/with%20space.pciplat', '/proj')).toBe('with space.pciplat');
        expect(displayPath('untitled:Untitled-1', '/proj')).toBe('untitled:Untitled-1');
    });

    it('gives SARIF relative URI references below the cwd, absolute URIs outside', () => {
        expect(artifactUri('file:///proj/a/with%20space.pciplat', '/proj')).toBe('a/with%20space.pciplat');
        expect(artifactUri('file:///proj/a%23b.pciplat', '/proj')).toBe('a%23b.pciplat');
        expect(artifactUri('file:///other/b.pciplat', '/proj')).toBe('file:///other/b.pciplat');
    });

    it('SARIF uses the absolute URI for files outside the cwd', () => {
        const log = sarifLog([mkFinding('LANG-SYNTAX', 'error', 'x', loc('a.pciplat', 0, 0))], '/elsewhere') as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
        expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('file:///proj/a.pciplat');
    });
});

describe('findings', () => {
    it('de-duplicates identical findings and sorts them', () => {
        const a = mkFinding('LANG-SYNTAX', 'error', 'x', loc('b.pciplat', 3, 0));
        const b = mkFinding('LANG-SYNTAX', 'error', 'x', loc('a.pciplat', 3, 0));
        expect(collectFindings([a, b], [{ ...a }], [b])).toEqual([b, a]);
    });
});

describe('argument parser', () => {
    const specs = { format: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

    it('takes --name value, --name=value, short booleans, positionals and --', () => {
        expect(parseArgs(['a', '--format', 'json', 'b', '-h', '--format=sarif', '--', '-c', '--help'], specs)).toEqual({
            values: { format: 'sarif', help: true },
            positionals: ['a', 'b', '-c', '--help'],
        });
        expect(parseArgs(['-'], specs).positionals).toEqual(['-']);
    });

    it('rejects unknown options, bundles, missing values', () => {
        for (const args of [['--nope'], ['-hx'], ['-f'], ['--format'], ['--format', '--help'], ['--help=yes']]) {
            expect(() => parseArgs(args, specs)).toThrow(UsageError);
        }
    });
});
