// Incremental validation (language/validation/incremental-validation.ts) must give exactly the
// diagnostics of a fresh build. The random edits of incremental-parse/-link.test.ts seldom stay
// inside one token of a host bridge; here every edit does: a digit of a number, an address or a
// size in a generated platform (and an example) is changed, added or removed, cumulatively, so findings appear,
// stay and go while other tokens move. After each update the diagnostics (ranges, codes,
// messages, related locations) are compared with those of a fresh build of the same texts.
//
// INCREMENTAL_VALIDATION_EDITS=3000 npx vitest run test/language/incremental-validation.test.ts  runs more.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmptyFileSystem, URI, type LangiumDocument } from 'langium';
import { describe, expect, it } from 'vitest';
import { createPciplatServices } from '../../language/pciplat-module.js';
import { shiftCall, validationRuns } from '../../language/validation/incremental-validation.js';
import { generatePlatform } from '../bench/generate-platform.mjs';
import { random } from './random-edits.js';
import { openIncremental } from './incremental-workspace.js';

const repo = path.join(__dirname, '..', '..');
const EDITS = Number(process.env.INCREMENTAL_VALIDATION_EDITS ?? 300);

function diagnosticsText(document: LangiumDocument): string[] {
    const at = (r: { start: { line: number; character: number }; end: { line: number; character: number } }) => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
    return (document.diagnostics ?? []).map((d) => `${at(d.range)} ${d.severity} ${String(d.code)} ${d.message}${(d.relatedInformation ?? []).map((r) => ` [${r.location.uri} ${at(r.location.range)} ${r.message}]`).join('')}`);
}

/** A fresh build of the same texts: its documents, in the order of `uris`. */
async function freshBuild(uris: readonly URI[], texts: ReadonlyMap<string, string>): Promise<LangiumDocument[]> {
    const fresh = createPciplatServices(EmptyFileSystem);
    const documents = uris.map((uri) => {
        const document = fresh.shared.workspace.LangiumDocumentFactory.fromString(texts.get(uri.toString())!, uri);
        fresh.shared.workspace.LangiumDocuments.addDocument(document);
        return document;
    });
    await fresh.shared.workspace.DocumentBuilder.build(documents, { validation: true });
    return documents;
}

/** Each document's diagnostics equal the fresh build's; returns how many findings were compared. */
function expectSameDiagnostics(incremental: ReturnType<typeof createPciplatServices>, uris: readonly URI[], fresh: readonly LangiumDocument[], names: readonly string[], step: number): number {
    let findings = 0;
    for (const [i, uri] of uris.entries()) {
        const got = diagnosticsText(incremental.shared.workspace.LangiumDocuments.getDocument(uri)!);
        const want = diagnosticsText(fresh[i]!);
        findings += want.length;
        expect({ file: names[i]!, step, diagnostics: got }).toEqual({ file: names[i]!, step, diagnostics: want });
    }
    return findings;
}

/** Workspaces: the edited file first, then the files it imports. */
function workspaces(): Array<Array<{ name: string; text: string }>> {
    const generated = generatePlatform(300, { soc: true });
    return [
        [{ name: 'big.pciplat', text: generated.text }, { name: 'soc.pciplat', text: generated.socText! }],
        [{ name: 'arm-server.pciplat', text: fs.readFileSync(path.join(repo, 'examples/arm-server.pciplat'), 'utf8') }, { name: 'soc/n1server.pciplat', text: fs.readFileSync(path.join(repo, 'examples/soc/n1server.pciplat'), 'utf8') }],
    ];
}

