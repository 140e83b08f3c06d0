// Address-map drawing, computed without VS Code (unit-tested in Node): regions → an SVG of the
// address space. A linear scale is useless for a 64-bit space with 4 KiB BARs next to 64 GiB of
// RAM, so the vertical axis is piecewise: every region boundary is a tick, each span between two
// ticks gets a height that grows with the logarithm of its size, and spans that nothing covers are
// drawn as short "gap" bands labelled with their size. Regions nest in columns (a BAR inside its
// host-bridge window, reserved memory inside RAM, a guest BAR inside its MMIO hole); any other
// intersection is an overlap, drawn in the error colour and listed.

export interface MapRegion {
    /** Index into the section's region list (the webview's hover and click use it). */
    index: number;
    kind: string;
    name: string;
    base: bigint;
    /** Size in bytes; undefined when the description does not say (drawn as a marker). */
    size?: bigint;
    /** Extra classes for the drawing (e.g. `placed`, `written`, `prefetch`). */
    tags?: string[];
}

export interface Overlap {
    a: number;
    b: number;
    base: bigint;
    end: bigint;
}

export interface Layout {
    svg: string;
    width: number;
    height: number;
    overlaps: Overlap[];
    /** Column of each region (by index). */
    lanes: Map<number, number>;
}

/** Which kinds may contain which: containment between these is nesting, not an overlap. */
const CONTAINS: Record<string, readonly string[]> = {
    'host-window': ['bar'],
    memory: ['reserved'],
    'guest-hole': ['guest-bar'],
    'guest-ram': [],
};

/** Drawn size of a region whose size is unknown (an ITS or GIC base): a 64 KiB frame. */
const MARKER_SIZE = 0x10000n;

const AXIS_WIDTH = 150;
const LANE_WIDTH = 190;
const GAP_HEIGHT = 18;

