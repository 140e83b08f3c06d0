// The address-map webview's body, computed without VS Code (unit-tested in Node): one section per
// map — each platform's host physical map from `pciplat/addressMap`, and each guest's map from
// the guest layout of a `pciplat/simulate` result when the engine reports one — with the drawing,
// its overlaps and a table of every region. The details shown on hover travel as JSON data.
import type { AddressMapResult, AddressRegion, JsonDomain, PlatformAddressMap, RichSimulateResult, SourceRange } from '../protocol.js';
import { escapeXml, formatAddress, formatSize, layoutMap, type MapRegion } from './layout.js';

export interface RegionDetail {
    title: string;
    rows: [string, string][];
    loc?: SourceRange;
}

export interface MapSection {
    id: string;
    title: string;
    note?: string;
    regions: MapRegion[];
    details: RegionDetail[];
    unplaced: { name: string; text: string; loc?: SourceRange }[];
}

function big(hex: string | null | undefined): bigint | undefined {
    if (hex === null || hex === undefined) return undefined;
    try {
        return BigInt(hex);
    } catch {
        return undefined;
    }
}

function hostSection(map: PlatformAddressMap): MapSection {
    const regions: MapRegion[] = [];
    const details: RegionDetail[] = [];
    const add = (r: AddressRegion) => {
        const base = big(r.base);
        if (base === undefined) return;
        const size = big(r.size);
        const index = regions.length;
        const tags = [r.origin, r.prefetchable ? 'prefetch' : undefined, r.space].filter((t): t is string => typeof t === 'string');
        regions.push({ index, kind: r.kind, name: r.name, base, size, tags });
        const rows: [string, string][] = [
            ['kind', r.kind + (r.space ? ` (${r.space}${r.prefetchable ? ', prefetchable' : ''})` : '')],
            ['base', formatAddress(base)],
            ['end', r.end ? formatAddress(BigInt(r.end)) : 'unknown'],
            ['size', size !== undefined ? `${formatSize(size)} (${formatAddress(size)})` : 'not described'],
        ];
        if (r.owner) rows.push(['owner', r.owner]);
        if (r.pciBase !== undefined) rows.push(['PCI bus address', formatAddress(BigInt(r.pciBase))]);
        if (r.origin) rows.push(['address', r.origin === 'placed' ? 'placed by the simulation' : 'written in the description']);
        details.push({ title: r.name, rows, loc: r.loc });
    };
    map.regions.forEach(add);
    return {
        id: `host-${map.platform}`,
        title: `Host physical address map — platform ${map.platform}`,
        note: map.simulated ? undefined : 'Not simulated yet: only BAR addresses written in the description are shown.',
        regions,
        details,
        unplaced: map.unplaced.map((u) => ({ name: u.name, text: `${u.space} ${formatSize(BigInt(u.size))}: the simulation could not place it`, loc: u.loc })),
    };
}

function guestSection(platform: string, d: JsonDomain): MapSection {
    const regions: MapRegion[] = [];
    const details: RegionDetail[] = [];
    const unplaced: MapSection['unplaced'] = [];
    for (const m of d.memory ?? []) {
        const base = big(m.base);
        const size = big(m.size);
        if (base === undefined) continue;
        details.push({ title: m.name ?? 'guest RAM', rows: [['kind', 'guest RAM'], ['base', formatAddress(base)], ['size', size !== undefined ? formatSize(size) : '?']] });
        regions.push({ index: regions.length, kind: 'guest-ram', name: m.name ?? 'RAM', base, size });
    }
    for (const h of d.holes ?? []) {
        const base = big(h.base);
        const size = big(h.size);
        if (base === undefined) continue;
        const used = big(h.used);
        details.push({
            title: `${h.which} MMIO hole`,
            rows: [
                ['kind', `guest MMIO hole (${h.which === 'low' ? '32-bit and non-prefetchable BARs' : '64-bit prefetchable BARs'})`],
                ['base', formatAddress(base)],
                ['size', size !== undefined ? formatSize(size) : '?'],
                ...(used !== undefined ? ([['used by BARs', formatSize(used)]] as [string, string][]) : []),
                ...(h.source ? ([['from', h.source === 'written' ? 'mmio-hole in the description' : 'the hypervisor default']] as [string, string][]) : []),
            ],
        });
        regions.push({ index: regions.length, kind: 'guest-hole', name: `${h.which} hole`, base, size });
    }
    for (const b of d.guestBars ?? []) {
        const label = `${b.device}.${b.bar === 'rom' ? 'rom' : `bar${b.bar}`}`;
        const guest = big(b.guest);
        const size = big(b.size);
        if (guest === undefined) {
            unplaced.push({ name: label, text: `${b.kind} ${size !== undefined ? formatSize(size) : ''}: ${b.note ?? 'no guest address'}` });
            continue;
        }
        const host = big(b.host);
        details.push({
            title: label,
            rows: [
                ['kind', `guest BAR (${b.kind}${b.prefetchable ? ', prefetchable' : ''})`],
                ['guest address', formatAddress(guest)],
                ['host address', host !== undefined ? formatAddress(host) : 'unknown'],
                ['size', size !== undefined ? formatSize(size) : '?'],
                ...(d.guestSbdf?.[b.device] ? ([['guest SBDF', d.guestSbdf[b.device]!]] as [string, string][]) : []),
                ...(b.note ? ([['note', b.note]] as [string, string][]) : []),
            ],
        });
        regions.push({ index: regions.length, kind: 'guest-bar', name: label, base: guest, size, tags: b.prefetchable ? ['prefetch'] : [] });
    }
    const state = d.running === undefined ? '' : d.running ? ', running' : ', not running at the end';
    return { id: `guest-${platform}-${d.name}`, title: `Guest ${d.name} — guest physical address map${state}`, regions, details, unplaced };
}

