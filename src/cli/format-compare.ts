// `pciplat compare` in text and JSON. Text: a header naming both sides, one line per function
// (SBDF, the platform's name, the verdict, the membership on each side as a set of SBDFs) and the
// summary line:
//
//   0000:00:02.0  rp2          differs         predicted group 1 {0000:00:02.0, 0000:02:00.0}  real group 1 {0000:00:02.0}
//   0000:01:02.0  virtio_net0  agree           no group
//   19 functions: 17 agree, 2 differ, 0 only predicted, 0 only real
import { memberSet, sideText, type FunctionComparison, type GroupsComparison, type Verdict } from '../compare/groups.js';
import type { GroupsForm } from '../import/iommu-groups.js';
import { position, type JsonObject } from './format-json.js';

const VERDICT_TEXT: Record<Verdict, string> = { agree: 'agree', differs: 'differs', 'only-predicted': 'only predicted', 'only-real': 'only real' };
const FORM_TEXT: Record<GroupsForm, string> = {
    loop: 'output of the iommu_groups loop',
    find: 'output of find /sys/kernel/iommu_groups',
    sysfs: 'sysfs snapshot',
};
/** Names longer than this do not widen the column further. */
const NAME_COLUMN_MAX = 24;

function plural(n: number, word: string, many = `${word}s`): string {
    return `${n} ${n === 1 ? word : many}`;
}

function membership(f: FunctionComparison): string {
    switch (f.verdict) {
        case 'agree':
            return f.predicted?.group === null || !f.predicted ? 'no group' : memberSet(f.predicted.members);
        case 'differs':
            return `predicted ${sideText(f.predicted)}  real ${sideText(f.real)}`;
        case 'only-predicted':
            return `predicted ${sideText(f.predicted)}  real: not listed`;
        case 'only-real':
            return `predicted: not in the platform  real ${sideText(f.real)}${f.real?.description ? `  (${f.real.description})` : ''}`;
    }
}

function idsNote(f: FunctionComparison): string {
    return f.idsDiffer ? `  [real device ${f.idsDiffer.real}, declared ${f.idsDiffer.declared}]` : '';
}

export function compareSummary(c: GroupsComparison): string {
    const n = c.counts;
    const ids = c.idsDiffer > 0 ? `; ${c.idsDiffer} with other vendor:device IDs than declared` : '';
    return `${plural(c.functions.length, 'function')}: ${n.agree} agree, ${plural(n.differs, 'differs', 'differ')}, ${n['only-predicted']} only predicted, ${n['only-real']} only real${ids}`;
}

export function formatCompareText(c: GroupsComparison, platformFile: string, realFile: string): string {
    const width = Math.min(NAME_COLUMN_MAX, Math.max(1, ...c.functions.map((f) => (f.name ?? '-').length)));
    const verdictWidth = Math.max(...Object.values(VERDICT_TEXT).map((v) => v.length));
    const listed = c.form === 'sysfs' && c.listsUngrouped ? 'every PCI function' : 'the PCI functions in a group';
    const others = c.otherDevices > 0 ? `; ${plural(c.otherDevices, 'non-PCI device')} not compared` : '';
    const lines = [
        `Platform ${c.platform} (${platformFile}) against the real machine's IOMMU groups in ${realFile}`,
        `(${FORM_TEXT[c.form]}: ${plural(c.realGroups, 'group')}, listing ${listed}${others}); groups are compared as sets of functions, not by number`,
        '',
        ...c.functions.map((f) => `${f.sbdf}  ${(f.name ?? '-').padEnd(width)}  ${VERDICT_TEXT[f.verdict].padEnd(verdictWidth)}  ${membership(f)}${idsNote(f)}`.trimEnd()),
        '',
        compareSummary(c),
    ];
    return `${lines.join('\n')}\n`;
}

export function compareJson(c: GroupsComparison, platformFile: string, realFile: string, cwd: string): JsonObject {
    // Members are printed once per group (a function names its group): a group of n functions
    // costs n entries, not n².
    return {
        platform: c.platform,
        platformFile,
        real: { file: realFile, form: c.form, groups: c.realGroups, listsUngrouped: c.listsUngrouped, otherDevices: c.otherDevices },
        agreement: c.counts.agree === c.functions.length,
        groups: { predicted: c.groups.predicted.map((g) => ({ ...g })), real: c.groups.real.map((g) => ({ ...g })) },
        summary: { functions: c.functions.length, agree: c.counts.agree, differs: c.counts.differs, onlyPredicted: c.counts['only-predicted'], onlyReal: c.counts['only-real'], idsDiffer: c.idsDiffer },
        functions: c.functions.map((f) => ({
            sbdf: f.sbdf,
            name: f.name ?? null,
            verdict: f.verdict,
            predicted: f.predicted ? { group: f.predicted.group } : null,
            real: f.real ? { group: f.real.group, description: f.real.description ?? null } : null,
            idsDiffer: f.idsDiffer ?? null,
            ...(f.loc ? { declared: position(f.loc, cwd) } : { declared: null }),
            ...(f.realLoc ? { listed: position(f.realLoc, cwd) } : { listed: null }),
        })),
    };
}
