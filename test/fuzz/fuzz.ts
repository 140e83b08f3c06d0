// The fuzzing loop: seeded inputs (input i comes from seed and i alone, so any input can be
// regenerated), run in a pool of workers through the CLI's path, failures grouped by signature;
// the first input of each new signature is re-run in a separate worker to confirm it, minimized
// there, and saved as a regression case. Prints progress and throughput as it goes.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { saveCase } from './cases.js';
import { DEFAULT_MAX_OUTPUT, loadCorpus, type Verdict } from './harness.js';
import { minimize, selfContained } from './minimize.js';
import { mutate, type FuzzInput, type MutationContext } from './mutate.js';
import { FuzzPool } from './pool.js';
import { Random } from './random.js';
import { grammarKeywords } from './repo.js';
import { endedChildrenCpuMs } from './thread-cpu.js';

export interface FuzzOptions {
    repo: string;
    seed: number;
    /** Stop after this many inputs (and/or `seconds`). */
    inputs?: number;
    seconds?: number;
    workers: number;
    /** Time limit per input, in CPU time of its worker process (pool.ts): more is a hang. */
    timeoutMs: number;
    maxOutput?: number;
    heapMb?: number;
    /** Where new cases go (undefined: nowhere). */
    outDir?: string;
    /** Seconds spent minimizing after the run, at most. */
    minimizeSeconds?: number;
    corpusDirs?: string[];
    log?: (line: string) => void;
    /** Pool tests only (see worker.ts). */
    selfTest?: boolean;
    /** Instead of mutations: these inputs, in order (pool tests). */
    fixedInputs?: FuzzInput[];
}

export interface FailureSummary {
    signature: string;
    failure: Verdict['failure'];
    count: number;
    firstIndex: number;
    detail: string;
    /**
     * Re-running the first input in another worker gave the same signature (a hang: with three
     * times the time limit). An unconfirmed failure is reported but not saved: on a busy machine
     * a slow input can miss the time limit once.
     */
    confirmed?: boolean;
    savedTo?: string;
}

export interface FuzzReport {
    seed: number;
    inputs: number;
    seconds: number;
    perSecond: number;
    /**
     * CPU time of the fuzzer (its process, the worker processes, the checker's) per input, in ms: unlike
     * inputs per second it does not depend on what else the machine runs.
     */
    cpuMsPerInput: number;
    byKind: Record<string, number>;
    /** Confirmed failures, or ones the run ended before they could be re-run. */
    failures: FailureSummary[];
    /** Failures that did not happen again when re-run (slowness on a busy machine, mostly). */
    unconfirmed: FailureSummary[];
    workersStarted: number;
    slowestMs: number;
    largestOutputBytes: number;
    /** sha256-free digest of the inputs run, in order (determinism checks). */
    digest: string;
}

/** FNV-1a over a string, folded into `h`. */
function fold(h: number, text: string): number {
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
    return h;
}

/** Input `index` of the run with `seed`: its own Random, so it does not depend on the others. */
export function inputAt(seed: number, index: number, ctx: MutationContext, seeds: readonly string[]): FuzzInput {
    const rng = new Random(fold(fold(2166136261, String(seed)), `#${index}`));
    return mutate(rng, ctx, rng.pick(seeds));
}

