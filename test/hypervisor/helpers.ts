// Shared helpers for hypervisor and scenario tests: simulate a platform text under a profile on
// the real fabric (real-input.ts) and look at the trace, findings and locations.
import { expect } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import type { HypervisorResult, TraceEvent } from '../../src/hypervisor/result.js';
import type { Profile } from '../../src/model/platform.js';
import type { SourceLoc } from '../../src/model/source.js';
import { simulateHypervisor } from '../../src/scenario/simulate-hypervisor.js';
import { traceLine } from '../../src/scenario/trace-text.js';
import { platformFromText } from '../helpers/platforms.js';
import { realInput, type RealInput } from './real-input.js';

export interface Run {
    text: string;
    result: HypervisorResult;
    /** What the hypervisor layer was given, and the fabric it came from. */
    real: RealInput;
}

export async function run(text: string, profile: Profile, options: { scenario?: string } = {}): Promise<Run> {
    const platform = await platformFromText(text);
    const real = realInput(platform, { profile, scenario: options.scenario });
    return { text, result: simulateHypervisor(real.input, options.scenario), real };
}

/** The source text a location covers. */
export function textAt(text: string, loc: SourceLoc | undefined): string {
    if (!loc) return '';
    const lines = text.split('\n');
    const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
    return text.slice(offset(loc.start), offset(loc.end));
}

/** First line of the text a finding points at. */
export function at(r: Run, f: Finding | undefined): string {
    return textAt(r.text, f?.loc).split('\n')[0]!.trim();
}

export function codes(r: Run): string[] {
    return r.result.findings.map((f) => f.code);
}

export function only(r: Run, code: string): Finding {
    const found = r.result.findings.filter((f) => f.code === code);
    expect(found.map((f) => f.message), `findings ${code}`).toHaveLength(1);
    return found[0]!;
}

export function events(r: Run, event: string, args: Record<string, string> = {}): TraceEvent[] {
    return r.result.trace.filter((e) => e.event === event && Object.entries(args).every(([k, v]) => e.args[k] === v));
}

export function lines(r: Run): string[] {
    return r.result.trace.map(traceLine);
}

/** Asserts that `needles` appear in the trace lines in this order (each a substring of a line). */
export function expectInOrder(r: Run, needles: string[]): void {
    expectLinesInOrder(lines(r), needles);
}

/** Asserts that `needles` appear in `all` in this order (each a substring of a line). */
export function expectLinesInOrder(all: string[], needles: string[]): void {
    let from = 0;
    for (const needle of needles) {
        const index = all.findIndex((l, i) => i >= from && l.includes(needle));
        expect(index, `"${needle}" after line ${from}:\n${all.slice(from, from + 40).join('\n')}`).toBeGreaterThanOrEqual(0);
        from = index + 1;
    }
}
