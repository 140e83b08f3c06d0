// A pool of fuzz workers, each a long-lived child process (worker.ts): one input per worker at a
// time, each under a time limit that starts when the input is handed to a ready worker (a
// worker's start, loading Langium, is not counted). The limit is on the CPU time the worker's
// process used for the input where Linux tells it (thread-cpu.ts): a busy machine stretches wall
// time, not CPU time; a wall-clock ceiling of WALL_FACTOR times the limit still ends an input that
// sleeps or waits. A worker that times out is killed; one that runs out of heap or dies is
// dropped; either way a fresh one is started for the next input. The heap ceiling
// (--max-old-space-size) keeps a runaway input from taking the machine down with it.
//
// Processes, not worker threads (issue 15): a worker thread at its heap ceiling during an
// allocation V8 cannot interrupt (a Map's rehash, its last-resort GC) makes V8 abort the whole
// process, fuzzer and report included; a child that aborts is one dead slot. Its stderr tells a
// heap abort (`oom`) from any other death (`uncaught`).
import { fork, type ChildProcess } from 'node:child_process';
import type { Verdict } from './harness.js';
import type { FuzzInput } from './mutate.js';
import { processCpuMs } from './thread-cpu.js';
import { fileURLToPath } from 'node:url';
import type { FuzzReply, FuzzRequest, FuzzWorkerData } from './worker.js';

/** The environment variable the pool passes a worker its FuzzWorkerData in (JSON); its presence makes worker.ts run. */
export const WORKER_DATA_ENV = 'PCIPLAT_FUZZ_WORKER';

export interface FuzzPoolOptions {
    size: number;
    workerUrl: URL;
    data: FuzzWorkerData;
    /** Per-worker heap ceiling (MiB). */
    heapMb: number;
}

interface Slot {
    worker: ChildProcess;
    ready: boolean;
    /** The worker's process id, for its CPU time. */
    pid?: number;
    job?: Job;
    /** The end of what the worker printed on stderr (a V8 abort's reason). */
    stderr: string;
    /** Set by a `died` message: the exception that ended it. */
    died?: { message: string; stack?: string };
}

/**
 * V8 stack for a worker's main thread (KiB): what a worker thread had by default (4 MiB less
 * Node's 192 KiB buffer), room for the parser's deepest legal nesting (parse-guard.ts), and well
 * inside Linux's default 8 MiB main-thread stack (a --stack-size beyond the real stack would crash).
 */
export const WORKER_STACK_KB = 3904;

/** What V8 prints when it aborts for want of heap. */
const HEAP_ABORT = /JavaScript heap out of memory|Reached heap limit|Allocation failed|Ineffective mark-compacts near heap limit/;
const STDERR_TAIL = 16 * 1024;

/** An input may take this many times its limit in wall time while it has not used the limit in CPU time. */
export const WALL_FACTOR = 10;

interface Job {
    id: number;
    input: FuzzInput;
    timeoutMs: number;
    resolve: (v: Verdict) => void;
    timer?: NodeJS.Timeout;
    started?: number;
    /** The worker process's CPU time (ms) when the input was handed to it. */
    cpuAtStart?: number;
}

export class FuzzPool {
    private readonly slots: Slot[] = [];
    private readonly queue: Job[] = [];
    private nextId = 1;
    private closed = false;
    /** Workers started (the first `size` plus one per hang, heap exhaustion or death). */
    started = 0;

    constructor(private readonly options: FuzzPoolOptions) {
        for (let i = 0; i < options.size; i++) this.spawn();
    }

    /** CPU time (ms) the pool's live workers used so far (ended ones: endedChildrenCpuMs). */
    liveCpuMs(): number {
        let ms = 0;
        for (const slot of this.slots) ms += (slot.pid === undefined ? undefined : processCpuMs(slot.pid)) ?? 0;
        return ms;
    }

    run(input: FuzzInput, timeoutMs: number): Promise<Verdict> {
        return new Promise((resolve) => {
            this.queue.push({ id: this.nextId++, input, timeoutMs, resolve });
            this.pump();
        });
    }

    async close(): Promise<void> {
        this.closed = true;
        await Promise.all(
            this.slots.splice(0).map((s) => {
                s.worker.removeAllListeners();
                s.worker.on('error', () => undefined);
                if (s.worker.exitCode !== null || s.worker.signalCode !== null) return;
                return new Promise<void>((resolve) => {
                    s.worker.once('exit', () => resolve());
                    s.worker.kill('SIGKILL');
                });
            }),
        );
    }

