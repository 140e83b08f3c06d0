// Output stays bounded whatever the input: one cause can produce a finding per object it touches
// (one bad bus-range on a PF with 65,535 VFs gave 65,535 XEN-VF-BEFORE-PF findings and 40 MB of
// JSON). So a platform (or a file, for the language's findings) reports at most
// MAX_FINDINGS_PER_CODE findings of one code, and one FINDINGS-OMITTED finding per capped code
// says how many more there were. The first ones, in the order the rules report them, are kept.
import { finding, type Finding } from './finding.js';
import type { FindingCode } from './codes.js';
import type { SourceLoc } from '../model/source.js';

export const MAX_FINDINGS_PER_CODE = 100;

/** The message of the summary of `omitted` findings of `code` beyond the cap, in `scope` ("platform p"). */
export function omittedMessage(code: string, omitted: number, scope: string): string {
    return `${omitted} more ${code} finding${omitted === 1 ? '' : 's'} on ${scope} not shown (the first ${MAX_FINDINGS_PER_CODE} are reported); they usually share one cause.`;
}

/**
 * `findings` with at most MAX_FINDINGS_PER_CODE of each code, plus a FINDINGS-OMITTED finding for
 * each capped code, at `loc` (the platform) with the first omitted finding as related location.
 */
export function capFindings(findings: readonly Finding[], scope: string, loc: SourceLoc | undefined): Finding[] {
    const counts = new Map<FindingCode, number>();
    const firstOmitted = new Map<FindingCode, Finding>();
    const kept: Finding[] = [];
    for (const f of findings) {
        const n = (counts.get(f.code) ?? 0) + 1;
        counts.set(f.code, n);
        if (n <= MAX_FINDINGS_PER_CODE) kept.push(f);
        else if (n === MAX_FINDINGS_PER_CODE + 1) firstOmitted.set(f.code, f);
    }
    for (const [code, first] of firstOmitted) {
        const related = first.loc ? [{ loc: first.loc, message: `the first ${code} not shown` }] : [];
        kept.push(finding('FINDINGS-OMITTED', omittedMessage(code, counts.get(code)! - MAX_FINDINGS_PER_CODE, scope), loc ?? first.loc, related));
    }
    return kept;
}
