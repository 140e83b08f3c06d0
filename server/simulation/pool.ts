// A small pool of simulation worker threads. One run per worker at a time; runs wait in a FIFO
// queue. A platform is sent in parts, one per turn of the event loop, and a result arrives in
// parts (messages.ts), so that no single turn clones a whole big platform or result. Cancelling
// a queued run removes it. Cancelling a running one is cooperative: the pool sets the worker's
// shared flag to the run's id and posts `cancel`; the engine reads the flag at its safe points
// (src/util/cancellation.ts) and the worker answers `cancelled`, after which the same thread takes
// the next run. Threads are not thrown away for each stale run: every terminated worker leaves
// native memory behind that the allocator may or may not return, and a new thread costs its
// start and the engine's import. Only a worker that does not answer within a generous ceiling
// (PoolOptions.cancelMs) is terminated. A run that exceeds the time limit, or its heap ceiling, is
// stopped by terminating its worker, and a fresh worker is started when the queue next needs one.
// The limit counts from the moment the worker calls the engine: starting a worker thread and
// importing the engine take from tens of milliseconds to seconds depending on how busy the
// machine is, and that is not the platform's fault (a separate, generous ceiling covers a worker
// that never gets there).
import { Worker } from 'node:worker_threads';
import type { SimulationOptions } from '../../src/engine/simulate.js';
import type { FunctionResult, SimulationResult } from '../../src/engine/result.js';
import type { Platform } from '../../src/model/platform.js';
import { Compactor } from './compact.js';
import { DOMAIN_PART_SIZE, flattenPlatform, parts, type WorkerData, type WorkerReply } from './messages.js';

export type RunOutcome =
    /** `threadId`: the worker thread that ran it (tests: a cancelled run's thread takes the next one). */
    | { kind: 'result'; result: SimulationResult; millis: number; threadId: number }
    | { kind: 'error'; message: string }
    | { kind: 'timeout'; millis: number }
    /** The worker needed more heap than its ceiling (PoolOptions.memoryMb) and Node stopped it. */
    | { kind: 'out-of-memory'; ceilingMb: number }
    | { kind: 'cancelled' };

export interface RunHandle {
    readonly id: number;
    readonly done: Promise<RunOutcome>;
    /** Resolves with the worker's threadId once the worker calls the engine (never, if it does not get there). */
    readonly started: Promise<number>;
    cancel(): void;
}

export interface PoolOptions {
    size: number;
    /** URL of the worker script (compiled out/server/simulation/worker.js). */
    workerUrl: URL;
    /** URL of the engine module the workers import. */
    engineModule: string;
    timeoutMs: number;
    /** Ceiling on starting a worker, loading the engine and receiving the platform (default 60 s). */
    startupMs?: number;
    /** Heap ceiling of each worker in MiB (a run that needs more ends as 'out-of-memory'). */
    memoryMb: number;
    /**
     * How long a worker may take to answer the cancellation of its run before it is terminated
     * (default 30 s: the engine checks often, but a busy machine may not schedule the thread).
     */
    cancelMs?: number;
    log?: (message: string) => void;
}

const DEFAULT_STARTUP_MS = 60_000;
const DEFAULT_CANCEL_MS = 30_000;

interface Run {
    id: number;
    platform: Platform;
    options: SimulationOptions;
    /** Background runs drop the trace (see worker.ts). */
    slim: boolean;
    /** Function results received so far. */
    functions: FunctionResult[];
    /** Background runs (kept in the result store): received data is compacted (compact.ts). */
    compactor?: Compactor;
    resolve: (outcome: RunOutcome) => void;
    onStarted: (threadId: number) => void;
    worker?: PoolWorker;
    timer?: NodeJS.Timeout;
    started?: number;
}

interface PoolWorker {
    worker: Worker;
    /** Shared with the worker: the id of the run cancelled last (WorkerData.cancel). */
    cancelFlag: Int32Array;
    run?: Run;
    /** A cancelled run the worker has not yet answered for (`cancelled` or its `done`): the worker is not free. */
    cancelling?: { id: number; timer: NodeJS.Timeout };
    /** Waiting for the answer to a `gc` request (collectGarbage). */
    collected?: (ran: boolean, spaces?: Record<string, number>) => void;
}

export class WorkerPool {
    private readonly workers: PoolWorker[] = [];
    private readonly queue: Run[] = [];
    private nextId = 1;
    private disposed = false;
    private pumpScheduled = false;
    /** Workers started so far (tests and logs: how many were replaced after cancellation). */
    started = 0;
    /** Running runs cancelled cooperatively (the worker answered and stayed). */
    cancelledInWorker = 0;
    /** Workers terminated: time limit, cancellation not answered in time, or a failure. */
    terminated = 0;

    constructor(private readonly options: PoolOptions) {}

