// Free space of one window and Linux's first-fit search in it (kernel/resource.c
// __find_resource(), reached through allocate_resource()): the gaps between a window's children are
// tried in address order, each clipped to the caller's [min, max] and its start rounded up to the
// alignment; the first gap the block fits in wins. pcibios_align_resource() (the `adjust` hook,
// called on each aligned candidate as __find_resource() calls alignf) adds nothing on arm64 (no
// ISA aliasing), so there the block starts exactly at the aligned candidate; x86 moves it
// (x86-align.ts).
//
// Gaps are kept as a sorted array. Linux assigns a bus's resources in decreasing alignment and
// every size is a multiple of its alignment, so allocation normally proceeds from the first gap's
// start and the array stays a handful of entries long: each allocation is O(gaps), not O(children).

import { alignUp } from '../../util/arith.js';

export interface Gap {
    start: bigint;
    end: bigint;
}


export class FreeSpace {
    private readonly gaps: Gap[] = [];

    constructor(start: bigint, end: bigint) {
        if (end >= start) this.gaps.push({ start, end });
    }

    /**
     * First fit: the lowest address `a` with `a % align == 0`, `min <= a`, `a + size - 1 <= max`
     * and [a, a + size - 1] free. Takes it and returns `a`, or undefined when nothing fits.
     */
    allocate(size: bigint, align: bigint, min: bigint, max: bigint, adjust?: (start: bigint) => bigint): bigint | undefined {
        if (size <= 0n) return undefined;
        const gaps = this.gaps;
        for (let i = 0; i < gaps.length; i++) {
            const gap = gaps[i]!;
            if (gap.start > max) break;
            const low = gap.start < min ? min : gap.start;
            const high = gap.end > max ? max : gap.end;
            if (high < low) continue;
            const aligned = alignUp(low, align);
            const start = adjust ? adjust(aligned) : aligned;
            const end = start + size - 1n;
            if (end > high) continue;
            this.take(i, start, end);
            return start;
        }
        return undefined;
    }

    /** Marks [start, end] as used (a written resource claimed in this window). */
    reserve(start: bigint, end: bigint): void {
        const gaps = this.gaps;
        let i = this.firstGapEndingAtOrAfter(start);
        while (i < gaps.length && gaps[i]!.start <= end) {
            const gap = gaps[i]!;
            const from = start > gap.start ? start : gap.start;
            const to = end < gap.end ? end : gap.end;
            const before = this.take(i, from, to);
            i += before;
        }
    }

    /**
     * Gives [start, end] back (a resource Linux released: release_resource()). The range must be
     * one this space handed out or reserved; neighbouring gaps merge with it.
     */
    release(start: bigint, end: bigint): void {
        const gaps = this.gaps;
        const i = this.firstGapEndingAtOrAfter(start);
        const before = i > 0 ? gaps[i - 1] : undefined;
        const after = i < gaps.length ? gaps[i] : undefined;
        const joinsBefore = before !== undefined && before.end + 1n === start;
        const joinsAfter = after !== undefined && after.start === end + 1n;
        if (joinsBefore && joinsAfter) {
            before.end = after.end;
            gaps.splice(i, 1);
        } else if (joinsBefore) {
            before.end = end;
        } else if (joinsAfter) {
            after.start = start;
        } else {
            gaps.splice(i, 0, { start, end });
        }
    }

    /** The largest free range inside [min, max] (for "what was free" in messages). */
    largest(min: bigint, max: bigint): Gap | undefined {
        let best: Gap | undefined;
        for (const gap of this.gaps) {
            if (gap.start > max) break;
            const start = gap.start < min ? min : gap.start;
            const end = gap.end > max ? max : gap.end;
            if (end < start) continue;
            if (!best || end - start > best.end - best.start) best = { start, end };
        }
        return best;
    }

    /** Removes [start, end] (inside gap i) and returns how many gaps now precede the remainder. */
    private take(i: number, start: bigint, end: bigint): number {
        const gap = this.gaps[i]!;
        const left = start > gap.start ? { start: gap.start, end: start - 1n } : undefined;
        const right = end < gap.end ? { start: end + 1n, end: gap.end } : undefined;
        if (left && right) {
            this.gaps.splice(i, 1, left, right);
            return 1;
        }
        if (left) {
            this.gaps[i] = left;
            return 1;
        }
        if (right) {
            this.gaps[i] = right;
            return 0;
        }
        this.gaps.splice(i, 1);
        return 0;
    }

    private firstGapEndingAtOrAfter(address: bigint): number {
        let low = 0;
        let high = this.gaps.length;
        while (low < high) {
            const mid = (low + high) >> 1;
            if (this.gaps[mid]!.end < address) low = mid + 1;
            else high = mid;
        }
        return low;
    }
}
