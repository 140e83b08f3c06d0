// pciplat/compare: the platform's predicted IOMMU groups against the real machine's, as the
// client shows them (Problems panel): the comparison of src/compare/groups.ts (the same as
// `pciplat compare`), with each function that does not agree turned into a diagnostic's code,
// message and related locations in the platform and in the real listing.
import { compareGroups, declaredIdsOf, disagreementMessage, idsMessage, type FunctionComparison, type Verdict } from '../src/compare/groups.js';
import { compareSummary } from '../src/cli/format-compare.js';
import type { SimulationResult } from '../src/engine/result.js';
import type { RealGroups } from '../src/import/iommu-groups.js';
import type * as m from '../src/model/platform.js';
import type { SourceLoc } from '../src/model/source.js';
import { allFunctions } from '../src/model/walk.js';
import type { CompareCode, CompareFunction, CompareResult, SourceRange } from './protocol.js';

/** Related locations per diagnostic, at most (a group of hundreds stays readable). */
const MAX_RELATED = 16;

const CODE_OF: Record<Exclude<Verdict, 'agree'>, CompareCode> = {
    differs: 'COMPARE-GROUP-DIFFERS',
    'only-predicted': 'COMPARE-ONLY-PREDICTED',
    'only-real': 'COMPARE-ONLY-REAL',
};

function range(loc: SourceLoc | undefined): SourceRange | undefined {
    return loc && { uri: loc.uri, range: { start: loc.start, end: loc.end } };
}

/** The name of every declared function (a VF: its PF's), so diagnostics underline a name, not a block. */
function nameLocs(platform: m.Platform): Map<string, SourceLoc> {
    const locs = new Map<string, SourceLoc>();
    for (const f of allFunctions(platform.hostBridges.flatMap((hb) => hb.functions))) locs.set(f.name, f.nameLoc);
    return locs;
}

/** Where a function the platform lacks would be: the host bridge of its segment and bus, else the platform's first line. */
function homeOf(platform: m.Platform, sbdf: string): SourceLoc {
    const [segment, bus] = sbdf.split(':').map((part) => BigInt(`0x${part}`)) as [bigint, bigint];
    const hb = platform.hostBridges.find((h, index) => (h.segment ?? BigInt(index)) === segment && bus >= h.busStart && bus <= h.busEnd);
    if (hb) return hb.nameLoc;
    const start = platform.loc.start;
    return { uri: platform.loc.uri, start, end: { line: start.line, character: start.character + 'platform'.length } };
}

export function compareResultOf(platform: m.Platform, result: SimulationResult, real: RealGroups, documentUri: string, realUri: string, versions: Record<string, number>): CompareResult {
    const comparison = compareGroups(result, real, declaredIdsOf(platform));
    const names = nameLocs(platform);
    const bySbdf = new Map(comparison.functions.map((f) => [f.sbdf, f]));
    const locOf = (f: FunctionComparison): SourceLoc | undefined => (f.name ? (names.get(f.name) ?? names.get(f.name.replace(/\.vf\[\d+\]$/, '')) ?? f.loc) : homeOf(platform, f.sbdf));
    const nameOf = (sbdf: string) => bySbdf.get(sbdf)?.name;

    const functions = comparison.functions.map((f): CompareFunction => {
        const out: CompareFunction = {
            sbdf: f.sbdf,
            name: f.name ?? null,
            verdict: f.verdict,
            predicted: f.predicted ? { group: f.predicted.group } : null,
            real: f.real ? { group: f.real.group, description: f.real.description ?? null } : null,
            loc: range(locOf(f)),
            realLoc: range(f.realLoc),
            ...(f.idsDiffer ? { idsDiffer: { ...f.idsDiffer, code: 'COMPARE-IDS-DIFFER' as const, message: idsMessage(f)! } } : {}),
        };
        if (f.verdict === 'agree') return out;
        const related: { loc: SourceRange; message: string }[] = [];
        if (f.realLoc) related.push({ loc: range(f.realLoc)!, message: `the real machine's listing: ${f.sbdf} in ${f.real?.group === null ? 'no group' : `group ${f.real?.group}`}` });
        for (const member of f.predicted?.members ?? []) {
            if (related.length >= MAX_RELATED) break;
            const other = bySbdf.get(member);
            const loc = other && other.sbdf !== f.sbdf ? locOf(other) : undefined;
            if (loc) related.push({ loc: range(loc)!, message: `${other!.name ?? member} (${member}): predicted in the same group` });
        }
        return { ...out, code: CODE_OF[f.verdict], message: disagreementMessage(f, nameOf), related };
    });
    const n = comparison.counts;
    return {
        uri: documentUri,
        versions,
        platform: platform.name,
        real: { uri: realUri, form: real.form, groups: comparison.realGroups, listsUngrouped: real.listsUngrouped, otherDevices: real.otherDevices },
        agreement: n.agree === comparison.functions.length,
        summary: { functions: comparison.functions.length, agree: n.agree, differs: n.differs, onlyPredicted: n['only-predicted'], onlyReal: n['only-real'], idsDiffer: comparison.idsDiffer },
        summaryText: compareSummary(comparison),
        functions,
        groups: comparison.groups,
        problems: [],
    };
}

/** A REAL that is no usable listing: its GROUPS-* findings, nothing compared. */
export function unusableRealResult(platform: m.Platform, real: RealGroups, documentUri: string, realUri: string, versions: Record<string, number>): CompareResult {
    return {
        uri: documentUri,
        versions,
        platform: platform.name,
        real: { uri: realUri, form: real.form, groups: 0, listsUngrouped: real.listsUngrouped, otherDevices: real.otherDevices },
        agreement: false,
        summary: { functions: 0, agree: 0, differs: 0, onlyPredicted: 0, onlyReal: 0, idsDiffer: 0 },
        summaryText: `${realUri} is not a usable listing of IOMMU groups; nothing compared`,
        functions: [],
        groups: { predicted: [], real: [] },
        problems: real.findings.map((f) => ({ code: f.code, message: f.message, ...(f.loc ? { loc: range(f.loc) } : {}) })),
    };
}
