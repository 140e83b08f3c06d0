// Device-tree `iommu-map` / `msi-map` translation: Linux's of_map_id (linux:drivers/of/base.c;
// Xen's dt_map_id is a copy). DOMAIN.md B.3.
import type { MapEntry } from '../../model/platform.js';

export const U32 = 0xffff_ffffn;

export type OfMapResult =
    /** The first entry whose range holds the masked ID: output `masked - rid-base + out-base` (u32). */
    | { kind: 'match'; entry: MapEntry; index: number; target: string; id: bigint }
    /** No entry matched: Linux logs "no translation", returns the *unmasked* ID and no target. */
    | { kind: 'bypass'; id: bigint }
    /** The property is absent: -ENODEV when a target is wanted, identity otherwise. */
    | { kind: 'absent'; id: bigint }
    /** An entry reached before any match has rid-base bits outside the mask: -EFAULT. */
    | { kind: 'bad-entry'; entry: MapEntry; index: number };

/** The IDs an entry matches, as of_map_id compares them: [base, base + length) with u32 wrap. */
export function entryRange(entry: MapEntry): { start: bigint; end: bigint } {
    const start = entry.ridBase & U32;
    // `masked_id >= id_base + id_len` is computed in u32: an end that wraps to <= start matches nothing.
    const end = (start + entry.count) & U32;
    if (entry.count === 0n || end <= start) return { start, end: start };
    return { start, end };
}

interface Segment {
    start: bigint;
    end: bigint;
    /** Index of the first (declaration order) entry covering it. */
    index: number;
}

interface MapIndex {
    segments: Segment[];
    /** Index of the first entry whose rid-base has bits outside the mask (-EFAULT when reached). */
    firstBad?: number;
}

const indexCache = new WeakMap<readonly MapEntry[], Map<bigint, MapIndex>>();

/**
 * First-match lookup in O(log n): the ID line is cut into disjoint segments, each labelled with
 * the earliest declared entry covering it (a sweep over sorted boundaries with a min-heap of the
 * active entries). Built once per map and mask.
 */
function mapIndex(entries: readonly MapEntry[], mask: bigint): MapIndex {
    let byMask = indexCache.get(entries);
    if (!byMask) indexCache.set(entries, (byMask = new Map()));
    const cached = byMask.get(mask);
    if (cached) return cached;

    const firstBad = entries.findIndex((e) => (e.ridBase & ~mask & U32) !== 0n);
    const ranges = entries.map((e, index) => ({ ...entryRange(e), index })).filter((r) => r.end > r.start);
    const points = [...new Set(ranges.flatMap((r) => [r.start, r.end]))].sort(cmp);
    const byStart = [...ranges].sort((a, b) => cmp(a.start, b.start));
    const heap = new MinHeap<{ end: bigint; index: number }>((a, b) => a.index - b.index);
    const segments: Segment[] = [];
    let next = 0;
    for (let p = 0; p + 1 < points.length; p++) {
        const start = points[p]!;
        const end = points[p + 1]!;
        while (next < byStart.length && byStart[next]!.start <= start) heap.push(byStart[next++]!);
        while (heap.size > 0 && heap.peek()!.end <= start) heap.pop();
        const top = heap.peek();
        if (!top) continue;
        const last = segments[segments.length - 1];
        if (last && last.end === start && last.index === top.index) last.end = end;
        else segments.push({ start, end, index: top.index });
    }
    const index: MapIndex = { segments, firstBad: firstBad < 0 ? undefined : firstBad };
    byMask.set(mask, index);
    return index;
}

function firstMatchIndex(entries: readonly MapEntry[], mask: bigint, masked: bigint): { match?: number; firstBad?: number } {
    const { segments, firstBad } = mapIndex(entries, mask);
    let lo = 0;
    let hi = segments.length - 1;
    while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const s = segments[mid]!;
        if (masked < s.start) hi = mid - 1;
        else if (masked >= s.end) lo = mid + 1;
        else return { match: s.index, firstBad };
    }
    return { firstBad };
}

/**
 * of_map_id(np, id, map, map-mask, &target, &id_out) with no target filter (of_pci_iommu_init and
 * the MSI domain lookup pass a NULL target first, so the first matching entry decides):
 * mask (default 0xffffffff) ANDed before matching; entries in order; an entry with id-base
 * outside the mask fails the whole lookup (-EFAULT) when reached; first match wins; no match
 * returns the unmasked ID with no target ("bypass"). Arithmetic is u32 and wraps.
 */
export function ofMapId(entries: readonly MapEntry[], mask: bigint | undefined, id: bigint): OfMapResult {
    if (entries.length === 0) return { kind: 'absent', id };
    const m = (mask ?? U32) & U32;
    const masked = id & m;
    const { match, firstBad } = firstMatchIndex(entries, m, masked);
    if (firstBad !== undefined && (match === undefined || firstBad <= match)) {
        return { kind: 'bad-entry', entry: entries[firstBad]!, index: firstBad };
    }
    if (match === undefined) return { kind: 'bypass', id };
    const entry = entries[match]!;
    return { kind: 'match', entry, index: match, target: entry.target, id: (masked - (entry.ridBase & U32) + entry.targetBase) & U32 };
}

export function cmp(a: bigint, b: bigint): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** A small binary min-heap (the sweeps above and in map-overlaps.ts). */
export class MinHeap<T> {
    private items: T[] = [];
    constructor(private readonly less: (a: T, b: T) => number) {}
    get size(): number {
        return this.items.length;
    }
    peek(): T | undefined {
        return this.items[0];
    }
    push(item: T): void {
        const a = this.items;
        a.push(item);
        let i = a.length - 1;
        while (i > 0) {
            const parent = (i - 1) >> 1;
            if (this.less(a[i]!, a[parent]!) >= 0) break;
            [a[i], a[parent]] = [a[parent]!, a[i]!];
            i = parent;
        }
    }
    pop(): T | undefined {
        const a = this.items;
        const top = a[0];
        const last = a.pop();
        if (a.length > 0 && last !== undefined) {
            a[0] = last;
            let i = 0;
            for (;;) {
                const l = 2 * i + 1;
                const r = l + 1;
                let m = i;
                if (l < a.length && this.less(a[l]!, a[m]!) < 0) m = l;
                if (r < a.length && this.less(a[r]!, a[m]!) < 0) m = r;
                if (m === i) break;
                [a[i], a[m]] = [a[m]!, a[i]!];
                i = m;
            }
        }
        return top;
    }
}
