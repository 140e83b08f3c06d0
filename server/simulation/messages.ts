// Messages between the language server's main thread and a simulation worker. Everything is
// structured-cloneable plain data (the model and the result hold bigints, which clone as is).
//
// Cloning happens on the sending and on the receiving thread, synchronously, in one turn of the
// event loop per message: a 10k-function platform or result cloned in one message holds the main
// thread for 50-150 ms. So both directions are sliced: the platform travels as a skeleton (host
// bridges without functions, Xen without its domains) followed by its functions, flattened, and
// its Xen domains, in parts (at 10k functions the domains' passthrough lists alone were 336 KB of
// the skeleton, 10-35 ms to clone); the result as its
// functions in parts followed by the rest. The main thread sends one part per turn; it asks for
// each result part once it has taken the previous one, in a later turn (Node delivers all queued
// messages of a port in one go, so parts sent at once would be cloned in one turn again). So
// requests (hover, completion) get in between.
import type { SimulationOptions } from '../../src/engine/simulate.js';
import type { FunctionResult, SimulationResult } from '../../src/engine/result.js';
import type { PciFunction, Platform, XenDomain } from '../../src/model/platform.js';

/**
 * Functions (or function results) per message. Cloning a part holds the thread for as long as
 * it takes: measured at 10k functions (lowered, 2,448 of them outside VFs), 500 per part took
 * 7-15 ms each on an idle machine and up to ~35 ms in the server amid its garbage collection, so
 * hovers waited behind them (p95 over 20 ms); 100 take ~1.2 ms, for the same total.
 */
export const PART_SIZE = 100;

/** Xen domains per message: a domain lists its passthrough devices, ~2.5 KB each at 10k functions. */
export const DOMAIN_PART_SIZE = 10;

/** One function of the flattened tree: its host bridge, its parent's index in the flat list (-1: top level). */
export interface FlatFunction {
    hostBridge: number;
    parent: number;
    fn: PciFunction;
}

export type WorkerRequest =
    /** Starts a run: the platform without functions and Xen domains; `parts` messages with them follow. */
    | { kind: 'run'; id: number; platform: Platform; options: SimulationOptions; parts: number; slim: boolean }
    | { kind: 'part'; id: number; functions: FlatFunction[]; domains?: XenDomain[] }
    /** The main thread took the last result part and wants the next. */
    | { kind: 'next'; id: number }
    /** A full GC when the process runs under --expose-gc (pciplat/serverStats, for the soak); answered with `collected`. */
    | { kind: 'gc'; id: number }
    /**
     * Stop run `id` (a newer edit made it stale): answered with `cancelled`, or with the run's
     * `done` when that was already on its way. A run inside the engine cannot read messages; it
     * reads the shared flag (WorkerData.cancel), which the main thread sets first.
     */
    | { kind: 'cancel'; id: number };

export type WorkerReply =
    /** The engine was loaded and the platform received: the engine is being called now (the time limit starts). */
    | { kind: 'started'; id: number }
    /** Function results, in order; the final reply follows. */
    | { kind: 'part'; id: number; functions: FunctionResult[] }
    /** The result without the functions already sent in parts. */
    | { kind: 'done'; id: number; ok: true; result: SimulationResult; millis: number }
    /** The engine threw: a message only (never shown with a stack trace). */
    | { kind: 'done'; id: number; ok: false; error: string }
    /** `spaces`: the worker's V8 heap spaces after the GC, committed bytes per space (soak measurements). */
    | { kind: 'collected'; id: number; ran: boolean; spaces: Record<string, number> }
    /** Run `id` stopped after a `cancel` (the worker is free for the next run). */
    | { kind: 'cancelled'; id: number };

/** Data the worker is started with. */
export interface WorkerData {
    /** URL of the module exporting `simulate(platform, options)`; the real engine by default. */
    engineModule: string;
    /**
     * One Int32 shared with the main thread: the id of the run it cancelled (0: none). The
     * worker's cancellation token for run N reads `cancel[0] === N` (Atomics.load).
     */
    cancel?: Int32Array;
}

/** The platform without functions and Xen domains, its functions in depth-first order (parents first), and its Xen domains. */
export function flattenPlatform(platform: Platform): { skeleton: Platform; functions: FlatFunction[]; domains: XenDomain[] } {
    const functions: FlatFunction[] = [];
    const visit = (fn: PciFunction, hostBridge: number, parent: number) => {
        const index = functions.length;
        functions.push({ hostBridge, parent, fn: { ...fn, children: [] } });
        for (const child of fn.children) visit(child, hostBridge, index);
    };
    platform.hostBridges.forEach((hb, i) => hb.functions.forEach((fn) => visit(fn, i, -1)));
    const skeleton: Platform = { ...platform, hostBridges: platform.hostBridges.map((hb) => ({ ...hb, functions: [] })) };
    if (platform.xen) skeleton.xen = { ...platform.xen, domains: [] };
    return { skeleton, functions, domains: platform.xen?.domains ?? [] };
}

/** Rebuilds the function trees and the Xen domains of `skeleton` (in place) from the flattened parts. */
export function unflattenPlatform(skeleton: Platform, functions: readonly FlatFunction[], domains: readonly XenDomain[] = []): Platform {
    for (const entry of functions) {
        if (entry.parent < 0) skeleton.hostBridges[entry.hostBridge]!.functions.push(entry.fn);
        else functions[entry.parent]!.fn.children.push(entry.fn);
    }
    // A loop, not push(...domains): a spread of that many arguments can overflow the stack.
    if (skeleton.xen) for (const domain of domains) skeleton.xen.domains.push(domain);
    return skeleton;
}

/** Splits a list into parts of `size`. */
export function parts<T>(items: readonly T[], size = PART_SIZE): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
}
