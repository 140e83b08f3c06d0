// runCli end to end with a fake loader: usage, help, exit statuses, and the check command's
// exact output in every format. (Exact simulate output: simulate-output.test.ts, which pins the
// engine's answer; here the real engine runs.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/findings/codes.js';
import { runCli } from '../../src/cli/main.js';
import { VERSION } from '../../src/cli/version.js';
import { CHECK_HELP, HELP_HELP, SIMULATE_HELP, TOP_HELP } from '../../src/cli/help.js';
import { capture, fakeLoader, input, loc, mkFinding, platform, scenario, smallPlatform, CWD } from './fixtures.js';

async function run(argv: string[], loader = fakeLoader(input())) {
    const c = capture();
    const code = await runCli(argv, c.io, loader);
    return { code, out: c.out(), err: c.err(), loader };
}

// Five findings in two files (one without a location), given unsorted and with a repeat.
const internal = mkFinding('LANG-INTERNAL', 'error', 'pciplat failed on this construct');
const syntax = mkFinding('LANG-SYNTAX', 'error', "Expecting '}' but found 'bar'.", loc('a.pciplat', 0, 5, 0, 8));
const mf = mkFinding('PCI-MF-NO-FUNCTION0', 'warning', 'Device 00:02 has functions but no function 0.', loc('a.pciplat', 4, 0, 4, 12));
const empty = mkFinding('MAP-EMPTY-ENTRY', 'info', 'This map entry covers no ID.', loc('sub/b.pciplat', 1, 0, 1, 20));
const pow2 = mkFinding('PCI-BAR-SIZE-POW2', 'error', 'BAR 0 of nic is 0x3000 bytes, not a power of two.', loc('sub/b.pciplat', 11, 4, 12, 2), [
    { loc: loc('a.pciplat', 2, 2, 2, 9), message: 'the window it is placed in' },
    { loc: loc('sub/b.pciplat', 9, 0, 9, 3), message: 'the function' },
]);
const FINDINGS = [pow2, empty, syntax, mf, internal, { ...syntax, related: [] }];

describe('version and help', () => {
    it('keeps VERSION equal to package.json', () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
        expect(VERSION).toBe(pkg.version);
    });

    it.each([['--version'], ['-V']])('%s prints the version', async (flag) => {
        expect(await run([flag])).toMatchObject({ code: 0, out: `pciplat ${VERSION}\n`, err: '' });
    });

    it.each([
        [['--help'], TOP_HELP],
        [['-h'], TOP_HELP],
        [['help'], TOP_HELP],
        [['help', 'check'], CHECK_HELP],
        [['help', 'simulate'], SIMULATE_HELP],
        [['help', 'help'], HELP_HELP],
        [['help', '--help'], HELP_HELP],
        [['check', '--help'], CHECK_HELP],
        [['check', '-h'], CHECK_HELP],
        [['simulate', '--help'], SIMULATE_HELP],
        [['simulate', 'x.pciplat', '--bogus', '-h'], SIMULATE_HELP],
    ])('%j prints its help', async (argv, text) => {
        const r = await run(argv);
        expect(r).toMatchObject({ code: 0, out: text, err: '' });
        expect(r.loader.calls).toEqual([]);
    });

    it('documents every command, format, profile and exit status', () => {
        for (const word of ['check', 'simulate', 'help', '--version', 'text, json, sarif', 'arm-design, arm-upstream, x86-pvh, kvm', 'Exit status']) {
            expect(TOP_HELP).toContain(word);
        }
        for (const option of ['--format', '--profile']) expect(CHECK_HELP).toContain(option);
        for (const option of ['--format', '--profile', '--platform', '--scenario']) expect(SIMULATE_HELP).toContain(option);
    });

    it('without arguments prints the overview on stderr and exits 2', async () => {
        expect(await run([])).toMatchObject({ code: 2, out: '', err: TOP_HELP });
    });
});

