// The findings a command prints: the loader's and the simulations', without repeats, in the
// stable printing order.
import { compareFindings, type Finding, type Severity } from '../findings/finding.js';

function keyOf(f: Finding): string {
    return JSON.stringify([f.code, f.severity, f.message, f.loc ?? null, f.related]);
}

/** Drops findings identical (code, severity, message, location, related) to an earlier one, then sorts. */
export function collectFindings(...lists: readonly (readonly Finding[])[]): Finding[] {
    const seen = new Set<string>();
    const result: Finding[] = [];
    for (const list of lists) {
        for (const f of list) {
            const key = keyOf(f);
            if (seen.has(key)) continue;
            seen.add(key);
            result.push(f);
        }
    }
    return result.sort(compareFindings);
}

/**
 * The simulation's findings without those at the start of a language error: a finding the
 * engine makes of what the language already rejected (an unresolved name, a missing property)
 * is that error's consequence (one cause, one finding).
 */
export function withoutConsequences(language: readonly Finding[], simulated: readonly Finding[]): Finding[] {
    const at = (f: Finding) => (f.loc ? `${f.loc.uri}#${f.loc.start.line}:${f.loc.start.character}` : undefined);
    const errors = new Set(language.filter((f) => f.severity === 'error').flatMap((f) => at(f) ?? []));
    if (errors.size === 0) return [...simulated];
    return simulated.filter((f) => !errors.has(at(f) ?? ''));
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
    const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
    for (const f of findings) counts[f.severity]++;
    return counts;
}
