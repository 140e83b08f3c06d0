// The predicted IOMMU groups of one simulation against a real machine's (src/import/iommu-groups.ts),
// function by function. Group numbers depend on the order devices reach the IOMMU driver, which
// differs between boots, kernels and rescans, so groups are compared as sets of functions
// (segment:bus:device.function), never by number.
import type { FunctionResult, SimulationResult } from '../engine/result.js';
import { formatSbdf } from '../cli/format-text.js';
import type { Platform } from '../model/platform.js';
import type { SourceLoc } from '../model/source.js';
import { allFunctions } from '../model/walk.js';
import type { GroupsForm, RealGroups } from '../import/iommu-groups.js';

/**
 * `agree`: the same members on both sides (or no group on both); `differs`: other members, or a
 * group on one side only; `only-predicted`/`only-real`: the function is on one side only.
 */
export type Verdict = 'agree' | 'differs' | 'only-predicted' | 'only-real';

export interface SideMembership {
    /** The group number on that side (not comparable across sides), or null for no group. */
    group: number | null;
    /** Every member's SBDF, sorted (empty when there is no group); one array shared by the group's functions. */
    members: string[];
}

export interface FunctionComparison {
    sbdf: string;
    /** The platform's name for the function (absent for `only-real`). */
    name?: string;
    verdict: Verdict;
    predicted?: SideMembership;
    real?: SideMembership & { description?: string };
    /** Members on one side that the other side does not have at all (they have their own line); shared per group. */
    onlyPredictedMembers: string[];
    onlyRealMembers: string[];
    /** Where the platform declares the function. */
    loc?: SourceLoc;
    /** Where the real listing names it. */
    realLoc?: SourceLoc;
    /**
     * The real device's vendor:device IDs (lspci -nn) differ from the ones the platform declares
     * at that address, as `vvvv:dddd`: the platform may describe another device there.
     */
    idsDiffer?: { real: string; declared: string };
}

export interface GroupsComparison {
    platform: string;
    form: GroupsForm;
    listsUngrouped: boolean;
    otherDevices: number;
    /** Sorted by SBDF. */
    functions: FunctionComparison[];
    counts: Record<Verdict, number>;
    /** Functions whose real vendor:device IDs differ from the declared ones (whatever their verdict). */
    idsDiffer: number;
    /** Real groups with at least one PCI function. */
    realGroups: number;
    /** Each side's groups once (members sorted), by group number: what JSON prints members from. */
    groups: { predicted: GroupMembers[]; real: GroupMembers[] };
}

export interface GroupMembers {
    group: number;
    members: string[];
}

function listed(groups: Map<number, string[]>): GroupMembers[] {
    return [...groups].sort(([a], [b]) => a - b).map(([group, members]) => ({ group, members }));
}

/** The vendor and device ID the platform declares for a function (by name), when it does. */
export type DeclaredIds = (name: string) => { vendor?: bigint; device?: bigint } | undefined;

/** What the platform declares: a function's own IDs; a VF's are its PF's vendor and VF Device ID. */
export function declaredIdsOf(platform: Platform): DeclaredIds {
    const byName = new Map(allFunctions(platform.hostBridges.flatMap((hb) => hb.functions)).map((f) => [f.name, f]));
    return (name) => {
        const own = byName.get(name);
        if (own) return { vendor: own.vendor, device: own.device };
        const vf = /^(.*)\.vf\[\d+\]$/.exec(name);
        const pf = vf ? byName.get(vf[1]!) : undefined;
        return pf && { vendor: pf.vendor, device: pf.sriov?.vfDevice };
    };
}

function idText(vendor: bigint, device: bigint): string {
    return `${vendor.toString(16).padStart(4, '0')}:${device.toString(16).padStart(4, '0')}`;
}

/** The sort key of an SBDF: segments of any width in numeric order. */
function sortKey(sbdf: string): string {
    const colon = sbdf.indexOf(':');
    return `${sbdf.slice(0, colon).padStart(8, '0')}${sbdf.slice(colon)}`;
}