describe('usage errors exit 2 with one line and never load', () => {
    it.each([
        [['frobnicate'], "pciplat: unknown command 'frobnicate' (commands: check, simulate, import, compare, export, help) (see 'pciplat --help')"],
        [['help', 'frobnicate'], "pciplat: unknown command 'frobnicate' (commands: check, simulate, import, compare, export, help) (see 'pciplat help --help')"],
        [['help', 'check', 'simulate'], "pciplat: help takes at most one COMMAND (see 'pciplat help --help')"],
        [['--bogus'], "pciplat: unknown option --bogus (see 'pciplat --help')"],
        [['--format', 'json', 'check', 'a.pciplat'], "pciplat: unknown option --format (see 'pciplat --help')"],
        [['check', 'a.pciplat', '--bogus'], "pciplat: unknown option --bogus (see 'pciplat check --help')"],
        [['check', 'a.pciplat', '-x'], "pciplat: unknown option -x (see 'pciplat check --help')"],
        [['check', 'a.pciplat', '--scenario', 's'], "pciplat: unknown option --scenario (see 'pciplat check --help')"],
        [['check'], "pciplat: check needs at least one FILE (see 'pciplat check --help')"],
        [['check', '--format', 'json'], "pciplat: check needs at least one FILE (see 'pciplat check --help')"],
        [['check', 'a.pciplat', '--format'], "pciplat: option --format needs a value (see 'pciplat check --help')"],
        [['check', 'a.pciplat', '--format', '--profile', 'kvm'], "pciplat: option --format needs a value (see 'pciplat check --help')"],
        [['check', 'a.pciplat', '--format='], "pciplat: option --format needs a value (see 'pciplat check --help')"],
        [['check', 'a.pciplat', '--format', 'xml'], "pciplat: --format must be one of text, json, sarif (got 'xml') (see 'pciplat check --help')"],
        [['check', 'a.pciplat', '--format=XML'], "pciplat: --format must be one of text, json, sarif (got 'XML') (see 'pciplat check --help')"],
        [['check', 'a.pciplat', '--profile', 'xen'], "pciplat: --profile must be one of arm-design, arm-upstream, x86-pvh, kvm (got 'xen') (see 'pciplat check --help')"],
        [['simulate'], "pciplat: simulate needs a FILE (see 'pciplat simulate --help')"],
        [['simulate', 'a.pciplat', 'b.pciplat'], "pciplat: simulate takes one FILE (got 2) (see 'pciplat simulate --help')"],
        [['simulate', 'a.pciplat', '--profile', 'hyperv'], "pciplat: --profile must be one of arm-design, arm-upstream, x86-pvh, kvm (got 'hyperv') (see 'pciplat simulate --help')"],
        [['simulate', 'a.pciplat', '--format', 'yaml'], "pciplat: --format must be one of text, json, sarif (got 'yaml') (see 'pciplat simulate --help')"],
        [['simulate', 'a.pciplat', '--scenario'], "pciplat: option --scenario needs a value (see 'pciplat simulate --help')"],
        [['--version=1'], "pciplat: option --version takes no value (see 'pciplat --help')"],
    ])('%j', async (argv, line) => {
        const r = await run(argv);
        expect(r).toMatchObject({ code: 2, out: '', err: `${line}\n` });
        expect(r.loader.calls).toEqual([]);
    });

    it('accepts every profile and format', async () => {
        for (const profile of ['arm-design', 'arm-upstream', 'x86-pvh', 'kvm']) {
            for (const format of ['text', 'json', 'sarif']) {
                expect((await run(['check', 'a.pciplat', `--profile=${profile}`, '--format', format])).code).toBe(0);
            }
        }
    });

    it('takes arguments after -- as files', async () => {
        const r = await run(['check', '--', '--odd-name.pciplat']);
        expect(r.code).toBe(0);
        expect(r.loader.calls).toEqual([[`${CWD}/--odd-name.pciplat`]]);
    });
});

