// Background simulation runs, keyed by platform (`uri#name`): at most one run per platform is
// queued or in flight. A newer job for the same platform cancels the older one (queued: dropped;
// running: its worker is asked to stop it, see pool.ts) and takes its place, so a burst of edits costs one run for
// the latest text (coalescing) rather than one per edit. Outcomes of replaced jobs never reach
// the listener.
import type { SimulationOptions } from '../../src/engine/simulate.js';
import type { Platform } from '../../src/model/platform.js';
import type { RunOutcome, WorkerPool } from './pool.js';

export interface SimulationJob {
    /** `${uri}#${platform name}` (the name is unique per import closure). */
    key: string;
    /** The document that declares the platform. */
    uri: string;
    platformName: string;
    /** The lowered platform: plain, structured-cloneable data. */
    platform: Platform;
    options: SimulationOptions;
    /** Version of every document of the import closure when the platform was lowered. */
    versions: Record<string, number>;
}

export type CompletedOutcome = Exclude<RunOutcome, { kind: 'cancelled' }>;
export type JobListener = (job: SimulationJob, outcome: CompletedOutcome) => void;
/** Called after the set of queued or running platforms changed (`running`: how many there are now). */
export type QueueListener = (running: number) => void;

export function platformKey(uri: string, platform: string): string {
    return `${uri}#${platform}`;
}

export class SimulationScheduler {
    private readonly latest = new Map<string, { job: SimulationJob; cancel: () => void; id: number }>();
    readonly stats = { scheduled: 0, replaced: 0, completed: 0 };

    constructor(
        private readonly pool: WorkerPool,
        private readonly listener: JobListener,
        private readonly onQueue: QueueListener = () => undefined,
    ) {}

    /** Platforms queued or being simulated. */
    get running(): number {
        return this.latest.size;
    }

    schedule(job: SimulationJob): void {
        this.stats.scheduled++;
        const previous = this.latest.get(job.key);
        if (previous) {
            this.stats.replaced++;
            previous.cancel();
        }
        const handle = this.pool.submit(job.platform, job.options, true);
        this.latest.set(job.key, { job, cancel: () => handle.cancel(), id: handle.id });
        this.onQueue(this.latest.size);
        void handle.done.then((outcome) => {
            // Replaced by a newer job (or cancelled) meanwhile: this outcome is stale.
            if (this.latest.get(job.key)?.id !== handle.id) return;
            this.latest.delete(job.key);
            try {
                if (outcome.kind === 'cancelled') return;
                this.stats.completed++;
                this.listener(job, outcome);
            } finally {
                this.onQueue(this.latest.size);
            }
        });
    }

    isRunning(key: string): boolean {
        return this.latest.has(key);
    }

    cancel(key: string): void {
        const entry = this.latest.get(key);
        if (!entry) return;
        this.latest.delete(key);
        entry.cancel();
        this.onQueue(this.latest.size);
    }

    /** Cancels every run of platforms declared in `uri`. */
    cancelDocument(uri: string): void {
        for (const [key, entry] of [...this.latest]) if (entry.job.uri === uri) this.cancel(key);
    }
}
