// A fuzz worker thread: loads the corpus once, then runs each input it is sent through the
// harness (the CLI's path, in-process) and posts the verdict. The pool (pool.ts) times each
// input and replaces a worker that hangs, runs out of heap or dies.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { FuzzInput } from './mutate.js';
import { currentThreadId } from './thread-cpu.js';

export interface FuzzWorkerData {
    repo: string;
    /** Corpus directories relative to the repository (examples, fixtures). */
    corpusDirs: string[];
    maxOutput: number;
    /**
     * Pool tests only: an input whose main file starts with `//fuzz-selftest:hang` spins forever
     * and one with `//fuzz-selftest:die` throws outside the harness, so that the pool's handling
     * of hangs and dead workers can be shown without a real bug; `//fuzz-selftest:sleep N` blocks
     * for N ms without using CPU, then runs as usual.
     */
    selfTest?: boolean;
}

export type FuzzRequest = { id: number; input: FuzzInput };
export type FuzzReply = { kind: 'ready'; tid?: number } | { kind: 'verdict'; id: number; verdict: import('./harness.js').Verdict };

const data = workerData as FuzzWorkerData;
// Chevrotain needs Object.groupBy on Node 20: the polyfill before Langium loads.
await import(pathToFileURL(path.join(data.repo, 'language', 'polyfill.mjs')).href);
const { loadCorpus, runInput } = await import('./harness.js');
const corpus = loadCorpus(data.repo, data.corpusDirs);
// Build the parser and warm the engine before saying ready: the first input is not to pay for it
// (seconds on a busy machine) against its time limit.
const [warmPath] = [...corpus.keys()].sort();
if (warmPath) await runInput({ files: {}, main: warmPath, args: ['check'], mutations: [] }, corpus, data.maxOutput);

parentPort!.on('message', (request: FuzzRequest) => {
    if (data.selfTest) {
        const main = request.input.files[request.input.main] ?? '';
        if (main.startsWith('//fuzz-selftest:hang')) for (;;);
        // Blocks the thread for N ms without using CPU (a machine too busy to run it, as far as the pool can tell).
        const sleep = /^\/\/fuzz-selftest:sleep (\d+)/.exec(main);
        if (sleep) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(sleep[1]));
        if (main.startsWith('//fuzz-selftest:die')) {
            setImmediate(() => {
                throw new Error('selftest: the worker died');
            });
            return;
        }
    }
    void runInput(request.input, corpus, data.maxOutput).then((verdict) => parentPort!.postMessage({ kind: 'verdict', id: request.id, verdict } satisfies FuzzReply));
});
parentPort!.postMessage({ kind: 'ready', tid: currentThreadId() } satisfies FuzzReply);