describe('loading', () => {
    it('hands the loader absolute paths resolved against the cwd', async () => {
        const r = await run(['check', 'a.pciplat', 'sub/../b.pciplat', '/elsewhere/c.pciplat']);
        expect(r.loader.calls).toEqual([['/proj/a.pciplat', '/proj/b.pciplat', '/elsewhere/c.pciplat']]);
    });

    it('exits 2 on unreadable input, naming each file as typed, with nothing on stdout', async () => {
        const loader = fakeLoader((paths) =>
            input({
                findings: [syntax],
                unreadable: [
                    { path: paths[0]!, detail: 'cannot read (ENOENT)' },
                    { path: paths[2]!, detail: 'not valid UTF-8' },
                ],
            }),
        );
        for (const format of ['text', 'json', 'sarif']) {
            const r = await run(['check', 'missing.pciplat', 'a.pciplat', './bin.pciplat', '--format', format], loader);
            expect(r).toMatchObject({
                code: 2,
                out: '',
                err: 'pciplat: cannot read missing.pciplat: no such file (ENOENT)\npciplat: cannot read ./bin.pciplat: not valid UTF-8\n',
            });
        }
        const s = await run(['simulate', 'dir.pciplat'], fakeLoader((paths) => input({ unreadable: [{ path: paths[0]!, detail: 'cannot read (EISDIR)' }] })));
        expect(s).toMatchObject({ code: 2, out: '', err: 'pciplat: cannot read dir.pciplat: is a directory (EISDIR)\n' });
    });

    it('exits 2 with one line when the loader throws', async () => {
        const boom = async () => {
            throw new Error('parser exploded\n    at somewhere (x.js:1:1)');
        };
        expect(await run(['check', 'a.pciplat'], Object.assign(boom, { calls: [] }))).toMatchObject({
            code: 2,
            out: '',
            err: 'pciplat: internal error: parser exploded\n',
        });
        const rejectsString = async () => Promise.reject('no memory');
        expect(await run(['simulate', 'a.pciplat'], Object.assign(rejectsString, { calls: [] }))).toMatchObject({
            code: 2,
            err: 'pciplat: internal error: no memory\n',
        });
        const malformed = async () => ({}) as never;
        const r = await run(['check', 'a.pciplat'], Object.assign(malformed, { calls: [] }));
        expect(r.code).toBe(2);
        expect(r.err).toMatch(/^pciplat: internal error: [^\n]+\n$/);
    });
});

