// The parser guard (language/parse-guard.ts): an abort inside the parser leaves no trace in the
// next parse (fuzz reproducer parser-state-after-abort: a.pciplat got 236 of deep.pciplat's
// functions), and the nesting limit is checked before parsing, the same in every process.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmptyFileSystem, type AstNode } from 'langium';
import { describe, expect, it } from 'vitest';
import { isPciFunction, type Model } from '../../language/generated/ast.js';
import { MAX_NESTING, inputRejection, nestingBeyond } from '../../language/parse-guard.js';
import { createPciplatServices } from '../../language/pciplat-module.js';

const dir = path.join(__dirname, '..', 'fixtures', 'fuzz-repro', 'parser-state-after-abort');
const deep = fs.readFileSync(path.join(dir, 'deep.pciplat'), 'utf8');
const small = fs.readFileSync(path.join(dir, 'a.pciplat'), 'utf8');

function parserOf() {
    return createPciplatServices(EmptyFileSystem).Pciplat.parser.LangiumParser;
}

function functionNames(model: AstNode): string[] {
    const names: string[] = [];
    const visit = (node: AstNode) => {
        if (isPciFunction(node)) names.push(node.name);
        for (const value of Object.values(node)) {
            if (Array.isArray(value)) for (const v of value) if (v && typeof v === 'object' && '$type' in v && v.$container === node) visit(v as AstNode);
        }
    };
    visit(model);
    return names;
}

/** Runs `run` with little stack left (about a tenth of the thread's), so that a deep parse overflows. */
function withShortStack<T>(run: () => T): T {
    let max = 0;
    const measure = (n: number): void => {
        max = n;
        measure(n + 1);
    };
    try {
        measure(0);
    } catch {
        // the stack is exhausted at depth `max`
    }
    const descend = (n: number): T => (n === 0 ? run() : descend(n - 1));
    return descend(Math.floor(max * 0.9));
}

describe('the parser after an abort', () => {
    it('a parse that overflows the stack is LANG-PARSE-ABORTED, and the next document parses as a fresh parser parses it', () => {
        const parser = parserOf();
        const aborted = withShortStack(() => parser.parse(deep));
        expect(inputRejection(aborted.value as Model)?.code).toBe('LANG-PARSE-ABORTED');
        const next = parser.parse(small);
        expect(next.parserErrors).toEqual([]);
        expect(functionNames(next.value)).toEqual(functionNames(parserOf().parse(small).value));
        expect(functionNames(next.value)).toEqual(['e1', 'e2', 'e3']);
    });
});

describe('the nesting limit', () => {
    it(`counts braces outside strings and comments, up to ${MAX_NESTING}`, () => {
        expect(nestingBeyond('{'.repeat(MAX_NESTING), MAX_NESTING)).toBeUndefined();
        expect(nestingBeyond(`\n\n${'{'.repeat(MAX_NESTING + 1)}`, MAX_NESTING)).toEqual({ line: 3 });
        expect(nestingBeyond('"{{{" // {{{\n/* {{{\n{{{ */ {', 1)).toBeUndefined();
        expect(nestingBeyond('"a\\"{" /* \n */\n{{', 1)).toEqual({ line: 3 });
        expect(nestingBeyond('{}{}{}{', 1)).toBeUndefined();
    });

    it('a file nested too deep is refused before parsing with LANG-TOO-DEEP', () => {
        const result = parserOf().parse(`platform p {\n${'  host-bridge h {\n'.repeat(MAX_NESTING)}`);
        expect(inputRejection(result.value as Model)).toEqual({
            code: 'LANG-TOO-DEEP',
            message: `Blocks nest more than ${MAX_NESTING} deep at line ${MAX_NESTING + 1} (a platform with 256 nested buses needs about 260): a \`{\` is probably never closed. The file was not parsed.`,
        });
    });
});

describe('the tokens of the last parse', () => {
    const tokensHeld = (parser: ReturnType<typeof parserOf>) => (parser as unknown as { wrapper: { input: unknown[] } }).wrapper.input.length;

    it('are let go once the parse returns, with its tree and errors kept', () => {
        const parser = parserOf();
        const clean = parser.parse(small);
        expect(clean.parserErrors).toEqual([]);
        expect(functionNames(clean.value).length).toBeGreaterThan(0);
        expect(tokensHeld(parser)).toBe(0);
        const broken = parser.parse(`${small}\nplatform p {\n  ((((\n`);
        expect(broken.parserErrors.length).toBeGreaterThan(0);
        expect(tokensHeld(parser)).toBe(0);
    });

    it('are let go after an abort too, once the next document is parsed', () => {
        const parser = parserOf();
        expect(inputRejection(withShortStack(() => parser.parse(deep)).value as Model)?.code).toBe('LANG-PARSE-ABORTED');
        const next = parser.parse(small);
        expect(functionNames(next.value).length).toBeGreaterThan(0);
        expect(tokensHeld(parser)).toBe(0);
    });
});