export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
    const log = options.log ?? (() => undefined);
    const corpusDirs = options.corpusDirs ?? ['examples', 'test/fixtures'];
    const corpus = loadCorpus(options.repo, corpusDirs);
    const seeds = [...corpus.keys()].sort();
    const ctx: MutationContext = { corpus, keywords: grammarKeywords(options.repo) };
    const maxOutput = options.maxOutput ?? DEFAULT_MAX_OUTPUT;
    const poolOptions = (size: number) => ({
        size,
        workerUrl: pathToFileURL(path.join(options.repo, 'out', 'test', 'fuzz', 'worker.js')),
        data: { repo: options.repo, corpusDirs, maxOutput, selfTest: options.selfTest },
        heapMb: options.heapMb ?? 2048,
    });
    const pool = new FuzzPool(poolOptions(options.workers));
    let checker: FuzzPool | undefined;
    const started = performance.now();
    // CPU time of the fuzzer's process and of its workers (child processes: the live ones, and
    // those that ended, which the kernel adds to this process's children's time).
    const cpuAtStart = process.cpuUsage();
    const endedAtStart = endedChildrenCpuMs() ?? 0;
    const cpuMs = () => {
        const own = process.cpuUsage(cpuAtStart);
        return (own.user + own.system) / 1000 + ((endedChildrenCpuMs() ?? 0) - endedAtStart) + pool.liveCpuMs() + (checker?.liveCpuMs() ?? 0);
    };
    const deadline = options.seconds !== undefined ? started + options.seconds * 1000 : Infinity;
    const limit = options.fixedInputs?.length ?? options.inputs ?? Infinity;
    const byKind: Record<string, number> = {};
    const failures = new Map<string, FailureSummary>();
    const toMinimize: { input: FuzzInput; summary: FailureSummary; index: number }[] = [];
    let digest = 2166136261;
    let done = 0;
    let slowestMs = 0;
    let largestOutputBytes = 0;
    let next = 0;

    const progress = () => {
        const seconds = (performance.now() - started) / 1000;
        const kinds = Object.entries(byKind).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
        log(`fuzz: ${seconds.toFixed(0)} s, ${done} inputs, ${(done / Math.max(seconds, 1e-9)).toFixed(1)}/s, ${(cpuMs() / Math.max(done, 1)).toFixed(1)} ms CPU each; failures: ${kinds}; ${failures.size} distinct; workers started ${pool.started}`);
    };
    const ticker = setInterval(progress, 10_000);

    // The checker: confirm, then minimize, one new signature at a time, beside the fuzzing.
    let checking = Promise.resolve();
    const check = (item: (typeof toMinimize)[number], budgetSeconds: () => number) => {
        checking = checking.then(async () => {
            checker ??= new FuzzPool(poolOptions(1));
            const { summary } = item;
            // A hang is confirmed with three times the limit, then minimized with the limit itself
            // (a candidate that needs more than the limit is a hang, as in the run; each candidate
            // that hangs costs a third of what it did, and this worker competes with the pool's).
            const fails = async (candidate: FuzzInput, timeout = options.timeoutMs) => (await checker!.run(candidate, timeout)).signature === summary.signature;
            summary.confirmed = await fails(item.input, summary.failure === 'hang' ? options.timeoutMs * 3 : options.timeoutMs);
            if (!summary.confirmed) log(`fuzz: failure #${[...failures.keys()].indexOf(summary.signature) + 1} (${summary.signature}) did not happen again when re-run; not saved`);
            let reduced = item.input;
            if (summary.confirmed && options.outDir) reduced = await minimize(item.input, (candidate) => fails(candidate), { runs: summary.failure === 'hang' ? 30 : 600, deadline: performance.now() + budgetSeconds() * 1000 });
            if (options.outDir && summary.confirmed) {
                const verdict: Verdict = { failure: summary.failure, signature: summary.signature, detail: summary.detail, outputBytes: 0, millis: 0 };
                summary.savedTo = saveCase(options.outDir, selfContained(reduced, corpus), verdict, {
                    seed: options.seed,
                    index: item.index,
                    mutations: item.input.mutations,
                    minimized: reduced !== item.input,
                });
                log(`fuzz: saved ${summary.failure} case ${summary.savedTo} (${summary.signature})`);
            }
        });
    };

    const one = async (): Promise<void> => {
        while (next < limit && performance.now() < deadline) {
            const index = next++;
            const input = options.fixedInputs ? options.fixedInputs[index]! : inputAt(options.seed, index, ctx, seeds);
            digest = fold(digest, JSON.stringify([input.main, input.args, input.files]));
            const verdict = await pool.run(input, options.timeoutMs);
            done++;
            slowestMs = Math.max(slowestMs, verdict.millis);
            largestOutputBytes = Math.max(largestOutputBytes, verdict.outputBytes);
            if (!verdict.failure) continue;
            byKind[verdict.failure] = (byKind[verdict.failure] ?? 0) + 1;
            const signature = verdict.signature ?? verdict.failure;
            const known = failures.get(signature);
            if (known) {
                known.count++;
                continue;
            }
            const summary: FailureSummary = { signature, failure: verdict.failure, count: 1, firstIndex: index, detail: (verdict.detail ?? '').slice(0, 500) };
            failures.set(signature, summary);
            log(`fuzz: new failure #${failures.size} at input ${index} (${input.mutations.join('+') || 'seed as is'}; ${input.args.join(' ')}): ${signature}`);
            toMinimize.push({ input, summary, index });
            check({ input, summary, index }, () => Math.max(20, (deadline === Infinity ? 120 : (deadline - performance.now()) / 1000) / 4));
        }
    };
    // Two inputs in flight per worker, so no worker waits for the main thread.
    await Promise.all(Array.from({ length: options.workers * 2 }, one));
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuMs();
    clearInterval(ticker);
    progress();
    const minimizeSeconds = options.minimizeSeconds ?? 120;
    const cutoff = performance.now() + minimizeSeconds * 1000;
    // Minimization still going on has until the cutoff; anything later is saved as found.
    await Promise.race([checking, new Promise((r) => setTimeout(r, Math.max(0, cutoff - performance.now())).unref())]);
    await pool.close();
    await checker?.close();
    if (options.outDir) {
        for (const { input, summary, index } of toMinimize) {
            if (summary.savedTo || summary.confirmed === false) continue;
            const verdict: Verdict = { failure: summary.failure, signature: summary.signature, detail: summary.detail, outputBytes: 0, millis: 0 };
            summary.savedTo = saveCase(options.outDir, selfContained(input, corpus), verdict, { seed: options.seed, index, mutations: input.mutations, minimized: false, note: 'not minimized: the run ended first' });
            log(`fuzz: saved ${summary.failure} case ${summary.savedTo} unminimized (${summary.signature})`);
        }
    }
    return {
        seed: options.seed,
        inputs: done,
        seconds,
        perSecond: done / seconds,
        cpuMsPerInput: cpu / Math.max(done, 1),
        byKind,
        failures: [...failures.values()].filter((f) => f.confirmed !== false),
        unconfirmed: [...failures.values()].filter((f) => f.confirmed === false),
        workersStarted: pool.started,
        slowestMs,
        largestOutputBytes,
        digest: digest.toString(16),
    };
}