describe('check', () => {
    const loader = () => fakeLoader(input({ findings: FINDINGS }));

    it('prints text findings sorted, de-duplicated, with related notes; the summary on stderr; exits 1 on errors', async () => {
        const r = await run(['check', 'a.pciplat', 'sub/b.pciplat'], loader());
        expect(r.out).toBe(
            [
                'pciplat: error: LANG-INTERNAL pciplat failed on this construct',
                "a.pciplat:1:6: error: LANG-SYNTAX Expecting '}' but found 'bar'.",
                'a.pciplat:5:1: warning: PCI-MF-NO-FUNCTION0 Device 00:02 has functions but no function 0.',
                'sub/b.pciplat:2:1: info: MAP-EMPTY-ENTRY This map entry covers no ID.',
                'sub/b.pciplat:12:5: error: PCI-BAR-SIZE-POW2 BAR 0 of nic is 0x3000 bytes, not a power of two.',
                '    a.pciplat:3:3: note: the window it is placed in',
                '    sub/b.pciplat:10:1: note: the function',
                '',
            ].join('\n'),
        );
        expect(r.err).toBe('3 errors, 1 warning\n');
        expect(r.code).toBe(1);
    });

    it('prints paths relative to the cwd, also from a subdirectory', async () => {
        const c = capture('/proj/sub');
        const code = await runCli(['check', 'b.pciplat'], c.io, fakeLoader(input({ findings: [empty, syntax] })));
        expect(c.out()).toBe("../a.pciplat:1:6: error: LANG-SYNTAX Expecting '}' but found 'bar'.\nb.pciplat:2:1: info: MAP-EMPTY-ENTRY This map entry covers no ID.\n");
        expect(code).toBe(1);
    });

    it('exits 0 with warnings and info only, and prints nothing but the summary without findings', async () => {
        expect(await run(['check', 'a.pciplat'], fakeLoader(input({ findings: [mf, empty] })))).toMatchObject({ code: 0, err: '0 errors, 1 warning\n' });
        expect(await run(['check', 'a.pciplat'], fakeLoader(input()))).toMatchObject({ code: 0, out: '', err: '0 errors, 0 warnings\n' });
    });

    it('prints JSON: { findings } with 1-based positions, relative files, null without a location', async () => {
        const r = await run(['check', 'a.pciplat', '--format', 'json'], loader());
        expect(r.code).toBe(1);
        expect(r.err).toBe('');
        expect(r.out.endsWith('}\n')).toBe(true);
        expect(JSON.parse(r.out)).toEqual({
            findings: [
                { code: 'LANG-INTERNAL', severity: 'error', message: 'pciplat failed on this construct', file: null, line: null, column: null, endLine: null, endColumn: null, related: [] },
                { code: 'LANG-SYNTAX', severity: 'error', message: "Expecting '}' but found 'bar'.", file: 'a.pciplat', line: 1, column: 6, endLine: 1, endColumn: 9, related: [] },
                { code: 'PCI-MF-NO-FUNCTION0', severity: 'warning', message: 'Device 00:02 has functions but no function 0.', file: 'a.pciplat', line: 5, column: 1, endLine: 5, endColumn: 13, related: [] },
                { code: 'MAP-EMPTY-ENTRY', severity: 'info', message: 'This map entry covers no ID.', file: 'sub/b.pciplat', line: 2, column: 1, endLine: 2, endColumn: 21, related: [] },
                {
                    code: 'PCI-BAR-SIZE-POW2',
                    severity: 'error',
                    message: 'BAR 0 of nic is 0x3000 bytes, not a power of two.',
                    file: 'sub/b.pciplat',
                    line: 12,
                    column: 5,
                    endLine: 13,
                    endColumn: 3,
                    related: [
                        { file: 'a.pciplat', line: 3, column: 3, endLine: 3, endColumn: 10, message: 'the window it is placed in' },
                        { file: 'sub/b.pciplat', line: 10, column: 1, endLine: 10, endColumn: 4, message: 'the function' },
                    ],
                },
            ],
        });
    });

    it('prints valid SARIF 2.1.0', async () => {
        const r = await run(['check', 'a.pciplat', '--format=sarif'], loader());
        expect(r.code).toBe(1);
        expect(r.err).toBe('');
        const log = JSON.parse(r.out);
        expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
        expect(log.version).toBe('2.1.0');
        expect(log.runs).toHaveLength(1);
        const run0 = log.runs[0];
        expect(run0.columnKind).toBe('utf16CodeUnits');
        const driver = run0.tool.driver;
        expect(driver).toMatchObject({ name: 'pciplat', version: VERSION });
        expect(driver.informationUri).toBeUndefined();
        // One rule per code used, each described by the catalogue.
        expect(driver.rules.map((rule: { id: string }) => rule.id)).toEqual(['LANG-INTERNAL', 'LANG-SYNTAX', 'MAP-EMPTY-ENTRY', 'PCI-BAR-SIZE-POW2', 'PCI-MF-NO-FUNCTION0']);
        expect(driver.rules[3]).toEqual({
            id: 'PCI-BAR-SIZE-POW2',
            shortDescription: { text: CODES['PCI-BAR-SIZE-POW2'].title },
            fullDescription: { text: CODES['PCI-BAR-SIZE-POW2'].why },
            defaultConfiguration: { level: 'error' },
        });
        expect(driver.rules[4].defaultConfiguration).toEqual({ level: 'warning' });
        // Results in the printing order; ruleIndex points at the rule of ruleId.
        expect(run0.results).toHaveLength(5);
        for (const result of run0.results) {
            expect(driver.rules[result.ruleIndex].id).toBe(result.ruleId);
            expect(['error', 'warning', 'note']).toContain(result.level);
            expect(typeof result.message.text).toBe('string');
            for (const l of [...(result.locations ?? []), ...(result.relatedLocations ?? [])]) {
                const { artifactLocation, region } = l.physicalLocation;
                expect(artifactLocation.uri).not.toMatch(/^\/|^file:/);
                for (const key of ['startLine', 'startColumn', 'endLine', 'endColumn']) expect(region[key]).toBeGreaterThanOrEqual(1);
            }
        }
        expect(run0.results.map((x: { level: string }) => x.level)).toEqual(['error', 'error', 'warning', 'note', 'error']);
        expect(run0.results[0].locations).toBeUndefined();
        expect(run0.results[1]).toEqual({
            ruleId: 'LANG-SYNTAX',
            ruleIndex: 1,
            level: 'error',
            message: { text: "Expecting '}' but found 'bar'." },
            locations: [{ physicalLocation: { artifactLocation: { uri: 'a.pciplat' }, region: { startLine: 1, startColumn: 6, endLine: 1, endColumn: 9 } } }],
        });
        expect(run0.results[4].relatedLocations).toEqual([
            { id: 0, physicalLocation: { artifactLocation: { uri: 'a.pciplat' }, region: { startLine: 3, startColumn: 3, endLine: 3, endColumn: 10 } }, message: { text: 'the window it is placed in' } },
            { id: 1, physicalLocation: { artifactLocation: { uri: 'sub/b.pciplat' }, region: { startLine: 10, startColumn: 1, endLine: 10, endColumn: 4 } }, message: { text: 'the function' } },
        ]);
    });

    it('prints an empty SARIF run and JSON list without findings', async () => {
        const sarif = JSON.parse((await run(['check', 'a.pciplat', '--format', 'sarif'])).out);
        expect(sarif.runs[0].results).toEqual([]);
        expect(sarif.runs[0].tool.driver.rules).toEqual([]);
        expect(JSON.parse((await run(['check', 'a.pciplat', '--format', 'json'])).out)).toEqual({ findings: [] });
    });

    it('simulates every platform the loader returns', async () => {
        const r = await run(['check', 'a.pciplat'], fakeLoader(input({ platforms: [smallPlatform('one'), smallPlatform('two')] })));
        expect(r.code).toBeLessThanOrEqual(1);
        expect(r.err).toMatch(/^\d+ errors?, \d+ warnings?\n$/);
    });
});

