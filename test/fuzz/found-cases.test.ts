// Inputs the fuzzer found failing. Every case it saved under test/fixtures/fuzz/ (cases.ts) runs
// through the real `pciplat` command in its files/ folder, as a user would meet it (a case may
// need the command's 16 MiB parser stack: a chain of 230 nested bridges does not parse on a test
// thread's); it must end with coded findings, without an internal error, a stack trace or an
// abort, and print no more than the fuzzer's output ceiling. Below those, inputs replayed in
// memory because a file cannot hold them: a lone UTF-16 surrogate survives in an editor's buffer
// or a JS string, but not in UTF-8.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseDirs, loadCase } from './cases.js';
import { DEFAULT_MAX_OUTPUT, runInput } from './harness.js';

const bin = path.join(__dirname, '..', '..', 'bin', 'pciplat.js');
const saved = caseDirs(path.join(__dirname, '..', 'fixtures', 'fuzz'));

describe('cases the fuzzer saved', () => {
    it('has some', () => expect(saved.length).toBeGreaterThan(0));
    it.each(saved.map((dir) => [path.basename(dir), dir]))('%s ends cleanly through the command', (_name, dir) => {
        const { input, record } = loadCase(dir);
        const r = spawnSync(process.execPath, [bin, ...input.args, input.main], { cwd: path.join(dir, 'files'), encoding: 'utf8', timeout: 300_000, maxBuffer: 256 * 1024 * 1024 });
        const all = r.stdout + r.stderr;
        expect(r.signal, record.signature).toBeNull();
        expect([0, 1]).toContain(r.status);
        expect(all).not.toMatch(/ENGINE-INTERNAL|LANG-INTERNAL|internal error|FATAL ERROR|\n\s+at .+\(.+:\d+:\d+\)/);
        expect(Buffer.byteLength(all)).toBeLessThanOrEqual(DEFAULT_MAX_OUTPUT);
    });
});

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
