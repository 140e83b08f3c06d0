// The fuzzer itself: its inputs come from the seed alone (a run can be replayed), every kind of
// mutation occurs, and its pool (worker processes) turns a hang, a dead worker and one V8 aborts
// for want of heap into failures, confirms them in
// another worker and goes on with fresh workers. The pool part runs the compiled worker (out/,
// built by npm test) with its self-test inputs (worker.ts), so no real bug is needed.
import { describe, expect, it } from 'vitest';
import { fuzz, inputAt } from './fuzz.js';
import { loadCorpus } from './harness.js';
import type { FuzzInput } from './mutate.js';
import { WALL_FACTOR } from './pool.js';
import { grammarKeywords, repoRoot } from './repo.js';
import { currentThreadId, endedChildrenCpuMs, processCpuMs, threadCpuMs } from './thread-cpu.js';

const REPO = repoRoot();

describe('fuzz inputs', () => {
    const corpus = loadCorpus(REPO);
    const ctx = { corpus, keywords: grammarKeywords(REPO) };
    const seeds = [...corpus.keys()].sort();
    const run = (seed: number, n: number) => Array.from({ length: n }, (_, i) => inputAt(seed, i, ctx, seeds));

    it('come from the seed and the index alone', () => {
        expect(JSON.stringify(run(7, 150))).toBe(JSON.stringify(run(7, 150)));
        expect(JSON.stringify(inputAt(7, 149, ctx, seeds))).toBe(JSON.stringify(run(7, 150)[149]));
        expect(JSON.stringify(run(8, 20))).not.toBe(JSON.stringify(run(7, 20)));
    });

    it('use every kind of mutation, stay under the size cap, and keep the main file beside its seed', () => {
        const inputs = run(11, 400);
        const kinds = new Set(inputs.flatMap((i) => i.mutations));
        expect([...kinds].sort()).toEqual(['deep-nesting', 'edge-number', 'huge-count', 'import-cycle', 'name', 'random-bytes', 'splice', 'token']);
        for (const input of inputs) {
            expect(input.files[input.main]!.length).toBeLessThanOrEqual(250_000 + 100);
            expect(input.main.endsWith('/fuzz-main.pciplat')).toBe(true);
            expect(['check', 'simulate']).toContain(input.args[0]);
        }
        // Import cycles reach back to the main file.
        const cycle = inputs.find((i) => i.mutations.includes('import-cycle') && Object.keys(i.files).length > 1)!;
        const other = Object.keys(cycle.files).find((f) => f !== cycle.main)!;
        expect(cycle.files[other]).toContain('import "fuzz-main.pciplat"');
    });
});

describe('fuzz pool', () => {
    const input = (main: string): FuzzInput => ({ files: { 'fuzz-main.pciplat': main }, main: 'fuzz-main.pciplat', args: ['check', '--format', 'json'], mutations: [] });
    const GOOD = 'platform p {\n  arch arm64\n}\n';

    it('reports a hang and a dead worker once each, confirmed, and runs the other inputs with fresh workers', async () => {
        const report = await fuzz({
            repo: REPO,
            seed: 1,
            workers: 1,
            // The hang never ends: any limit is "tiny" next to it; the good inputs take milliseconds
            // of CPU (the limit is CPU time, so a busy machine does not make them hang).
            timeoutMs: 2000,
            selfTest: true,
            corpusDirs: ['examples'],
            fixedInputs: [input(GOOD), input('//fuzz-selftest:hang\n'), input(GOOD), input('//fuzz-selftest:die\n'), input(GOOD), input('//fuzz-selftest:hang\n')],
        });
        expect(report.inputs).toBe(6);
        expect(report.byKind).toEqual({ hang: 2, uncaught: 1 });
        expect(report.failures.map((f) => [f.signature, f.count, f.confirmed])).toEqual([
            ['hang', 2, true],
            ['uncaught worker died selftest: the worker died', 1, true],
        ]);
        expect(report.unconfirmed).toEqual([]);
        // One worker at the start, one after each of the three failures.
        expect(report.workersStarted).toBe(4);
    });
});