    /** `slim`: the result comes without its trace (background runs; the providers never read it). */
    submit(platform: Platform, options: SimulationOptions, slim = false): RunHandle {
        const id = this.nextId++;
        let resolve!: (outcome: RunOutcome) => void;
        const done = new Promise<RunOutcome>((r) => (resolve = r));
        let onStarted!: (threadId: number) => void;
        const started = new Promise<number>((r) => (onStarted = r));
        const run: Run = { id, platform, options, slim, functions: [], resolve, onStarted, compactor: slim ? new Compactor() : undefined };
        if (this.disposed) resolve({ kind: 'cancelled' });
        else {
            this.queue.push(run);
            this.schedulePump();
        }
        return { id, done, started, cancel: () => this.cancel(run) };
    }

    /**
     * Starts queued runs in a later turn of the event loop: posting a platform clones it on the
     * main thread, which should not add to the turn that scheduled it; a run replaced before
     * then is never sent at all.
     */
    private schedulePump(): void {
        if (this.pumpScheduled || this.disposed) return;
        this.pumpScheduled = true;
        setImmediate(() => {
            this.pumpScheduled = false;
            this.pump();
        });
    }

    /**
     * A full GC in every idle worker, when the process runs under --expose-gc (pciplat/serverStats
     * with collectGarbage: the soak compares RSS without garbage waiting in a worker's heap).
     * Busy workers are left alone. Resolves with the number of workers that collected and the
     * committed bytes of their V8 heap spaces after it (summed over the workers).
     */
    async collectGarbage(): Promise<{ workers: number; spaces: Record<string, number> }> {
        const idle = this.workers.filter((w) => !w.run && !w.cancelling && !w.collected);
        const spaces: Record<string, number> = {};
        const ran = await Promise.all(
            idle.map(
                (w) =>
                    new Promise<boolean>((resolve) => {
                        const done = (value: boolean, own?: Record<string, number>) => {
                            w.collected = undefined;
                            w.worker.off('exit', gone);
                            for (const [space, bytes] of Object.entries(own ?? {})) spaces[space] = (spaces[space] ?? 0) + bytes;
                            resolve(value);
                        };
                        const gone = () => done(false);
                        w.collected = done;
                        w.worker.once('exit', gone);
                        w.worker.postMessage({ kind: 'gc', id: 0 });
                    }),
            ),
        );
        return { workers: ran.filter(Boolean).length, spaces };
    }

    /** Runs queued or in progress. */
    get busy(): number {
        return this.queue.length + this.workers.filter((w) => w.run || w.cancelling).length;
    }

    dispose(): void {
        this.disposed = true;
        for (const run of this.queue.splice(0)) run.resolve({ kind: 'cancelled' });
        for (const w of this.workers.splice(0)) {
            if (w.run) this.finish(w.run, { kind: 'cancelled' });
            void w.worker.terminate();
        }
    }

    private cancel(run: Run): void {
        const queued = this.queue.indexOf(run);
        if (queued >= 0) {
            this.queue.splice(queued, 1);
            run.resolve({ kind: 'cancelled' });
            return;
        }
        const w = run.worker;
        if (!w) return;
        // The run is over for its caller now; the worker is free once it answers.
        this.finish(run, { kind: 'cancelled' });
        Atomics.store(w.cancelFlag, 0, run.id);
        const timer = setTimeout(() => {
            if (w.cancelling?.id !== run.id) return;
            this.options.log?.(`pciplat: a simulation worker did not stop its cancelled run within ${this.options.cancelMs ?? DEFAULT_CANCEL_MS} ms; terminating it`);
            this.discard(w);
            this.pump();
        }, this.options.cancelMs ?? DEFAULT_CANCEL_MS);
        w.cancelling = { id: run.id, timer };
        w.worker.postMessage({ kind: 'cancel', id: run.id });
    }

    /** The worker answered for its cancelled run (`cancelled`, or a `done` already on its way): it is free again. */
    private cancelAnswered(w: PoolWorker, cooperative: boolean): void {
        if (!w.cancelling) return;
        clearTimeout(w.cancelling.timer);
        w.cancelling = undefined;
        if (cooperative) this.cancelledInWorker++;
        this.pump();
    }

    private finish(run: Run, outcome: RunOutcome): void {
        if (run.timer) clearTimeout(run.timer);
        if (run.worker?.run === run) run.worker.run = undefined;
        run.worker = undefined;
        run.resolve(outcome);
    }

    /** Stops a worker (busy with a stale or runaway run) and forgets it. */
    private discard(w: PoolWorker): void {
        const index = this.workers.indexOf(w);
        if (index >= 0) this.workers.splice(index, 1);
        w.collected?.(false);
        if (w.cancelling) clearTimeout(w.cancelling.timer);
        w.cancelling = undefined;
        this.terminated++;
        w.worker.removeAllListeners();
        w.worker.on('error', () => undefined);
        void w.worker.terminate().catch(() => undefined);
    }

