// The quiet period before a background run is prepared (server/simulation/quiet.ts), driven by a
// hand-operated clock: nothing here waits for real time.
import { describe, expect, it } from 'vitest';
import { QuietPeriod, type QuietClock } from '../../server/simulation/quiet.js';

class ManualClock implements QuietClock {
    time = 0;
    private timers: { at: number; run: () => void; live: boolean }[] = [];
    now(): number {
        return this.time;
    }
    after(ms: number, run: () => void): () => void {
        const timer = { at: this.time + ms, run, live: true };
        this.timers.push(timer);
        return () => (timer.live = false);
    }
    /** Moves time on, firing due timers in order. */
    advance(ms: number): void {
        const end = this.time + ms;
        for (;;) {
            const due = this.timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
            if (!due) break;
            due.live = false;
            this.time = due.at;
            due.run();
        }
        this.time = end;
        this.timers = this.timers.filter((t) => t.live);
    }
    get live(): number {
        return this.timers.filter((t) => t.live).length;
    }
}

function setup(quietMs = 200) {
    const clock = new ManualClock();
    const soon: (() => void)[] = [];
    const quiet = new QuietPeriod(quietMs, clock, (start) => soon.push(start));
    const runs: string[] = [];
    return { clock, soon, quiet, runs, start: (what: string) => () => runs.push(what) };
}

describe('QuietPeriod', () => {
    it('starts at once (in a later turn) when no edit came within the period', () => {
        const { clock, soon, quiet, runs, start } = setup();
        quiet.whenQuiet('a', start('first'));
        expect(soon).toHaveLength(1);
        expect(runs).toEqual([]);
        soon[0]!();
        expect(runs).toEqual(['first']);
        quiet.edited();
        clock.advance(200);
        quiet.whenQuiet('a', start('after a pause'));
        expect(soon).toHaveLength(2);
        expect(quiet.stats.deferred).toBe(0);
        expect(clock.live).toBe(0);
    });

    it('waits for the rest of the period after the last edit', () => {
        const { clock, soon, quiet, runs, start } = setup();
        quiet.edited();
        clock.advance(50);
        quiet.whenQuiet('a', start('v1'));
        expect(quiet.pending).toBe(1);
        clock.advance(149);
        expect(runs).toEqual([]);
        clock.advance(1);
        expect(runs).toEqual(['v1']);
        expect(soon).toEqual([]);
        expect(quiet.pending).toBe(0);
        expect(quiet.stats).toEqual({ deferred: 1, restarted: 0, superseded: 0 });
    });

    it('a burst of edits starts one preparation, for the last validation, a full period after the last edit', () => {
        const { clock, quiet, runs, start } = setup();
        for (let i = 1; i <= 10; i++) {
            quiet.edited();
            clock.advance(30);
            quiet.whenQuiet('a', start(`v${i}`));
            clock.advance(60);
        }
        expect(runs).toEqual([]);
        // The last edit was 90 ms ago.
        clock.advance(109);
        expect(runs).toEqual([]);
        clock.advance(1);
        expect(runs).toEqual(['v10']);
        // Edits 2-10 each found the previous validation's preparation waiting, and its own validation replaced it.
        expect(quiet.stats).toEqual({ deferred: 10, restarted: 9, superseded: 9 });
        clock.advance(10_000);
        expect(runs).toEqual(['v10']);
    });

    it('an edit of another document restarts the wait without dropping the preparation', () => {
        const { clock, quiet, runs, start } = setup();
        quiet.edited();
        quiet.whenQuiet('a', start('a'));
        clock.advance(150);
        quiet.edited(); // in b
        clock.advance(199);
        expect(runs).toEqual([]);
        clock.advance(1);
        expect(runs).toEqual(['a']);
        expect(quiet.stats.restarted).toBe(1);
    });

    it('keeps one preparation per key', () => {
        const { clock, quiet, runs, start } = setup();
        quiet.edited();
        quiet.whenQuiet('a', start('a'));
        quiet.whenQuiet('b', start('b'));
        quiet.drop('b');
        clock.advance(200);
        expect(runs).toEqual(['a']);
    });

    it('a save starts every waiting preparation now, and the next validation does not wait', () => {
        const { clock, soon, quiet, runs, start } = setup();
        quiet.edited();
        quiet.whenQuiet('a', start('a'));
        quiet.flush();
        expect(clock.live).toBe(0);
        expect(soon).toHaveLength(1);
        soon[0]!();
        expect(runs).toEqual(['a']);
        quiet.whenQuiet('a', start('again'));
        expect(soon).toHaveLength(2);
        clock.advance(1000);
        expect(runs).toEqual(['a']);
    });

    it('a period of 0 never waits', () => {
        const { soon, quiet } = setup(0);
        quiet.edited();
        quiet.whenQuiet('a', () => undefined);
        expect(soon).toHaveLength(1);
        expect(quiet.pending).toBe(0);
    });

    it('dispose cancels what waits', () => {
        const { clock, quiet, runs, start } = setup();
        quiet.edited();
        quiet.whenQuiet('a', start('a'));
        quiet.dispose();
        clock.advance(1000);
        expect(runs).toEqual([]);
        expect(quiet.pending).toBe(0);
    });
});
