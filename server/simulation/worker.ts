// A simulation worker thread: receives a lowered platform (in parts, see messages.ts), runs the
// one engine (src/, no Langium, no LSP) and posts the result back (in parts). One request at a
// time. A run that a newer edit made stale is cancelled cooperatively: the main thread sets the
// shared flag (WorkerData.cancel) to the run's id and posts `cancel`; the engine reads the flag
// through its cancellation token at its safe points and throws, a run still receiving its
// platform or sending its result reads the message; either way the worker answers `cancelled`
// and takes the next run. (The main thread terminates the worker only when it does not answer.)
import { getHeapSpaceStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { SimulationOptions } from '../../src/engine/simulate.js';
import type { SimulationResult } from '../../src/engine/result.js';
import type { Platform, XenDomain } from '../../src/model/platform.js';
import { isSimulationCancelled, type CancellationToken } from '../../src/util/cancellation.js';
import { parts, unflattenPlatform, type FlatFunction, type WorkerData, type WorkerReply, type WorkerRequest } from './messages.js';

type Simulate = (platform: Platform, options: SimulationOptions) => SimulationResult;

const data = workerData as WorkerData;

/** Whether the main thread cancelled run `id`. */
function cancelled(id: number): boolean {
    return data.cancel !== undefined && Atomics.load(data.cancel, 0) === id;
}

function tokenOf(id: number): CancellationToken {
    return {
        get cancelled() {
            return cancelled(id);
        },
    };
}
let engine: Promise<Simulate> | undefined;

function loadEngine(): Promise<Simulate> {
    engine ??= import(data.engineModule).then((m: { simulate?: Simulate }) => {
        if (typeof m.simulate !== 'function') throw new Error(`${data.engineModule} exports no simulate()`);
        return m.simulate;
    });
    return engine;
}

function describe(error: unknown): string {
    if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
    return String(error);
}

/** Committed bytes of each V8 heap space of this thread. */
function heapSpaces(): Record<string, number> {
    return Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
}

function post(reply: WorkerReply): void {
    parentPort!.postMessage(reply);
}

async function run(request: Extract<WorkerRequest, { kind: 'run' }>, functions: FlatFunction[], domains: XenDomain[]): Promise<void> {
    let result: SimulationResult;
    let millis: number;
    try {
        const simulate = await loadEngine();
        if (cancelled(request.id)) {
            post({ kind: 'cancelled', id: request.id });
            return;
        }
        const platform = unflattenPlatform(request.platform, functions, domains);
        post({ kind: 'started', id: request.id });
        const started = performance.now();
        result = simulate(platform, { ...request.options, cancellation: tokenOf(request.id) });
        millis = performance.now() - started;
    } catch (error) {
        if (isSimulationCancelled(error) || cancelled(request.id)) post({ kind: 'cancelled', id: request.id });
        else post({ kind: 'done', id: request.id, ok: false, error: describe(error) });
        return;
    }
    if (cancelled(request.id)) {
        post({ kind: 'cancelled', id: request.id });
        return;
    }
    try {
        // Background runs: the trace (tens of thousands of events on big platforms) is for the
        // pciplat/simulate request only; nothing the providers show reads it.
        const rest: SimulationResult = { ...result, functions: [], trace: request.slim ? [] : result.trace };
        const pending = parts(result.functions ?? []);
        // One part now, each further one when the main thread asks for it; then the rest.
        const sendNext = () => {
            const part = pending.shift();
            if (part) post({ kind: 'part', id: request.id, functions: part });
            else {
                sending = undefined;
                post({ kind: 'done', id: request.id, ok: true, result: rest, millis });
            }
        };
        sending = { id: request.id, next: sendNext };
        sendNext();
    } catch (error) {
        // A result that cannot be cloned is an engine bug; report it like a throw.
        post({ kind: 'done', id: request.id, ok: false, error: `the result could not be sent (${describe(error)})` });
    }
}

/** The result being sent, part by part. */
let sending: { id: number; next: () => void } | undefined;

let current: { request: Extract<WorkerRequest, { kind: 'run' }>; functions: FlatFunction[]; domains: XenDomain[]; received: number } | undefined;

parentPort?.on('message', (message: WorkerRequest) => {
    if (message.kind === 'gc') {
        const gc = (globalThis as { gc?: () => void }).gc;
        // Twice, as the server thread does (requests.ts): the second completes the first's sweeping.
        if (typeof gc === 'function') {
            gc();
            gc();
        }
        post({ kind: 'collected', id: message.id, ran: typeof gc === 'function', spaces: heapSpaces() });
        return;
    }
    if (message.kind === 'cancel') {
        // Receiving the platform or sending the result: drop it. In the engine (or loading it),
        // run() reads the flag; already done: nothing to answer (the main thread has the `done`).
        if (current?.request.id === message.id) {
            current = undefined;
            post({ kind: 'cancelled', id: message.id });
        } else if (sending?.id === message.id) {
            sending = undefined;
            post({ kind: 'cancelled', id: message.id });
        }
        return;
    }
    if (message.kind === 'next') {
        if (sending?.id === message.id) {
            try {
                sending.next();
            } catch (error) {
                sending = undefined;
                post({ kind: 'done', id: message.id, ok: false, error: `the result could not be sent (${describe(error)})` });
            }
        }
        return;
    }
    if (message.kind === 'run') current = { request: message, functions: [], domains: [], received: 0 };
    else if (current && message.id === current.request.id) {
        current.functions.push(...message.functions);
        if (message.domains) current.domains.push(...message.domains);
        current.received++;
    } else return;
    if (current.received < current.request.parts) return;
    const { request, functions, domains } = current;
    current = undefined;
    void run(request, functions, domains);
});

// Load the engine while the first platform is being lowered.
void loadEngine().catch(() => undefined);
