// A simulation worker thread: receives a lowered platform, runs the one engine (src/, no Langium,
// no LSP) and posts the result back. One request at a time; the main thread terminates the worker
// to cancel a run that a newer edit made stale.
import { parentPort, workerData } from 'node:worker_threads';
import type { SimulationOptions } from '../../src/engine/simulate.js';
import type { SimulationResult } from '../../src/engine/result.js';
import type { Platform } from '../../src/model/platform.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './messages.js';

type Simulate = (platform: Platform, options: SimulationOptions) => SimulationResult;

const data = workerData as WorkerData;
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

parentPort?.on('message', (request: WorkerRequest) => {
    void (async () => {
        let reply: WorkerReply;
        try {
            const simulate = await loadEngine();
            const started = performance.now();
            const result = simulate(request.platform, request.options);
            reply = { id: request.id, ok: true, result, millis: performance.now() - started };
        } catch (error) {
            reply = { id: request.id, ok: false, error: describe(error) };
        }
        try {
            parentPort!.postMessage(reply);
        } catch (error) {
            // A result that cannot be cloned is an engine bug; report it like a throw.
            parentPort!.postMessage({ id: request.id, ok: false, error: `the result could not be sent (${describe(error)})` } satisfies WorkerReply);
        }
    })();
});

// Load the engine while the first platform is being lowered.
void loadEngine().catch(() => undefined);