export function escapeXml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** `0x40_0000_0000`: lowercase hex in groups of four digits. */
export function formatAddress(value: bigint): string {
    const digits = value.toString(16);
    const groups: string[] = [];
    for (let end = digits.length; end > 0; end -= 4) groups.unshift(digits.slice(Math.max(0, end - 4), end));
    return `0x${groups.join('_')}`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** `256 MiB`, `1.5 GiB`, `4 KiB`, `100 B`. */
export function formatSize(size: bigint): string {
    let unit = 0;
    let whole = size;
    while (unit < UNITS.length - 1 && whole >= 1024n && whole % 1024n === 0n) {
        whole /= 1024n;
        unit++;
    }
    if (whole < 1024n || unit === UNITS.length - 1) return `${whole} ${UNITS[unit]}`;
    // Not a whole number of the next unit: one decimal.
    let scaled = Number(whole);
    while (unit < UNITS.length - 1 && scaled >= 1024) {
        scaled /= 1024;
        unit++;
    }
    return `${scaled.toFixed(scaled < 10 ? 2 : 1).replace(/\.?0+$/, '')} ${UNITS[unit]}`;
}

function drawnEnd(r: MapRegion): bigint {
    return r.base + (r.size !== undefined && r.size > 0n ? r.size : MARKER_SIZE);
}

function log2(value: bigint): number {
    return value <= 0n ? 0 : value.toString(2).length - 1;
}

function spanHeight(size: bigint): number {
    // 4 KiB or less: 16 px; every doubling adds 2.5 px; at most 70 px.
    return Math.max(16, Math.min(70, 16 + 2.5 * (log2(size) - 12)));
}

export function mayContain(outer: MapRegion, inner: MapRegion): boolean {
    return (CONTAINS[outer.kind] ?? []).includes(inner.kind) && outer.base <= inner.base && drawnEnd(inner) <= drawnEnd(outer) && outer.size !== undefined;
}

/** Pairs of regions that intersect without one legitimately containing the other. */
export function findOverlaps(regions: readonly MapRegion[]): Overlap[] {
    const sorted = [...regions].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
    const overlaps: Overlap[] = [];
    const active: MapRegion[] = [];
    for (const r of sorted) {
        for (let i = active.length - 1; i >= 0; i--) if (drawnEnd(active[i]!) <= r.base) active.splice(i, 1);
        for (const other of active) {
            // Unknown sizes are markers, not claims: they never overlap.
            if (r.size === undefined || other.size === undefined) continue;
            if (mayContain(other, r) || mayContain(r, other)) continue;
            const end = drawnEnd(r) < drawnEnd(other) ? drawnEnd(r) : drawnEnd(other);
            overlaps.push({ a: Math.min(other.index, r.index), b: Math.max(other.index, r.index), base: r.base, end: end - 1n });
        }
        active.push(r);
    }
    return overlaps;
}

export function layoutMap(regions: readonly MapRegion[], options: { title?: string } = {}): Layout {
    const overlaps = findOverlaps(regions);
    const inOverlap = new Set(overlaps.flatMap((o) => [o.a, o.b]));

    // Nesting depth: the number of legitimate containers around a region.
    const byIndex = new Map(regions.map((r) => [r.index, r]));
    const depth = new Map<number, number>();
    const depthOf = (r: MapRegion): number => {
        const known = depth.get(r.index);
        if (known !== undefined) return known;
        depth.set(r.index, 0); // cycle guard
        let best: MapRegion | undefined;
        for (const o of regions) {
            if (o === r || !mayContain(o, r)) continue;
            if (!best || (o.size ?? 0n) < (best.size ?? 0n)) best = o;
        }
        const d = best ? depthOf(best) + 1 : 0;
        depth.set(r.index, d);
        return d;
    };
    // Columns: a region goes to the first column at or after its depth where nothing it
    // intersects already sits (so overlapping regions stand side by side).
    const columns: MapRegion[][] = [];
    const lanes = new Map<number, number>();
    const ordered = [...regions].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : drawnEnd(b) > drawnEnd(a) ? 1 : drawnEnd(b) < drawnEnd(a) ? -1 : a.index - b.index));
    for (const r of ordered) {
        let lane = depthOf(r);
        for (;;) {
            const column = (columns[lane] ??= []);
            if (!column.some((o) => o.base < drawnEnd(r) && r.base < drawnEnd(o))) {
                column.push(r);
                lanes.set(r.index, lane);
                break;
            }
            lane++;
        }
    }

    // The piecewise vertical scale.
    const ticks = [...new Set(regions.flatMap((r) => [r.base, drawnEnd(r)]))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const top = options.title ? 30 : 10;
    const y = new Map<bigint, number>();
    const gaps: { y: number; size: bigint }[] = [];
    let cursor = top;
    for (let i = 0; i < ticks.length; i++) {
        const t = ticks[i]!;
        y.set(t, cursor);
        const next = ticks[i + 1];
        if (next === undefined) break;
        const covered = regions.some((r) => r.base <= t && drawnEnd(r) > t);
        if (covered) cursor += spanHeight(next - t);
        else {
            gaps.push({ y: cursor, size: next - t });
            cursor += GAP_HEIGHT;
        }
    }
    const laneCount = Math.max(1, columns.length);
    const width = AXIS_WIDTH + laneCount * LANE_WIDTH + 10;
    const height = cursor + 12;

    const parts: string[] = [];
    parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="map" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img"${options.title ? ` aria-label="${escapeXml(options.title)}"` : ''}>`);
    parts.push('<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="rotate(45)"><rect width="3" height="8" class="hatch"/></pattern></defs>');
    if (options.title) parts.push(`<text x="4" y="18" class="title">${escapeXml(options.title)}</text>`);
    // Gaps.
    for (const g of gaps) {
        parts.push(`<rect x="${AXIS_WIDTH}" y="${g.y + 2}" width="${laneCount * LANE_WIDTH - 6}" height="${GAP_HEIGHT - 4}" class="gap"/>`);
        parts.push(`<text x="${AXIS_WIDTH + 8}" y="${g.y + GAP_HEIGHT / 2 + 4}" class="gap-label">⋯ ${escapeXml(formatSize(g.size))} unused ⋯</text>`);
    }
    // Axis labels at boundaries, skipping those that would collide with the previous one.
    let lastLabel = -100;
    for (const t of ticks) {
        const ty = y.get(t)!;
        parts.push(`<line x1="${AXIS_WIDTH - 6}" x2="${AXIS_WIDTH}" y1="${ty}" y2="${ty}" class="tick"/>`);
        if (ty - lastLabel >= 12) {
            parts.push(`<text x="${AXIS_WIDTH - 9}" y="${ty + 4}" class="addr" text-anchor="end">${formatAddress(t)}</text>`);
            lastLabel = ty;
        }
    }
    // Regions: containers first so children draw on top.
    const drawOrder = [...regions].sort((a, b) => (lanes.get(a.index) ?? 0) - (lanes.get(b.index) ?? 0) || a.index - b.index);
    for (const r of drawOrder) {
        const lane = lanes.get(r.index) ?? 0;
        const y0 = y.get(r.base)!;
        const y1 = y.get(drawnEnd(r))!;
        const x = AXIS_WIDTH + lane * LANE_WIDTH + 2;
        const w = LANE_WIDTH - 8;
        const h = Math.max(3, y1 - y0 - 1);
        const classes = ['region', `k-${r.kind}`, ...(r.tags ?? []), ...(r.size === undefined ? ['unsized'] : []), ...(inOverlap.has(r.index) ? ['overlap'] : [])];
        const label = `${r.name}${r.size !== undefined ? ` · ${formatSize(r.size)}` : ''}`;
        parts.push(`<g class="${classes.map(escapeXml).join(' ')}" data-i="${r.index}" tabindex="0">`);
        parts.push(`<rect x="${x}" y="${y0 + 0.5}" width="${w}" height="${h}" rx="2"/>`);
        if (inOverlap.has(r.index)) parts.push(`<rect x="${x}" y="${y0 + 0.5}" width="${w}" height="${h}" rx="2" class="overlap-fill" fill="url(#hatch)"/>`);
        if (h >= 13) parts.push(`<text x="${x + 5}" y="${y0 + Math.min(h / 2 + 4, 14)}" class="label">${escapeXml(truncate(label, 30))}</text>`);
        parts.push('</g>');
    }
    parts.push('</svg>');
    return { svg: parts.join(''), width, height, overlaps, lanes };
}

function truncate(text: string, max: number): string {
    return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