/** A digit of a number-like token changed for another. */
function digitEdit(text: string, next: () => number): string {
    const digits: number[] = [];
    const token = /\b(?:0x[0-9a-fA-F_]+|[0-9][0-9_]*[KMGTP]?|[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\b/g;
    for (let m = token.exec(text); m; m = token.exec(text)) {
        for (let i = 0; i < m[0].length; i++) if (/[0-9]/.test(m[0][i]!)) digits.push(m.index + i);
    }
    const at = digits[Math.floor(next() * digits.length)]!;
    const digit = String(Math.floor(next() * 10));
    // Replaced, inserted or removed: a token that gets longer or shorter moves what follows it on its line.
    const how = next();
    if (how < 0.5) return text.slice(0, at) + digit + text.slice(at + 1);
    if (how < 0.75) return text.slice(0, at) + digit + text.slice(at);
    return text.slice(0, at) + text.slice(at + 1);
}

describe('incremental validation equals a fresh build', () => {
    it(`after ${EDITS} edits inside tokens`, async () => {
        const before = { ...validationRuns };
        let findings = 0;
        for (const [index, files] of workspaces().entries()) {
            const next = random(0x5e + index);
            const uris = files.map((f) => URI.file(path.join('/mem', f.name)));
            const texts = new Map(files.map((f, i) => [uris[i]!.toString(), f.text]));
            const { services: incremental } = await openIncremental(uris, texts);
            const key = uris[0]!.toString();
            const base = texts.get(key)!;
            for (let step = 0; step < Math.ceil(EDITS / 2); step++) {
                const previous = texts.get(key)!;
                // Now and then back to the start, so that findings do not pile up for ever.
                texts.set(key, next() < 0.03 ? base : digitEdit(previous, next));
                await incremental.shared.workspace.DocumentBuilder.update([uris[0]!], []);
                const others = await freshBuild(uris, texts);
                findings += expectSameDiagnostics(incremental, uris, others, files.map((f) => f.name), step);
                // An edit that broke the syntax is undone by the next one (a broken text is parsed whole).
                const parsed = others[0]!.parseResult;
                if (parsed.parserErrors.length > 0 || parsed.lexerErrors.length > 0) texts.set(key, previous);
            }
        }
        const runs = { incremental: validationRuns.incremental - before.incremental, whole: validationRuns.whole - before.whole };
        console.log(`incremental validation: ${JSON.stringify(runs)}; ${findings} findings compared`);
        // Many edits stay inside a token of a host bridge (others are in names, outside host bridges, or undo a broken text).
        expect(runs.incremental).toBeGreaterThan(EDITS * 0.25);
    }, 600_000);
});

/** An edit of an imported SoC file: a number, a declared name (to another, or a new one), or an item line deleted or repeated. */
function socEdit(text: string, next: () => number): string {
    const how = next();
    if (how < 0.4) return digitEdit(text, next);
    const names = [...text.matchAll(/^\s*(?:its|smmu|gic|uart|device|memory|reserved|iommu|ioapic)\s+([A-Za-z_][\w-]*)/gm)];
    if (how < 0.75 && names.length > 0) {
        const m = names[Math.floor(next() * names.length)]!;
        const at = m.index + m[0].length - m[1]!.length;
        const other = names[Math.floor(next() * names.length)]![1]!;
        const name = next() < 0.5 ? other : `${m[1]}${Math.floor(next() * 10)}`;
        return text.slice(0, at) + name + text.slice(at + m[1]!.length);
    }
    const items = [...text.matchAll(/^  [a-z][^\n{}]*\n/gm)];
    if (items.length === 0) return text;
    const m = items[Math.floor(next() * items.length)]!;
    return next() < 0.5 ? text.slice(0, m.index) + text.slice(m.index + m[0].length) : text.slice(0, m.index) + m[0] + text.slice(m.index);
}

describe('incremental validation equals a fresh build after edits in an imported file', () => {
    it(`after ${EDITS} edits in the SoC files two platforms import`, async () => {
        const before = { ...validationRuns };
        let findings = 0;
        for (const [index, files] of workspaces().entries()) {
            const next = random(0x50c + index);
            const uris = files.map((f) => URI.file(path.join('/mem', f.name)));
            const texts = new Map(files.map((f, i) => [uris[i]!.toString(), f.text]));
            const { services: incremental } = await openIncremental(uris, texts);
            const soc = uris[1]!.toString();
            const base = texts.get(soc)!;
            for (let step = 0; step < Math.ceil(EDITS / 2); step++) {
                const previous = texts.get(soc)!;
                texts.set(soc, next() < 0.05 ? base : socEdit(previous, next));
                await incremental.shared.workspace.DocumentBuilder.update([uris[1]!], []);
                const fresh = await freshBuild(uris, texts);
                findings += expectSameDiagnostics(incremental, uris, fresh, files.map((f) => f.name), step);
                const parsed = fresh[1]!.parseResult;
                if (parsed.parserErrors.length > 0 || parsed.lexerErrors.length > 0) texts.set(soc, previous);
            }
        }
        const runs = { incremental: validationRuns.incremental - before.incremental, whole: validationRuns.whole - before.whole };
        console.log(`incremental validation after SoC edits: ${JSON.stringify(runs)}; ${findings} findings compared`);
        // The importer's passes reuse the last one (the fresh builds' and the SoC's own are whole).
        expect(runs.incremental).toBeGreaterThan(EDITS * 0.5);
        expect(findings).toBeGreaterThan(EDITS);
    }, 600_000);
    it('runs again the importer\'s units whose references lead into the edited file', async () => {
        // arm-server's IORT names smmu0 of the SoC it imports: an smmu-v3 node naming an SMMU the
        // SoC makes v2 is a contradiction on the IORT node, a unit of the importer.
        const files = workspaces()[1]!;
        const uris = files.map((f) => URI.file(path.join('/mem', f.name)));
        const texts = new Map(files.map((f, i) => [uris[i]!.toString(), f.text]));
        const { services: incremental } = await openIncremental(uris, texts);
        const soc = uris[1]!.toString();
        const base = texts.get(soc)!;
        const v2 = base.replace('smmu smmu0 v3', 'smmu smmu0 v2');
        expect(v2).not.toBe(base);
        const importer = () => incremental.shared.workspace.LangiumDocuments.getDocument(uris[0]!)!;
        const contradiction = () => (importer().diagnostics ?? []).some((d) => d.code === 'LANG-CONTRADICTORY' && String(d.message) === 'IORT node smmu-v3 names SMMU smmu0, which is v2.');
        // The first update validates whole (opening validated with other options).
        for (const [text, incremental_, contradicts] of [[base, false, false], [v2, true, true], [base, true, false]] as const) {
            const before = validationRuns.incremental;
            texts.set(soc, text);
            await incremental.shared.workspace.DocumentBuilder.update([uris[1]!], []);
            const fresh = await freshBuild(uris, texts);
            expectSameDiagnostics(incremental, uris, fresh, files.map((f) => f.name), 0);
            expect(contradiction()).toBe(contradicts);
            // The importer's pass (and, for a token patch, the SoC's own) reused the last one.
            if (incremental_) expect(validationRuns.incremental - before).toBeGreaterThanOrEqual(1);
        }
    });
});

/** Items a line edit adds directly in a host bridge: functions (new, a duplicate name, a taken address, a wrong bus, an overflowing number), a comment, a host bridge's own line. */
const LINES = [
    (n: number) => `    rc-endpoint add${n} at 00:1f.0 vendor 0x8086 device 0x1572 class 0x020000 { bar 0 mem64 prefetch size 1M }`,
    (n: number) => `    rc-endpoint add${n} at 00:1e.${n % 8} vendor 0x8086 device 0x1572 class 0x020000`,
    () => '    rc-endpoint nic0_0_0 at 00:1d.0 vendor 0x8086 device 0x1572 class 0x020000',
    () => '    rc-endpoint nic1_1_3 at 00:1d.1',
    (n: number) => `    rc-endpoint add${n} at 00:01.0`,
    (n: number) => `    rc-endpoint add${n} at 05:1c.0`,
    (n: number) => `    rc-endpoint add${n} at 00:1b.0 vendor 0x1ffffffffffffffffff`,
    (n: number) => `    root-port add${n} at 00:1a.0 { secondary 0x30 subordinate 0x31 }`,
    () => '    // a note',
    () => '    window mem32 at 0x90000000 size 16M',
];

/** A line added directly in a host bridge, or a one-line item of one removed (functions, maps, windows, ECAM). */
function lineEdit(text: string, next: () => number, n: number): string {
    const lines = text.split('\n');
    // Lines of a host bridge's own items and functions (four spaces in, inside a host bridge).
    const items: number[] = [];
    let inBridge = false;
    for (const [i, line] of lines.entries()) {
        if (/^  \S/.test(line)) inBridge = line.startsWith('  host-bridge ');
        else if (inBridge && /^    \S/.test(line)) items.push(i);
    }
    const at = items[Math.floor(next() * items.length)]!;
    const whole = (line: string) => (line.match(/{/g) ?? []).length === (line.match(/}/g) ?? []).length;
    if (next() < 0.45 && whole(lines[at]!)) lines.splice(at, 1);
    else lines.splice(at + (next() < 0.5 ? 0 : 1), 0, LINES[Math.floor(next() * LINES.length)]!(n));
    return lines.join('\n');
}

describe('incremental validation equals a fresh build after line edits', () => {
    it(`after ${EDITS} functions and lines added and removed in host bridges`, async () => {
        const before = { ...validationRuns };
        let findings = 0;
        // Three host bridges of two root ports each, so that most units are not in the edited one.
        const generated = generatePlatform(400, { soc: true, rootPortsPerBridge: 2 });
        const files = [{ name: 'big.pciplat', text: generated.text }, { name: 'soc.pciplat', text: generated.socText! }];
        const next = random(0x77);
        const uris = files.map((f) => URI.file(path.join('/mem', f.name)));
        const texts = new Map(files.map((f, i) => [uris[i]!.toString(), f.text]));
        const { services: incremental, factory } = await openIncremental(uris, texts);
        const key = uris[0]!.toString();
        const base = texts.get(key)!;
        const kinds = new Map<string, number>();
        for (let step = 0; step < EDITS; step++) {
            const previous = texts.get(key)!;
            const how = next();
            texts.set(key, how < 0.02 ? base : how < 0.8 ? lineEdit(previous, next, step) : digitEdit(previous, next));
            await incremental.shared.workspace.DocumentBuilder.update([uris[0]!], []);
            kinds.set(factory.lastReparse ?? 'none', (kinds.get(factory.lastReparse ?? 'none') ?? 0) + 1);
            const others = await freshBuild(uris, texts);
            findings += expectSameDiagnostics(incremental, uris, others, files.map((f) => f.name), step);
            const parsed = others[0]!.parseResult;
            if (parsed.parserErrors.length > 0 || parsed.lexerErrors.length > 0) texts.set(key, previous);
        }
        const runs = { incremental: validationRuns.incremental - before.incremental, whole: validationRuns.whole - before.whole };
        console.log(`incremental validation after line edits: ${JSON.stringify(runs)}; updates ${JSON.stringify(Object.fromEntries(kinds))}; ${findings} findings compared`);
        // Most line edits are item splices in a host bridge, validated incrementally.
        expect(kinds.get('items') ?? 0).toBeGreaterThan(EDITS * 0.4);
        expect(runs.incremental).toBeGreaterThan(EDITS * 0.4);
        expect(findings).toBeGreaterThan(EDITS);
    }, 600_000);
});

describe('item splices that change what other units see', () => {
    // Each step is an item splice in host bridge hb0, compared with a fresh build:
    // - a function named like nic1_1_3 of hb1, declared first, takes the scenario's reference (a
    //   function without SR-IOV: LANG-NO-SRIOV); taken out again, the reference goes back to hb1,
    //   which the splice did not touch: the scenario runs again because its reference's text is a
    //   name the splice declared or removed;
    // - so does the scenario when the only function named zz comes and goes (its reference is
    //   unresolved before and after: LANG-NO-SRIOV only while zz is there);
    // - a function on bus 05 put first in hb0 moves the root port written without a bus (`at 1a.0`)
    //   to bus 05, below its secondary bus 03 (PCI-BRIDGE-BUSES): that root port's own checks run
    //   again, as those of every function directly in hb0 do after such a splice.
    it('keeps no finding of a reference or a sibling the splice changed', async () => {
        const generated = generatePlatform(400, { soc: true, rootPortsPerBridge: 2 });
        const anchor = generated.text.indexOf('\n', generated.text.indexOf('msi-map rid 0x0 count 0x10000 -> gits0 0x0')) + 1;
        const withPort = `${generated.text.slice(0, anchor)}    root-port rel at 1a.0 { secondary 0x3 subordinate 0x4 }\n${generated.text.slice(anchor)}`;
        const end = withPort.lastIndexOf('}');
        const base = `${withPort.slice(0, end)}  scenario s { boot enable-sriov nic1_1_3 num-vfs 2 disable-sriov zz }\n}\n`;
        const uris = [URI.file('/mem/big.pciplat'), URI.file('/mem/soc.pciplat')];
        const texts = new Map([[uris[0]!.toString(), base], [uris[1]!.toString(), generated.socText!]]);
        const { services, factory } = await openIncremental(uris, texts);
        const codes = (document: LangiumDocument) => (document.diagnostics ?? []).map((d) => String(d.code));
        const steps: Array<{ line: string; code: string }> = [
            { line: '    rc-endpoint nic1_1_3 at 00:1d.0\n', code: 'LANG-NO-SRIOV' },
            { line: '    rc-endpoint e5 at 05:1c.0\n', code: 'PCI-BRIDGE-BUSES' },
            { line: '    rc-endpoint zz at 00:1d.2\n', code: 'LANG-NO-SRIOV' },
        ];
        const before = validationRuns.incremental;
        for (const step of steps) {
            for (const text of [`${base.slice(0, anchor)}${step.line}${base.slice(anchor)}`, base]) {
                texts.set(uris[0]!.toString(), text);
                await services.shared.workspace.DocumentBuilder.update([uris[0]!], []);
                expect(factory.lastReparse).toBe('items');
                const documents = await freshBuild(uris, texts);
                const got = services.shared.workspace.LangiumDocuments.getDocument(uris[0]!)!;
                expect(diagnosticsText(got)).toEqual(diagnosticsText(documents[0]!));
                // The finding comes with the line and goes with it.
                expect(codes(got).includes(step.code)).toBe(text !== base);
            }
        }
        // Every update but the first after opening (validated whole) reused the last pass.
        expect(validationRuns.incremental - before).toBe(5);
    });
});

describe('item splices that change what a declaration is named by', () => {
    // IOMMU dmar1's device scope names nic2, which is marked outside-iommu: a contradiction on
    // nic2, in another host bridge than the edit and not directly in one. A function named nic2
    // added to the first host bridge is now the first declaration, so what the scope means: the
    // old nic2's finding goes, though nothing of its own unit changed.
    const base = [
        'platform host {',
        '  arch x86_64',
        '  memory main at 0x10_0000 size 0x7ff0_0000',
        '  iommu dmar1 vt-d at 0xfed9_1000 { device-scope nic2 }',
        '  host-bridge pcia segment 1 {',
        '    mcfg at 0xd000_0000 buses 0x00..0x0f',
        '    window mem32 at 0xb000_0000 size 256M',
        '    rc-endpoint e0 at 00:01.0 vendor 0x8086 device 0x1533 class 0x020000',
        '  }',
        '  host-bridge pcie0 segment 0 {',
        '    mcfg at 0xe000_0000 buses 0x00..0x3f',
        '    window mem32 at 0xc000_0000 size 256M',
        '    root-port rp0 at 00:1c.0 vendor 0x8086 device 0xa338 class 0x060400 {',
        '      endpoint nic2 at 01:00.0 vendor 0x8086 device 0x1533 class 0x020000 { outside-iommu  bar 0 mem32 size 128K }',
        '    }',
        '  }',
        '}',
        '',
    ].join('\n');
    const added = base.replace('class 0x020000\n  }', 'class 0x020000\n    rc-endpoint nic2 at 00:02.0 vendor 0x8086 device 0x1533 class 0x020000\n  }');

    it('runs the checks of every unit declaring a spliced name again', async () => {
        expect(added).not.toBe(base);
        const uri = URI.file('/mem/scoped.pciplat');
        const texts = new Map([[uri.toString(), base]]);
        const { services, factory } = await openIncremental([uri], texts);
        const contradiction = (document: LangiumDocument) => (document.diagnostics ?? []).some((d) => d.code === 'LANG-CONTRADICTORY' && String(d.message).startsWith('nic2 is marked outside-iommu'));
        expect(contradiction(services.shared.workspace.LangiumDocuments.getDocument(uri)!)).toBe(true);
        // The first update validates whole (opening validated with other options); then adding the
        // line and taking it out again each reuse the last pass.
        for (const [text, incremental] of [[base, 0], [added, 1], [base, 1]] as const) {
            const before = validationRuns.incremental;
            texts.set(uri.toString(), text);
            await services.shared.workspace.DocumentBuilder.update([uri], []);
            if (incremental) expect(factory.lastReparse).toBe('items');
            expect(validationRuns.incremental - before).toBe(incremental);
            const [fresh] = await freshBuild([uri], texts);
            const got = services.shared.workspace.LangiumDocuments.getDocument(uri)!;
            expect(diagnosticsText(got)).toEqual(diagnosticsText(fresh!));
            expect(contradiction(got)).toBe(text === base);
        }
    });
});

describe('findings kept across a token patch', () => {
    // Token `1M` → `16M` at line 3, characters 10-12: later characters on that line move by 1.
    const patch = { oldText: '', newText: '', leaf: undefined as never, holder: undefined, name: false, line: 3, startCharacter: 10, oldEndCharacter: 12, delta: 1 };
    const range = (line: number, from: number, to: number) => ({ start: { line, character: from }, end: { line, character: to } });
    const call = (r: ReturnType<typeof range>, related: ReturnType<typeof range>, uri = 'file:///a') => ({ severity: 'error' as const, message: 'm', info: { range: r, relatedInformation: [{ location: { uri, range: related }, message: 'r' }] } as never });
    const shifted = (c: ReturnType<typeof call>) => {
        const out = shiftCall(c, patch, 'file:///a');
        return out && { range: (out.info as { range: unknown }).range, related: (out.info as { relatedInformation: Array<{ location: { range: unknown } }> }).relatedInformation[0]!.location.range };
    };
    it('moves what follows the token on its line, in the finding and its related locations of this file', () => {
        expect(shifted(call(range(3, 12, 14), range(3, 20, 21)))).toEqual({ range: range(3, 13, 15), related: range(3, 21, 22) });
        expect(shifted(call(range(3, 0, 10), range(2, 20, 21)))).toEqual({ range: range(3, 0, 10), related: range(2, 20, 21) });
        expect(shifted(call(range(4, 12, 14), range(3, 20, 21), 'file:///b'))).toEqual({ range: range(4, 12, 14), related: range(3, 20, 21) });
    });
    it('gives up on a range that starts or ends inside the old token', () => {
        expect(shifted(call(range(3, 11, 14), range(1, 0, 1)))).toBeUndefined();
        expect(shifted(call(range(1, 0, 1), range(3, 5, 11)))).toBeUndefined();
    });
});
