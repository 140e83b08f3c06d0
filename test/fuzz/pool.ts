// A pool of fuzz workers (worker_threads): one input per worker at a time, each under a time
// limit that starts when the input is handed to a ready worker (a worker's start, loading
// Langium, is not counted). The limit is on the CPU time the worker's thread used for the input
// where Linux tells it (thread-cpu.ts): a busy machine stretches wall time, not CPU time; a
// wall-clock ceiling of WALL_FACTOR times the limit still ends an input that sleeps or waits. A worker that times out is terminated; one that runs out of heap or
// dies is dropped; either way a fresh one is started for the next input. The heap ceiling keeps a
// runaway input from taking the machine down with it.
import { Worker } from 'node:worker_threads';
import type { Verdict } from './harness.js';
import type { FuzzInput } from './mutate.js';
import { threadCpuMs } from './thread-cpu.js';
import type { FuzzReply, FuzzWorkerData } from './worker.js';

export interface FuzzPoolOptions {
    size: number;
    workerUrl: URL;
    data: FuzzWorkerData;
    /** Per-worker heap ceiling (MiB). */
    heapMb: number;
}

interface Slot {
    worker: Worker;
    ready: boolean;
    /** The worker's thread id (Linux), for its CPU time. */
    tid?: number;
    job?: Job;
}

/** An input may take this many times its limit in wall time while it has not used the limit in CPU time. */
export const WALL_FACTOR = 10;

interface Job {
    id: number;
    input: FuzzInput;
    timeoutMs: number;
    resolve: (v: Verdict) => void;
    timer?: NodeJS.Timeout;
    started?: number;
    /** The worker thread's CPU time (ms) when the input was handed to it. */
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

    run(input: FuzzInput, timeoutMs: number): Promise<Verdict> {
        return new Promise((resolve) => {
            this.queue.push({ id: this.nextId++, input, timeoutMs, resolve });
            this.pump();
        });
    }

    async close(): Promise<void> {
        this.closed = true;
        await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
    }

    private spawn(): void {
        if (this.closed) return;
        const worker = new Worker(this.options.workerUrl, { workerData: this.options.data, resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb }, stdout: true, stderr: true });
        // Nothing a worker prints matters (the harness captures the CLI's output); drain it.
        worker.stdout.resume();
        worker.stderr.resume();
        const slot: Slot = { worker, ready: false };
        this.started++;
        this.slots.push(slot);
        worker.on('message', (reply: FuzzReply) => {
            if (reply.kind === 'ready') {
                slot.ready = true;
                slot.tid = reply.tid;
                this.pump();
                return;
            }
            const job = slot.job;
            if (!job || job.id !== reply.id) return;
            this.finish(slot, job, reply.verdict);
            this.pump();
        });
        worker.on('error', (error: Error & { code?: string }) => {
            const oom = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
            this.fail(slot, oom ? 'oom' : 'uncaught', oom ? 'oom worker heap exhausted' : `uncaught worker died ${error.message.slice(0, 120)}`, error.stack ?? error.message);
        });
        worker.on('exit', (code) => this.fail(slot, 'uncaught', `uncaught worker exited`, `the worker exited with code ${code}`));
    }

    /** The slot's worker is gone (or must go): its job gets `failure`, a new worker takes its place. */
    private fail(slot: Slot, failure: Verdict['failure'], signature: string, detail: string): void {
        const index = this.slots.indexOf(slot);
        if (index < 0) return;
        this.slots.splice(index, 1);
        slot.worker.removeAllListeners();
        slot.worker.on('error', () => undefined);
        void slot.worker.terminate().catch(() => undefined);
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
            const now = slot.tid === undefined ? undefined : threadCpuMs(slot.tid);
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
            job.cpuAtStart = slot.tid === undefined ? undefined : threadCpuMs(slot.tid);
            this.arm(slot, job, job.timeoutMs);
            slot.worker.postMessage({ id: job.id, input: job.input });
        }
    }
}
