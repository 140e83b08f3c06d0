// The Topology view's VS Code-free half: the text filter (on names, SBDFs and IOMMU groups) over
// the bus tree and over the view by group. A function matches when its name or SBDF contains the
// filter (case-insensitive) or the filter names its group (`3`, `group 3`); a bridge stays in the
// tree when anything below it matches, so the path to every match is kept.
import type { TopologyFunction, TopologyGroup, TopologyGroupMember, TopologyPlatform } from './protocol.js';

/** The filter as typed, normalised; undefined when empty (everything shows). */
export function normaliseFilter(text: string | undefined): string | undefined {
    const q = text?.trim().toLowerCase().replace(/\s+/g, ' ');
    return q ? q : undefined;
}

function groupMatches(group: string | number | null, q: string): boolean {
    if (group === null) return false;
    const id = typeof group === 'number' ? String(group) : String(Number(BigInt(group)));
    return q === id || q === `group ${id}`;
}

function textMatches(name: string, sbdf: string | null, q: string): boolean {
    return name.toLowerCase().includes(q) || (sbdf !== null && sbdf.toLowerCase().includes(q));
}

export function functionMatches(fn: TopologyFunction, q: string): boolean {
    return textMatches(fn.name, fn.sbdf, q) || groupMatches(fn.group, q);
}

/** The bus tree cut to the matches and the bridges above them (a bridge that matches keeps all below it). */
export function filterFunctions(functions: readonly TopologyFunction[], q: string | undefined): TopologyFunction[] {
    if (!q) return [...functions];
    const out: TopologyFunction[] = [];
    for (const fn of functions) {
        if (functionMatches(fn, q)) {
            out.push(fn);
            continue;
        }
        const children = filterFunctions(fn.children, q);
        if (children.length > 0) out.push({ ...fn, children });
    }
    return out;
}

/** A member matches on its name or SBDF; every member of a group the filter names matches. */
export function filterGroups(groups: readonly TopologyGroup[], q: string | undefined): TopologyGroup[] {
    if (!q) return [...groups];
    const out: TopologyGroup[] = [];
    for (const g of groups) {
        if (groupMatches(g.id, q)) {
            out.push(g);
            continue;
        }
        const members = g.members.filter((m: TopologyGroupMember) => textMatches(m.name, m.sbdf, q));
        if (members.length > 0) out.push({ ...g, members });
    }
    return out;
}

/** How many functions of the platform the filter keeps (for the view's message). */
export function countMatches(platform: TopologyPlatform, q: string | undefined): number {
    const count = (fns: readonly TopologyFunction[]): number => fns.reduce((n, f) => n + (q === undefined || functionMatches(f, q) ? 1 : 0) + count(f.children), 0);
    return platform.hostBridges.reduce((n, hb) => n + count(hb.functions), 0);
}

/** One line for a group in the view by group: `group 3 · 2 functions · nic0, nic0p1`. */
export function groupDescription(group: TopologyGroup): string {
    const names = group.members.slice(0, 4).map((m) => m.name);
    const more = group.members.length > names.length ? `, +${group.members.length - names.length}` : '';
    return `${group.members.length} function${group.members.length === 1 ? '' : 's'} · ${names.join(', ')}${more}`;
}
