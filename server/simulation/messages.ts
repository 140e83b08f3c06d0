// Messages between the language server's main thread and a simulation worker. Everything is
// structured-cloneable plain data (the model and the result hold bigints, which clone as is).
import type { SimulationOptions } from '../../src/engine/simulate.js';
import type { SimulationResult } from '../../src/engine/result.js';
import type { Platform } from '../../src/model/platform.js';

export interface WorkerRequest {
    /** Unique per request; the reply carries it back. */
    id: number;
    platform: Platform;
    options: SimulationOptions;
}

export type WorkerReply =
    | { id: number; ok: true; result: SimulationResult; millis: number }
    /** The engine threw: a message only (never shown with a stack trace). */
    | { id: number; ok: false; error: string };

/** Data the worker is started with. */
export interface WorkerData {
    /** URL of the module exporting `simulate(platform, options)`; the real engine by default. */
    engineModule: string;
}