describe('fuzz pool heap abort', () => {
    const input = (main: string): FuzzInput => ({ files: { 'fuzz-main.pciplat': main }, main: 'fuzz-main.pciplat', args: ['check'], mutations: [] });
    const GOOD = 'platform p {\n  arch arm64\n}\n';

    it('reports a worker that V8 aborts for want of heap as oom, restarts it and completes the run with its report', async () => {
        const report = await fuzz({
            repo: REPO,
            seed: 1,
            workers: 1,
            timeoutMs: 120_000,
            // Room for Langium and the corpus, little more: the self-test input reaches it fast.
            heapMb: 256,
            selfTest: true,
            corpusDirs: ['examples'],
            fixedInputs: [input(GOOD), input('//fuzz-selftest:oom\n'), input(GOOD)],
        });
        expect(report.inputs).toBe(3);
        expect(report.byKind).toEqual({ oom: 1 });
        expect(report.failures.map((f) => [f.signature, f.count, f.confirmed])).toEqual([['oom worker heap exhausted', 1, true]]);
        // Confirmed: the checker's worker aborted on it as well, and the fuzzer lived on to say so.
        expect(report.failures[0]!.detail).toMatch(/^the worker process ran out of its 256 MiB heap \((SIGABRT|SIGTRAP|exit \d+)\): FATAL ERROR: .*heap out of memory/);
        // The first worker, its replacement after the abort; the checker's own worker is not counted.
        expect(report.workersStarted).toBe(2);
    });
});

describe('fuzz pool time limit', () => {
    const input = (main: string): FuzzInput => ({ files: { 'fuzz-main.pciplat': main }, main: 'fuzz-main.pciplat', args: ['check'], mutations: [] });

    it('is CPU time: an input that waits past its limit without using CPU is no hang, one that waits past WALL_FACTOR times it is', async () => {
        const tid = currentThreadId();
        // (The workers are processes; their CPU clock, /proc/PID/stat, is Linux's too.)
        // The CPU clock is Linux's; elsewhere the limit is wall time and this test says nothing.
        if (tid === undefined) return;
        const timeoutMs = 400;
        const report = await fuzz({
            repo: REPO,
            seed: 1,
            workers: 1,
            timeoutMs,
            selfTest: true,
            corpusDirs: ['examples'],
            minimizeSeconds: 0,
            // 3x the limit asleep: waiting; past WALL_FACTOR x the limit: a hang whatever the CPU.
            fixedInputs: [input(`//fuzz-selftest:sleep ${timeoutMs * 3}\nplatform p {\n  arch arm64\n}\n`), input(`//fuzz-selftest:sleep ${timeoutMs * WALL_FACTOR * 3}\n`)],
        });
        expect(report.inputs).toBe(2);
        expect(report.byKind).toEqual({ hang: 1 });
        expect(report.failures[0]!.detail).toMatch(/^no verdict after \d+ ms \(\d+ ms of CPU\); the limit is 400 ms of CPU$/);
    });

    it('reads a thread\'s CPU time, which grows while the thread computes', () => {
        const tid = currentThreadId();
        if (tid === undefined) return;
        const before = threadCpuMs(tid)!;
        expect(before).toBeGreaterThan(0);
        let after = before;
        // Spin until the clock ticks (10 ms); the bound only keeps a broken clock from spinning forever.
        for (let i = 0; i < 1e6 && after === before; i++) {
            let x = 0;
            for (let j = 0; j < 1e5; j++) x += j;
            if (x < 0) break;
            after = threadCpuMs(tid)!;
        }
        expect(after).toBeGreaterThan(before);
        expect(threadCpuMs(0x7fff_fff0)).toBeUndefined();
        // A process's CPU time (the pool's workers are processes) is at least that of one of its threads.
        expect(processCpuMs(process.pid)!).toBeGreaterThanOrEqual(after);
        expect(processCpuMs(0x7fff_fff0)).toBeUndefined();
        expect(endedChildrenCpuMs()).toBeGreaterThanOrEqual(0);
    });
});

describe('fuzz smoke', () => {
    // A short, seeded run of real mutated inputs through the CLI's path: bounded by its input
    // count (not time), with a ceiling per input far above anything a sound input needs, so a
    // busy machine cannot turn slowness into a failure.
    it('runs 60 seeded inputs without an uncaught exception, an INTERNAL finding, a hang or unbounded output', async () => {
        const report = await fuzz({ repo: REPO, seed: 1, inputs: 60, workers: 1, timeoutMs: 240_000, minimizeSeconds: 0 });
        expect(report.inputs).toBe(60);
        expect(report.failures.map((f) => `${f.signature}: ${f.detail}`)).toEqual([]);
        expect(report.unconfirmed).toEqual([]);
    });
});
