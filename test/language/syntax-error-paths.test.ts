// The parser works out each place's expected tokens once (language/syntax-error-paths.ts): the
// fuzz input with 3,035 syntax errors at the same two places (seed 20261203, input 99,085) took
// 28.6 s of CPU to check when every error walked the grammar again. Its messages must be exactly
// those of Chevrotain's uncached parser.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmptyFileSystem, createLangiumParser, type LangiumParser } from 'langium';
import { describe, expect, it } from 'vitest';
import { createPciplatServices } from '../../language/pciplat-module.js';
import { cacheSyntaxErrorPaths } from '../../language/syntax-error-paths.js';

const fixture = path.join(__dirname, '..', 'fixtures', 'fuzz-repro', 'slow-3035-kvm-syntax-errors.pciplat');
// Chevrotain's uncached parse of all of it takes ~20 s, so the comparison uses its first 700 lines.
const text = `${fs.readFileSync(fixture, 'utf8').split('\n').slice(0, 700).join('\n')}\n}\n`;
const services = createPciplatServices(EmptyFileSystem).Pciplat;

interface Raising { raiseNoAltException: (...args: unknown[]) => never; raiseEarlyExitException: (...args: unknown[]) => never }

/** A plain Langium parser whose two raising methods count how often Chevrotain's own code runs. */
function countingParser(): { parser: LangiumParser; walks: () => number } {
    const parser = createLangiumParser(services);
    const wrapper = (parser as unknown as { wrapper: Raising }).wrapper;
    let walks = 0;
    for (const name of ['raiseNoAltException', 'raiseEarlyExitException'] as const) {
        const original = wrapper[name];
        wrapper[name] = function (this: unknown, ...args: unknown[]) {
            walks++;
            return original.apply(this, args);
        };
    }
    return { parser, walks: () => walks };
}

const errorsOf = (parser: LangiumParser, input: string) =>
    parser.parse(input).parserErrors.map((e) => ({ name: e.name, message: e.message, offset: e.token.startOffset, resynced: e.resyncedTokens.length }));

describe('expected tokens of a syntax error are worked out once per place', () => {
    it('hundreds of syntax errors at a few places walk the grammar once per place, with the uncached messages', () => {
        const plain = countingParser();
        const expected = errorsOf(plain.parser, text);
        expect(expected.length).toBeGreaterThan(500);
        expect(plain.walks()).toBeGreaterThan(500);

        const cached = countingParser();
        cacheSyntaxErrorPaths(cached.parser);
        expect(errorsOf(cached.parser, text)).toEqual(expected);
        expect(cached.walks()).toBeLessThanOrEqual(5);
        // Parsing again reuses the places already seen.
        const before = cached.walks();
        errorsOf(cached.parser, text);
        expect(cached.walks()).toBe(before);
    });

    it('an "expected at least one" error and no-viable-alternative errors in many rules keep their messages', () => {
        const broken = [
            'platform p {',
            '  arch arm64',
            '  host-bridge h0 segment 0 {',
            '    root-port rp at 00.0 vendor 0x1 device 0x2 class 0x060400 { bar 0 mem32 size }',
            '    root-port rp2 at 01.0 vendor 0x1 device 0x2 class 0x060400 { bar 0 mem32 size }',
            '    endpoint e at 02.0 { acs }',
            '    endpoint e2 at 03.0 { acs }',
            '  }',
            '  xen { dom0 { } }',
            '  xen { dom0 { } }',
            '  kvm { host-driver }',
            '  kvm { host-driver }',
            '}',
            'platform q { ) }',
            'platform r { ) }',
        ].join('\n');
        const plain = countingParser();
        const expected = errorsOf(plain.parser, broken);
        expect(expected.length).toBeGreaterThanOrEqual(4);
        const cached = countingParser();
        cacheSyntaxErrorPaths(cached.parser);
        expect(errorsOf(cached.parser, broken)).toEqual(expected);
        expect(cached.walks()).toBeLessThan(plain.walks());
    });

    it('is installed on the parser the language uses', () => {
        const parser = createPciplatServices(EmptyFileSystem).Pciplat.parser.LangiumParser;
        const wrapper = (parser as unknown as { wrapper: Raising }).wrapper;
        expect(Object.hasOwn(wrapper, 'raiseNoAltException')).toBe(true);
        expect(Object.hasOwn(wrapper, 'raiseEarlyExitException')).toBe(true);
    });
});
