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
                const fresh = createPciplatServices(EmptyFileSystem);
                const others = uris.map((uri) => {
                    const document = fresh.shared.workspace.LangiumDocumentFactory.fromString(texts.get(uri.toString())!, uri);
                    fresh.shared.workspace.LangiumDocuments.addDocument(document);
                    return document;
                });
                await fresh.shared.workspace.DocumentBuilder.build(others, { validation: true });
                for (const [i, uri] of uris.entries()) {
                    const got = diagnosticsText(incremental.shared.workspace.LangiumDocuments.getDocument(uri)!);
                    const want = diagnosticsText(others[i]!);
                    findings += want.length;
                    expect({ file: files[i]!.name, step, diagnostics: got }).toEqual({ file: files[i]!.name, step, diagnostics: want });
                }
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
