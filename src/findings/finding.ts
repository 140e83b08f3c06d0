import type { SourceLoc } from '../model/source.js';
import { CODES, type FindingCode } from './codes.js';

export type Severity = 'error' | 'warning' | 'info';

/** The other party of a finding: the other BAR, the map entry, the group member. */
export interface RelatedLoc {
    loc: SourceLoc;
    message: string;
}

export interface Finding {
    code: FindingCode;
    severity: Severity;
    message: string;
    /** The thing at fault. Absent only for findings about the invocation itself (no file). */
    loc?: SourceLoc;
    related: RelatedLoc[];
    /** A scenario's finding: the 1-based step it arose at (absent: at boot of the implicit scenario or outside the steps). */
    step?: number;
    /** Found by playing this written scenario (set by `simulate` with `everyScenario`). */
    scenario?: string;
}

/** A finding with the catalogue's severity unless the rule overrides it (profile-dependent). */
export function finding(
    code: FindingCode,
    message: string,
    loc: SourceLoc | undefined,
    related: RelatedLoc[] = [],
    severity: Severity = CODES[code].severity,
): Finding {
    return { code, severity, message, loc, related };
}

export function hasErrors(findings: readonly Finding[]): boolean {
    return findings.some((f) => f.severity === 'error');
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Stable order for printing: by file, position, then code. */
export function compareFindings(a: Finding, b: Finding): number {
    const ua = a.loc?.uri ?? '';
    const ub = b.loc?.uri ?? '';
    if (ua !== ub) return ua < ub ? -1 : 1;
    const la = a.loc?.start ?? { line: -1, character: -1 };
    const lb = b.loc?.start ?? { line: -1, character: -1 };
    if (la.line !== lb.line) return la.line - lb.line;
    if (la.character !== lb.character) return la.character - lb.character;
    if (a.severity !== b.severity) return SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity];
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}
