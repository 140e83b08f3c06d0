// A fuzz worker, one child process per pool slot (pool.ts forks it): loads the corpus once, then
// runs each input it is sent over IPC through the harness (the CLI's path, in-process) and sends
// the verdict back. A process and not a thread, so that V8 aborting on heap exhaustion (which it
// does for an allocation that cannot be interrupted, whatever the heap ceiling) ends this process
// only: the pool reports the input as `oom`, starts a fresh worker and goes on.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FuzzInput } from './mutate.js';
import { WORKER_DATA_ENV } from './pool.js';

export interface FuzzWorkerData {
    repo: string;
    /** Corpus directories relative to the repository (examples, fixtures). */
    corpusDirs: string[];
    maxOutput: number;
    /**
     * Pool tests only: an input whose main file starts with `//fuzz-selftest:hang` spins forever,
     * one with `//fuzz-selftest:die` throws outside the harness and one with
     * `//fuzz-selftest:oom` allocates until V8 aborts the process, so that the pool's handling of
     * hangs and dead workers can be shown without a real bug; `//fuzz-selftest:sleep N` blocks
     * for N ms without using CPU, then runs as usual.
     */
    selfTest?: boolean;
}

export type FuzzRequest = { id: number; input: FuzzInput };
export type FuzzReply =
    | { kind: 'ready'; pid: number }
    | { kind: 'verdict'; id: number; verdict: import('./harness.js').Verdict }
    /** An exception escaped the harness; the process exits after sending this. */
    | { kind: 'died'; message: string; stack?: string };

const send = (reply: FuzzReply) => process.send!(reply);

// Only as a worker the pool started (anything importing this module for its types gets nothing else).
const dataJson = process.env[WORKER_DATA_ENV];
if (process.send && dataJson !== undefined) {
    const data = JSON.parse(dataJson) as FuzzWorkerData;
    process.on('uncaughtException', (error) => {
        const message = error instanceof Error ? error.message : String(error);
        // Exit once the message is out (the pool also reads the exit).
        process.send!({ kind: 'died', message, stack: error instanceof Error ? error.stack : undefined } satisfies FuzzReply, () => process.exit(70));
    });
    // The pool closing its end: nothing more to do.
    process.on('disconnect', () => process.exit(0));
    // Chevrotain needs Object.groupBy on Node 20: the polyfill before Langium loads.
    await import(pathToFileURL(path.join(data.repo, 'language', 'polyfill.mjs')).href);
    const { loadCorpus, runInput } = await import('./harness.js');
    const corpus = loadCorpus(data.repo, data.corpusDirs);
    // Build the parser and warm the engine before saying ready: the first input is not to pay for it
    // (seconds on a busy machine) against its time limit.
    const [warmPath] = [...corpus.keys()].sort();
    if (warmPath) await runInput({ files: {}, main: warmPath, args: ['check'], mutations: [] }, corpus, data.maxOutput);

    process.on('message', (request: FuzzRequest) => {
        if (data.selfTest) {
            const main = request.input.files[request.input.main] ?? '';
            if (main.startsWith('//fuzz-selftest:hang')) for (;;);
            // Blocks the process for N ms without using CPU (a machine too busy to run it, as far as the pool can tell).
            const sleep = /^\/\/fuzz-selftest:sleep (\d+)/.exec(main);
            if (sleep) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(sleep[1]));
            if (main.startsWith('//fuzz-selftest:die')) {
                setImmediate(() => {
                    throw new Error('selftest: the worker died');
                });
                return;
            }
            if (main.startsWith('//fuzz-selftest:oom')) {
                // Live data until the heap ceiling: V8 aborts the process (FATAL ERROR ... heap out of memory).
                const keep: number[][] = [];
                for (;;) keep.push(Array.from({ length: 1 << 16 }, (_, i) => i + 0.5));
            }
        }
        void runInput(request.input, corpus, data.maxOutput).then((verdict) => send({ kind: 'verdict', id: request.id, verdict }));
    });
    send({ kind: 'ready', pid: process.pid });
}
