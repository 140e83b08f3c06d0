// Cooperative cancellation of a simulation. The engine is synchronous; whoever runs it (the
// language server's worker threads) may want a run that a newer edit made stale to stop early,
// without killing the thread it runs on. The caller passes a token in SimulationOptions; the
// engine checks it at safe points (between stages, per function enumerated and per result built,
// per host bridge placed, per scenario and per scenario step) and, once it reads cancelled,
// throws SimulationCancelled, which no stage guard turns into a finding. The token is an
// interface only: this module knows nothing of threads or of how the flag is set.

/** Read by the engine at its safe points; `cancelled` may turn true at any time from outside. */
export interface CancellationToken {
    readonly cancelled: boolean;
}

/** Thrown by the engine when its token reads cancelled; never reported as a finding. */
export class SimulationCancelled extends Error {
    constructor() {
        super('the simulation was cancelled');
        this.name = 'SimulationCancelled';
    }
}

export function isSimulationCancelled(error: unknown): error is SimulationCancelled {
    return error instanceof SimulationCancelled || (error instanceof Error && error.name === 'SimulationCancelled');
}

/** The token of the simulation running on this thread (the engine runs one at a time, synchronously). */
let current: CancellationToken | undefined;

/** Runs `run` with `token` as the one `checkCancelled` reads (restored afterwards, also on a throw). */
export function withCancellation<T>(token: CancellationToken | undefined, run: () => T): T {
    const outer = current;
    current = token ?? outer;
    try {
        return run();
    } finally {
        current = outer;
    }
}

/** A safe point: throws SimulationCancelled when the running simulation's token reads cancelled. */
export function checkCancelled(): void {
    if (current?.cancelled) throw new SimulationCancelled();
}
