// When the background simulation of an edited document is prepared (lowered to the model and
// posted to a worker): once the edit stream has paused. Lowering and posting a 10k-function
// platform cost the server thread well over a hundred milliseconds, in slices, and garbage
// after; done after every keystroke they hold up the next keystroke's parse and the hovers and
// completions typed in between, for a run the next keystroke makes stale anyway. So the
// preparation of a validated document waits until `quietMs` have passed since the last
// `textDocument/didChange` (any document: an edit in an imported file makes its importers
// stale too); a further edit before then restarts the wait, and the validation of that edit
// replaces the waiting preparation. Nothing of the lowering has happened by then, so a burst of
// edits lowers and posts once, for its last text. A validation that ends after the quiet period
// (a slow parse) starts in the next turn of the event loop, as it always did. A save ends the
// quiet period at once: the hands have left the keyboard.
//
// The clock is injected (tests drive it by hand; the server uses timers).

/** Time and timers: the server's real ones, or a test's. */
export interface QuietClock {
    now(): number;
    /** Calls `run` after `ms`; the returned function cancels it. */
    after(ms: number, run: () => void): () => void;
}

export const realClock: QuietClock = {
    now: () => performance.now(),
    after: (ms, run) => {
        const timer = setTimeout(run, ms);
        return () => clearTimeout(timer);
    },
};

/**
 * Default quiet period (ms). Typing keeps keystrokes 100–200 ms apart (60–120 words a minute),
 * so 200 ms spans the gap between keystrokes of steady typing and ends soon after the hands stop;
 * it is small beside the simulation it delays (a second or more at 10k functions, where it
 * matters), and short enough that at 1k functions the result still follows the diagnostics
 * promptly.
 */
export const DEFAULT_QUIET_MS = 200;

interface Waiting {
    start: () => void;
    cancel: () => void;
}

export class QuietPeriod {
    private lastEdit = Number.NEGATIVE_INFINITY;
    private readonly waiting = new Map<string, Waiting>();
    readonly stats = { deferred: 0, restarted: 0, superseded: 0 };

    constructor(
        private readonly quietMs: number,
        private readonly clock: QuietClock = realClock,
        /** Runs `start` in a later turn when no wait is needed (default: setImmediate). */
        private readonly soon: (start: () => void) => void = (start) => void setImmediate(start),
    ) {}

    /** Preparations waiting for the edit stream to pause. */
    get pending(): number {
        return this.waiting.size;
    }

    /** A `textDocument/didChange` arrived: every waiting preparation waits the full period again. */
    edited(): void {
        this.lastEdit = this.clock.now();
        for (const [key, entry] of [...this.waiting]) {
            entry.cancel();
            this.stats.restarted++;
            this.arm(key, entry.start, this.quietMs);
        }
    }

    /**
     * Runs `start` once no edit has arrived for the quiet period; a later call with the same `key`
     * (the document validated again) replaces it.
     */
    whenQuiet(key: string, start: () => void): void {
        const previous = this.waiting.get(key);
        if (previous) {
            previous.cancel();
            this.waiting.delete(key);
            this.stats.superseded++;
        }
        const wait = this.lastEdit + this.quietMs - this.clock.now();
        if (!(wait > 0)) {
            this.soon(start);
            return;
        }
        this.stats.deferred++;
        this.arm(key, start, wait);
    }

    /**
     * The edit stream has certainly paused (the editor saved): every waiting preparation starts
     * now, in a later turn, and the next validation does not wait either.
     */
    flush(): void {
        this.lastEdit = Number.NEGATIVE_INFINITY;
        for (const entry of [...this.waiting.values()]) {
            entry.cancel();
            this.soon(entry.start);
        }
        this.waiting.clear();
    }

    /** Forgets the waiting preparation of `key` (its document was closed or deleted). */
    drop(key: string): void {
        this.waiting.get(key)?.cancel();
        this.waiting.delete(key);
    }

    dispose(): void {
        for (const entry of this.waiting.values()) entry.cancel();
        this.waiting.clear();
    }

    private arm(key: string, start: () => void, ms: number): void {
        const entry: Waiting = { start, cancel: () => undefined };
        entry.cancel = this.clock.after(ms, () => {
            if (this.waiting.get(key) !== entry) return;
            this.waiting.delete(key);
            start();
        });
        this.waiting.set(key, entry);
    }
}
