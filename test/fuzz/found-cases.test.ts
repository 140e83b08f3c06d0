// Inputs the fuzzer found failing, replayed through its own in-memory path (test/fuzz/harness.ts).
// They are written here rather than saved under test/fixtures/fuzz/ when a file cannot hold them:
// a lone UTF-16 surrogate survives in an editor's buffer or a JS string, but not in UTF-8.
import { describe, expect, it } from 'vitest';
import { runInput } from './harness.js';

describe('inputs the fuzzer found', () => {
    it('an import path with a lone surrogate is an import not found, not "internal error: URI malformed" (seed 20261203, input 165,223)', async () => {
        const main = 'test/fixtures/check/fuzz-main.pciplat';
        for (const args of [['check', '--format', 'sarif', '--profile', 'x86-pvh'], ['check', '--format', 'text']]) {
            const verdict = await runInput({ files: { [main]: 'import "_\uD800x\uDC00_self__"\n' }, main, args, mutations: [] }, new Map(), undefined, true);
            expect(verdict.failure).toBeUndefined();
            expect(verdict.status).toBe(1);
        }
    });
});