function byKey(a: string, b: string): number {
    const ka = sortKey(a);
    const kb = sortKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function membersByGroup(entries: Iterable<{ sbdf: string; group: number | null }>): Map<number, string[]> {
    const byGroup = new Map<number, string[]>();
    for (const { sbdf, group } of entries) {
        if (group === null) continue;
        const list = byGroup.get(group);
        if (list) list.push(sbdf);
        else byGroup.set(group, [sbdf]);
    }
    for (const list of byGroup.values()) list.sort(byKey);
    return byGroup;
}

const NO_MEMBERS: string[] = [];

/** `f` computed once per member list (lists are shared per group, so once per group). */
function memo<T>(f: (members: string[]) => T): (members: string[]) => T {
    const cache = new Map<string[], T>();
    return (members) => {
        let value = cache.get(members);
        if (value === undefined && !cache.has(members)) cache.set(members, (value = f(members)));
        return value as T;
    };
}

/** The functions Linux finds (invisible ones and those never enumerated are not predicted). */
function predictedFunctions(result: SimulationResult): Map<string, FunctionResult> {
    const bySbdf = new Map<string, FunctionResult>();
    for (const f of result.functions) {
        if (f.invisible !== undefined || f.bus === undefined) continue;
        const sbdf = formatSbdf(f);
        if (!bySbdf.has(sbdf)) bySbdf.set(sbdf, f);
    }
    return bySbdf;
}

export function compareGroups(result: SimulationResult, real: RealGroups, declared: DeclaredIds = () => undefined): GroupsComparison {
    const predicted = predictedFunctions(result);
    const predictedGroups = membersByGroup([...predicted].map(([sbdf, f]) => ({ sbdf, group: f.group })));
    const realBySbdf = new Map(real.functions.map((f) => [f.sbdf, f]));
    const realGroups = membersByGroup(real.functions);
    const side = (group: number | null, groups: Map<number, string[]>): SideMembership => ({ group, members: group === null ? NO_MEMBERS : (groups.get(group) ?? NO_MEMBERS) });
    // Per group, not per function: a group of n functions costs O(n) once, never O(n²).
    const shared = memo((members: string[]) => internKey(members.filter((m) => predicted.has(m) && realBySbdf.has(m)).join(' ')));
    const lackedByReal = memo((members: string[]) => members.filter((m) => !realBySbdf.has(m)));
    const lackedByPrediction = memo((members: string[]) => members.filter((m) => !predicted.has(m)));
    const keys = new Map<string, number>();
    function internKey(key: string): number {
        let id = keys.get(key);
        if (id === undefined) keys.set(key, (id = keys.size));
        return id;
    }

    const functions: FunctionComparison[] = [];
    for (const sbdf of [...new Set([...predicted.keys(), ...realBySbdf.keys()])].sort(byKey)) {
        const p = predicted.get(sbdf);
        const r = realBySbdf.get(sbdf);
        const mine = p && side(p.group, predictedGroups);
        const theirs = r && { ...side(r.group, realGroups), ...(r.description ? { description: r.description } : {}) };
        // Members the other side lacks altogether are reported on their own line (one cause, one
        // finding), so the memberships are compared over the functions both sides have.
        const onlyPredictedMembers = lackedByReal(mine?.members ?? NO_MEMBERS);
        const onlyRealMembers = lackedByPrediction(theirs?.members ?? NO_MEMBERS);
        let verdict: Verdict;
        if (mine && theirs) {
            verdict = (mine.group === null) !== (theirs.group === null) || shared(mine.members) !== shared(theirs.members) ? 'differs' : 'agree';
        } else if (mine) {
            // A listing of groups cannot show a function that has none: absent there is "no group".
            verdict = !real.listsUngrouped && mine.group === null ? 'agree' : 'only-predicted';
        } else verdict = 'only-real';
        // Only IDs both sides know are compared (a listing without lspci has none).
        const ids = p && r?.ids ? declared(p.name) : undefined;
        const idsDiffer =
            ids?.vendor !== undefined && ids.device !== undefined && r?.ids && (ids.vendor !== r.ids.vendor || ids.device !== r.ids.device)
                ? { real: idText(r.ids.vendor, r.ids.device), declared: idText(ids.vendor, ids.device) }
                : undefined;
        functions.push({
            sbdf,
            ...(p ? { name: p.name, loc: p.loc } : {}),
            ...(idsDiffer ? { idsDiffer } : {}),
            verdict,
            ...(mine ? { predicted: mine } : {}),
            ...(theirs ? { real: theirs, realLoc: r!.loc } : {}),
            onlyPredictedMembers,
            onlyRealMembers,
        });
    }
    const counts: Record<Verdict, number> = { agree: 0, differs: 0, 'only-predicted': 0, 'only-real': 0 };
    for (const f of functions) counts[f.verdict]++;
    return {
        platform: result.platform,
        form: real.form,
        listsUngrouped: real.listsUngrouped,
        otherDevices: real.otherDevices,
        functions,
        counts,
        idsDiffer: functions.filter((f) => f.idsDiffer).length,
        realGroups: realGroups.size,
        groups: { predicted: listed(predictedGroups), real: listed(realGroups) },
    };
}

/** Whether every function agrees. */
export function agrees(comparison: GroupsComparison): boolean {
    return comparison.counts.agree === comparison.functions.length;
}

// --- words -------------------------------------------------------------------------------------

/** At most this many members are spelled out per set (output stays bounded on huge groups). */
export const MAX_MEMBERS_SHOWN = 16;

/** `{0000:00:02.0, 0000:02:00.0}`, members past MAX_MEMBERS_SHOWN counted; `label` names each one. */
export function memberSet(members: readonly string[], label: (sbdf: string) => string = (m) => m): string {
    const shown = members.slice(0, MAX_MEMBERS_SHOWN).map(label);
    const more = members.length - shown.length;
    return `{${shown.join(', ')}${more > 0 ? `, and ${more} more` : ''}}`;
}

/** `group 3 {…}`, `no group`, `not listed` — one side of a function's line. */
export function sideText(membership: SideMembership | undefined, label?: (sbdf: string) => string): string {
    if (!membership) return 'not listed';
    if (membership.group === null) return 'no group';
    return `group ${membership.group} ${memberSet(membership.members, label)}`;
}

function inSide(membership: SideMembership | undefined, label?: (sbdf: string) => string): string {
    return membership?.group === null || !membership ? 'with no group' : `in ${sideText(membership, label)}`;
}

/**
 * The one-sentence reason for a function that does not agree, naming both sides' members with
 * the platform's names: the message of the editor's COMPARE-* diagnostics.
 */
export function disagreementMessage(f: FunctionComparison, nameOf: (sbdf: string) => string | undefined): string {
    const label = (sbdf: string) => {
        const name = nameOf(sbdf);
        return name ? `${sbdf} ${name}` : `${sbdf} (not in the platform)`;
    };
    const who = f.name ? `${f.name} (${f.sbdf})` : f.sbdf;
    switch (f.verdict) {
        case 'differs':
            return `the IOMMU group of ${who} differs from the real machine's: predicted ${sideText(f.predicted, label)}, real ${sideText(f.real, label)}`;
        case 'only-predicted':
            return `${who} is predicted ${inSide(f.predicted, label)}, but the real machine's listing does not name ${f.sbdf}`;
        case 'only-real':
            return `the real machine has ${f.sbdf}${f.real?.description ? ` (${f.real.description})` : ''} ${inSide(f.real, label)}, but the platform has no function at ${f.sbdf}`;
        case 'agree':
            return `${who} is ${inSide(f.predicted, label)} as on the real machine`;
    }
}

/** The warning for a function whose real device has other IDs than the declared ones. */
export function idsMessage(f: FunctionComparison): string | undefined {
    if (!f.idsDiffer) return undefined;
    return `the real machine has [${f.idsDiffer.real}] at ${f.sbdf}${f.real?.description ? ` (${f.real.description})` : ''}, but the platform declares ${f.name ?? 'a function'} there as [${f.idsDiffer.declared}]: it may describe another device`;
}