/** Every map to draw: host maps first, then each guest of the simulation result (if any). */
export function mapSections(map: AddressMapResult, simulation?: RichSimulateResult): MapSection[] {
    const sections = map.platforms.map(hostSection);
    if (simulation && Array.isArray(simulation.domains)) {
        for (const d of simulation.domains) {
            const section = guestSection(simulation.platform, d);
            if (section.regions.length > 0 || section.unplaced.length > 0) sections.push(section);
        }
    }
    return sections;
}

export interface RenderedMaps {
    html: string;
    /** Per section id, the details of each region by index (sent to the webview as JSON). */
    details: Record<string, RegionDetail[]>;
    overlapCount: number;
}

/** The HTML of all sections (no <html>/<head>: the panel adds those with the CSP). */
export function renderSections(sections: readonly MapSection[], guestNote?: string): RenderedMaps {
    const parts: string[] = [];
    const details: Record<string, RegionDetail[]> = {};
    let overlapCount = 0;
    if (sections.length === 0) parts.push('<p class="empty">This file declares no platform.</p>');
    for (const s of sections) {
        details[s.id] = s.details;
        const layout = layoutMap(s.regions);
        overlapCount += layout.overlaps.length;
        parts.push(`<section class="map-section" data-section="${escapeXml(s.id)}">`);
        parts.push(`<h2>${escapeXml(s.title)}</h2>`);
        if (s.note) parts.push(`<p class="note">${escapeXml(s.note)}</p>`);
        parts.push('<div class="legend">');
        for (const kind of [...new Set(s.regions.map((r) => r.kind))]) parts.push(`<span class="chip k-${escapeXml(kind)}">${escapeXml(kind)}</span>`);
        parts.push('</div>');
        if (layout.overlaps.length > 0) {
            parts.push(`<div class="overlaps" role="alert"><strong>${layout.overlaps.length} overlap${layout.overlaps.length === 1 ? '' : 's'}</strong><ul>`);
            for (const o of layout.overlaps) {
                const a = s.regions[o.a]!;
                const b = s.regions[o.b]!;
                parts.push(`<li><a href="#" data-i="${a.index}">${escapeXml(a.name)}</a> and <a href="#" data-i="${b.index}">${escapeXml(b.name)}</a> share ${escapeXml(formatAddress(o.base))}–${escapeXml(formatAddress(o.end))}</li>`);
            }
            parts.push('</ul></div>');
        }
        if (s.regions.length === 0) parts.push('<p class="empty">No regions.</p>');
        else parts.push(`<div class="drawing">${layout.svg}</div>`);
        if (s.unplaced.length > 0) {
            parts.push('<div class="unplaced"><strong>Without an address</strong><ul>');
            for (const u of s.unplaced) parts.push(`<li>${escapeXml(u.name)}: ${escapeXml(u.text)}</li>`);
            parts.push('</ul></div>');
        }
        parts.push('<details class="table"><summary>Table</summary><table><thead><tr><th>name</th><th>kind</th><th>base</th><th>end</th><th>size</th></tr></thead><tbody>');
        for (const r of s.regions) {
            const end = r.size !== undefined && r.size > 0n ? formatAddress(r.base + r.size - 1n) : '';
            parts.push(`<tr data-i="${r.index}"><td>${escapeXml(r.name)}</td><td>${escapeXml(r.kind)}</td><td>${formatAddress(r.base)}</td><td>${end}</td><td>${r.size !== undefined ? escapeXml(formatSize(r.size)) : ''}</td></tr>`);
        }
        parts.push('</tbody></table></details>');
        parts.push('</section>');
    }
    if (guestNote) parts.push(`<p class="note">${escapeXml(guestNote)}</p>`);
    return { html: parts.join('\n'), details, overlapCount };
}
