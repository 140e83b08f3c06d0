// The VS Code-free half of "pciplat: Compare with the real machine…": the server's pciplat/compare
// answer turned into what the Problems panel shows (diagnostics per file, with their code,
// message, range and related locations) and the one-line outcome for the notification. Plain
// data, so it is unit-tested without VS Code (test/extension/compare-model.test.ts).
import type { CompareResult, SourceRange } from './protocol.js';

/** The `source` of every comparison diagnostic (what the Problems panel shows next to the code). */
export const COMPARE_SOURCE = 'pciplat compare';

export interface CompareDiagnostic {
    range: SourceRange['range'];
    severity: 'error' | 'warning';
    code: string;
    message: string;
    related: { uri: string; range: SourceRange['range']; message: string }[];
}

/** Diagnostics by document URI: the platform's functions that disagree, and REAL's own problems. */
export function compareDiagnostics(result: CompareResult): Map<string, CompareDiagnostic[]> {
    const byUri = new Map<string, CompareDiagnostic[]>();
    const add = (uri: string, d: CompareDiagnostic) => {
        const list = byUri.get(uri);
        if (list) list.push(d);
        else byUri.set(uri, [d]);
    };
    for (const f of result.functions) {
        if (f.idsDiffer && f.loc) add(f.loc.uri, { range: f.loc.range, severity: 'warning', code: f.idsDiffer.code, message: f.idsDiffer.message, related: f.realLoc ? [{ uri: f.realLoc.uri, range: f.realLoc.range, message: `the real machine's listing: [${f.idsDiffer.real}] at ${f.sbdf}` }] : [] });
        if (!f.code || !f.message || !f.loc) continue;
        add(f.loc.uri, {
            range: f.loc.range,
            severity: 'error',
            code: f.code,
            message: f.message,
            related: (f.related ?? []).map((r) => ({ uri: r.loc.uri, range: r.loc.range, message: r.message })),
        });
    }
    const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    for (const p of result.problems) add(p.loc?.uri ?? result.real.uri, { range: p.loc?.range ?? top, severity: 'error', code: p.code, message: p.message, related: [] });
    return byUri;
}

export interface CompareOutcome {
    /** `info` on full agreement, `warning` when something differs, `error` when REAL is unusable. */
    level: 'info' | 'warning' | 'error';
    message: string;
}

/** The notification after a comparison. */
export function compareOutcome(result: CompareResult, realName: string): CompareOutcome {
    if (result.problems.length > 0) {
        const first = result.problems[0]!;
        const more = result.problems.length > 1 ? ` (and ${result.problems.length - 1} more problem${result.problems.length === 2 ? '' : 's'})` : '';
        return { level: 'error', message: `pciplat: ${realName} is not a usable listing of IOMMU groups: ${first.code} ${first.message}${more}` };
    }
    if (result.agreement) return { level: 'info', message: `pciplat: ${result.platform} agrees with the real machine's IOMMU groups in ${realName} (${result.summaryText})` };
    return { level: 'warning', message: `pciplat: ${result.platform} does not match the real machine's IOMMU groups in ${realName}: ${result.summaryText}` };
}