describe('simulate (real engine)', () => {
    it('exits 2 when the file declares no platform, pointing at check when it has errors', async () => {
        expect(await run(['simulate', 'a.pciplat'])).toMatchObject({ code: 2, out: '', err: 'pciplat: a.pciplat declares no platform\n' });
        expect(await run(['simulate', 'a.pciplat'], fakeLoader(input({ findings: [mf, internal] })))).toMatchObject({
            code: 2,
            out: '',
            err: "pciplat: a.pciplat declares no platform (it has 1 error: run 'pciplat check a.pciplat')\n",
        });
    });

    it('exits 1 with the findings, as check prints them, when syntax errors left nothing to simulate', async () => {
        const r = await run(['simulate', 'a.pciplat'], fakeLoader(input({ findings: [syntax, mf, internal] })));
        expect(r.code).toBe(1);
        expect(r.out).toContain(' error: LANG-SYNTAX ');
        expect(r.err).toContain('pciplat: a.pciplat has syntax errors, so it was not simulated');
    });

    it('exits 2 listing the platforms when there are several and none is chosen', async () => {
        const loader = fakeLoader(input({ platforms: [smallPlatform('alpha'), smallPlatform('beta')] }));
        expect(await run(['simulate', 'a.pciplat'], loader)).toMatchObject({
            code: 2,
            out: '',
            err: 'pciplat: a.pciplat declares 2 platforms; choose one with --platform: alpha, beta\n',
        });
        expect(await run(['simulate', 'a.pciplat', '--platform', 'gamma'], loader)).toMatchObject({
            code: 2,
            out: '',
            err: "pciplat: a.pciplat declares no platform 'gamma'; its platforms: alpha, beta\n",
        });
    });

    it('--platform picks one platform (also when it is the only one, and checks its name)', async () => {
        const loader = fakeLoader(input({ platforms: [smallPlatform('alpha'), smallPlatform('beta')] }));
        const r = await run(['simulate', 'a.pciplat', '--platform', 'beta', '--format', 'json'], loader);
        expect(JSON.parse(r.out).platform).toBe('beta');
        const single = fakeLoader(input({ platforms: [smallPlatform('alpha')] }));
        expect(JSON.parse((await run(['simulate', 'a.pciplat', '--platform=alpha', '--format', 'json'], single)).out).platform).toBe('alpha');
        expect(await run(['simulate', 'a.pciplat', '--platform', 'beta'], single)).toMatchObject({
            code: 2,
            err: "pciplat: a.pciplat declares no platform 'beta'; its platforms: alpha\n",
        });
    });

    it('exits 2 on an unknown scenario, listing the known ones', async () => {
        const withScenarios = fakeLoader(input({ platforms: [smallPlatform('alpha', { scenarios: [scenario('boot-only'), scenario('hotplug')] })] }));
        expect(await run(['simulate', 'a.pciplat', '--scenario', 'migrate'], withScenarios)).toMatchObject({
            code: 2,
            out: '',
            err: "pciplat: platform alpha has no scenario 'migrate'; its scenarios: boot-only, hotplug\n",
        });
        expect(await run(['simulate', 'a.pciplat', '--scenario', 'migrate'], fakeLoader(input({ platforms: [smallPlatform('alpha')] })))).toMatchObject({
            code: 2,
            err: "pciplat: platform alpha has no scenario 'migrate'; it declares no scenarios\n",
        });
        const ok = await run(['simulate', 'a.pciplat', '--scenario', 'hotplug', '--format', 'json'], withScenarios);
        expect(JSON.parse(ok.out).scenario).toBe('hotplug');
    });

    it('reports the functions with SBDF, RID and BARs (JSON, hex strings)', async () => {
        const r = await run(['simulate', 'a.pciplat', '--format', 'json', '--profile', 'arm-upstream'], fakeLoader(input({ platforms: [smallPlatform()] })));
        const doc = JSON.parse(r.out);
        expect(doc).toMatchObject({ platform: 'board', profile: 'arm-upstream', scenario: null });
        expect(doc.functions.map((f: { name: string; sbdf: string; rid: string }) => [f.name, f.sbdf, f.rid])).toEqual([
            ['rp0', '0000:00:01.0', '0x8'],
            ['nic', '0000:01:00.0', '0x100'],
        ]);
        expect(doc.functions[1].bars[0]).toEqual({ index: 0, kind: 'mem64', prefetchable: true, size: '0x4000', address: '0x8000000000' });
        expect(Array.isArray(doc.findings)).toBe(true);
        expect(r.code).toBe(doc.findings.some((f: { severity: string }) => f.severity === 'error') ? 1 : 0);
    });

    it('prints a text report and SARIF', async () => {
        const loader = fakeLoader(input({ platforms: [smallPlatform()], findings: [mf] }));
        const text = await run(['simulate', 'a.pciplat'], loader);
        expect(text.out).toContain('platform board\n');
        expect(text.out).toMatch(/\n {2}nic +endpoint +0000:01:00\.0 +rid 0x0100 +no group +bar0 mem64 pref size 0x4000 at 0x8000000000, bar2 mem32 size 0x1000 at /);
        expect(text.out).toContain('a.pciplat:5:1: warning: PCI-MF-NO-FUNCTION0');
        expect(text.err).toMatch(/^\d+ errors?, \d+ warnings?\n$/);
        const sarif = JSON.parse((await run(['simulate', 'a.pciplat', '--format', 'sarif'], loader)).out);
        expect(sarif.version).toBe('2.1.0');
        expect(sarif.runs[0].results.some((x: { ruleId: string }) => x.ruleId === 'PCI-MF-NO-FUNCTION0')).toBe(true);
    });
});