    private spawn(): void {
        if (this.closed) return;
        const worker = fork(fileURLToPath(this.options.workerUrl), [], {
            execArgv: [`--max-old-space-size=${this.options.heapMb}`, `--stack-size=${WORKER_STACK_KB}`],
            env: { ...process.env, [WORKER_DATA_ENV]: JSON.stringify(this.options.data) },
            // stdout: nothing a worker prints matters (the harness captures the CLI's output).
            stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
            serialization: 'advanced',
        });
        const slot: Slot = { worker, ready: false, stderr: '' };
        this.started++;
        this.slots.push(slot);
        worker.stderr!.setEncoding('utf8');
        worker.stderr!.on('data', (text: string) => {
            slot.stderr = (slot.stderr + text).slice(-STDERR_TAIL);
        });
        worker.on('message', (reply: FuzzReply) => {
            if (reply.kind === 'ready') {
                slot.ready = true;
                slot.pid = reply.pid;
                this.pump();
                return;
            }
            if (reply.kind === 'died') {
                slot.died = reply;
                return;
            }
            const job = slot.job;
            if (!job || job.id !== reply.id) return;
            this.finish(slot, job, reply.verdict);
            this.pump();
        });
        worker.on('error', (error: Error) => this.fail(slot, 'uncaught', `uncaught worker died ${error.message.slice(0, 120)}`, error.stack ?? error.message));
        // 'close': the process has exited and its stderr is read to the end.
        worker.on('close', (code, signal) => {
            if (slot.died) {
                this.fail(slot, 'uncaught', `uncaught worker died ${slot.died.message.slice(0, 120)}`, slot.died.stack ?? slot.died.message);
            } else if (HEAP_ABORT.test(slot.stderr)) {
                this.fail(slot, 'oom', 'oom worker heap exhausted', `the worker process ran out of its ${this.options.heapMb} MiB heap (${signal ?? `exit ${code}`}): ${(/^.*FATAL ERROR:.*$/m.exec(slot.stderr)?.[0] ?? slot.stderr).trim().slice(0, 400)}`);
            } else {
                this.fail(slot, 'uncaught', `uncaught worker exited`, `the worker exited with ${signal ?? `code ${code}`}${slot.stderr ? `: ${slot.stderr.trim().slice(0, 2000)}` : ''}`);
            }
        });
    }

    /** The slot's worker is gone (or must go): its job gets `failure`, a new worker takes its place. */
    private fail(slot: Slot, failure: Verdict['failure'], signature: string, detail: string): void {
        const index = this.slots.indexOf(slot);
        if (index < 0) return;
        this.slots.splice(index, 1);
        slot.worker.removeAllListeners();
        slot.worker.on('error', () => undefined);
        slot.worker.stderr?.removeAllListeners().resume();
        if (slot.worker.exitCode === null && slot.worker.signalCode === null) slot.worker.kill('SIGKILL');
        const job = slot.job;
        if (job) this.finish(slot, job, { failure, signature, detail, outputBytes: 0, millis: performance.now() - (job.started ?? performance.now()) });
        this.spawn();
        this.pump();
    }

    /**
     * Checks the job in `ms`: a hang once it used its limit in CPU time (or in wall time where the
     * CPU time cannot be read), or WALL_FACTOR times the limit in wall time; otherwise it was
     * waiting for a core, and it is checked again when it could have used the rest.
     */
    private arm(slot: Slot, job: Job, ms: number): void {
        job.timer = setTimeout(() => {
            if (slot.job !== job) return;
            const wall = performance.now() - job.started!;
            const now = slot.pid === undefined ? undefined : processCpuMs(slot.pid);
            const cpu = now === undefined || job.cpuAtStart === undefined ? undefined : now - job.cpuAtStart;
            if (cpu === undefined || cpu >= job.timeoutMs || wall >= job.timeoutMs * WALL_FACTOR) {
                const used = cpu === undefined ? '' : ` (${Math.round(cpu)} ms of CPU)`;
                this.fail(slot, 'hang', 'hang', `no verdict after ${Math.round(wall)} ms${used}; the limit is ${job.timeoutMs} ms of CPU`);
                return;
            }
            this.arm(slot, job, Math.max(50, Math.min(job.timeoutMs - cpu, job.timeoutMs * WALL_FACTOR - wall)));
        }, ms);
    }

    private finish(slot: Slot, job: Job, verdict: Verdict): void {
        if (job.timer) clearTimeout(job.timer);
        slot.job = undefined;
        job.resolve(verdict);
    }

    private pump(): void {
        for (const slot of this.slots) {
            if (this.queue.length === 0) return;
            if (!slot.ready || slot.job) continue;
            const job = this.queue.shift()!;
            slot.job = job;
            job.started = performance.now();
            job.cpuAtStart = slot.pid === undefined ? undefined : processCpuMs(slot.pid);
            this.arm(slot, job, job.timeoutMs);
            slot.worker.send({ id: job.id, input: job.input } satisfies FuzzRequest);
        }
    }
}