    private spawn(): PoolWorker {
        const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
        const data: WorkerData = { engineModule: this.options.engineModule, cancel: cancelFlag };
        const worker = new Worker(this.options.workerUrl, { workerData: data, stdout: true, stderr: true, resourceLimits: { maxOldGenerationSizeMb: this.options.memoryMb } });
        // The server speaks LSP on stdout: a worker must never write there.
        worker.stdout.on('data', (chunk: Buffer) => this.options.log?.(`simulation worker: ${chunk.toString().trimEnd()}`));
        worker.stderr.on('data', (chunk: Buffer) => this.options.log?.(`simulation worker: ${chunk.toString().trimEnd()}`));
        const w: PoolWorker = { worker, cancelFlag };
        this.started++;
        worker.on('message', (reply: WorkerReply) => {
            if (reply.kind === 'collected') {
                w.collected?.(reply.ran, reply.spaces);
                return;
            }
            if (w.cancelling?.id === reply.id) {
                // Parts of a cancelled run are dropped (the worker drops the rest on `cancel`).
                if (reply.kind === 'cancelled' || reply.kind === 'done') this.cancelAnswered(w, reply.kind === 'cancelled');
                return;
            }
            const run = w.run;
            if (!run || run.id !== reply.id || reply.kind === 'cancelled') return;
            if (reply.kind === 'started') {
                run.started = performance.now();
                this.arm(w, run, this.options.timeoutMs);
                run.onStarted(worker.threadId);
                return;
            }
            if (reply.kind === 'part') {
                // This turn took the part's cloning: compact it and ask for the next part in a
                // later one, so requests are answered in between.
                setImmediate(() => {
                    if (w.run !== run) return;
                    for (const f of reply.functions) run.functions.push(run.compactor ? run.compactor.value(f) : f);
                    w.worker.postMessage({ kind: 'next', id: run.id });
                });
                return;
            }
            const compactor = run.compactor;
            if (reply.ok && compactor) {
                // The rest of the result (groups, domains) is compacted in a later turn too.
                setImmediate(() => {
                    if (w.run !== run) return;
                    run.compactor = undefined;
                    this.finish(run, { kind: 'result', result: { ...compactor.value(reply.result), functions: run.functions }, millis: reply.millis, threadId: worker.threadId });
                    this.pump();
                });
                return;
            }
            this.finish(run, reply.ok ? { kind: 'result', result: { ...reply.result, functions: run.functions }, millis: reply.millis, threadId: worker.threadId } : { kind: 'error', message: reply.error });
            this.pump();
        });
        const failed = (message: string, outcome: RunOutcome = { kind: 'error', message }) => {
            const run = w.run;
            this.discard(w);
            if (run) this.finish(run, outcome);
            this.pump();
        };
        worker.on('error', (error: Error & { code?: string }) => {
            const message = `the simulation worker failed: ${error instanceof Error ? error.message : String(error)}`;
            failed(message, error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { kind: 'out-of-memory', ceilingMb: this.options.memoryMb } : undefined);
        });
        worker.on('exit', (code) => failed(`the simulation worker stopped (exit code ${code})`));
        this.workers.push(w);
        return w;
    }

    private pump(): void {
        if (this.disposed) return;
        while (this.queue.length > 0) {
            let w = this.workers.find((candidate) => !candidate.run && !candidate.cancelling);
            if (!w) {
                if (this.workers.length >= this.options.size) return;
                try {
                    w = this.spawn();
                } catch (error) {
                    const run = this.queue.shift()!;
                    run.resolve({ kind: 'error', message: `cannot start a simulation worker: ${error instanceof Error ? error.message : String(error)}` });
                    continue;
                }
            }
            const run = this.queue.shift()!;
            w.run = run;
            run.worker = w;
            run.started = performance.now();
            this.arm(w, run, this.options.startupMs ?? DEFAULT_STARTUP_MS);
            void this.send(w, run);
        }
    }

    /** (Re)starts the run's time limit: `ms` from now, the worker is stopped and the run times out. */
    private arm(w: PoolWorker, run: Run, ms: number): void {
        if (run.timer) clearTimeout(run.timer);
        run.timer = setTimeout(() => {
            if (run.worker !== w) return;
            this.discard(w);
            this.finish(run, { kind: 'timeout', millis: performance.now() - (run.started ?? 0) });
            this.pump();
        }, ms);
    }

    /** Posts the platform to the worker: the skeleton now, then one part of its functions or Xen domains per turn. */
    private async send(w: PoolWorker, run: Run): Promise<void> {
        try {
            const { skeleton, functions, domains } = flattenPlatform(run.platform);
            const chunks = [...parts(functions).map((chunk) => ({ functions: chunk })), ...parts(domains, DOMAIN_PART_SIZE).map((chunk) => ({ functions: [], domains: chunk }))];
            w.worker.postMessage({ kind: 'run', id: run.id, platform: skeleton, options: run.options, parts: chunks.length, slim: run.slim });
            for (const chunk of chunks) {
                await new Promise((resolve) => setImmediate(resolve));
                if (w.run !== run) return; // cancelled, timed out or the worker failed meanwhile
                w.worker.postMessage({ kind: 'part', id: run.id, ...chunk });
            }
        } catch (error) {
            // The platform could not be cloned: a lowering bug, reported like an engine error.
            if (w.run !== run) return;
            this.discard(w);
            this.finish(run, { kind: 'error', message: `the platform could not be sent to the simulation worker (${error instanceof Error ? error.message : String(error)})` });
            this.pump();
        }
    }
}
