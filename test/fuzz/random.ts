// A small seeded PRNG (mulberry32) for the fuzzer: the same seed gives the same inputs, so a run
// (and the smoke test in npm test) can be replayed exactly.
export class Random {
    private state: number;

    constructor(seed: number) {
        this.state = seed >>> 0;
    }

    /** A float in [0, 1). */
    next(): number {
        let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** An integer in [0, n). */
    int(n: number): number {
        return Math.floor(this.next() * n);
    }

    /** An integer in [lo, hi]. */
    range(lo: number, hi: number): number {
        return lo + this.int(hi - lo + 1);
    }

    chance(p: number): boolean {
        return this.next() < p;
    }

    pick<T>(items: readonly T[]): T {
        return items[this.int(items.length)]!;
    }

    /** Picks by weight: `[[weight, value], ...]`. */
    weighted<T>(choices: readonly (readonly [number, T])[]): T {
        const total = choices.reduce((n, [w]) => n + w, 0);
        let r = this.next() * total;
        for (const [w, v] of choices) {
            if ((r -= w) < 0) return v;
        }
        return choices[choices.length - 1]![1];
    }
}
