// The Simulation view's content, computed from a `pciplat/simulate` result without VS Code: a tree
// of summary, findings, trace steps and their events, guests and IOMMU groups. Pure, so it is
// unit-tested in Node (test/extension/trace-model.test.ts); trace-view.ts turns it into TreeItems.
import type { JsonFinding, JsonTraceEvent, RichSimulateResult } from './protocol.js';

export type Verbosity = 'off' | 'steps' | 'events';

/** Where a node points: CLI-style (1-based, file relative to the document's folder) or LSP-style. */
export type NodeLocation =
    | { kind: 'relative'; file: string; line: number; column: number; endLine?: number; endColumn?: number }
    | { kind: 'lsp'; uri: string; start: { line: number; character: number }; end: { line: number; character: number } };

export type NodeIcon = 'summary' | 'error' | 'warning' | 'info' | 'pass' | 'step' | 'event' | 'section' | 'guest' | 'group' | 'device' | 'related' | 'note';

export interface TraceNode {
    id: string;
    label: string;
    description?: string;
    tooltip?: string;
    icon: NodeIcon;
    location?: NodeLocation;
    children?: TraceNode[];
    /** Expanded when first shown. */
    expanded?: boolean;
}

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function findingLocation(f: { file: string | null; line: number | null; column: number | null; endLine?: number | null; endColumn?: number | null }): NodeLocation | undefined {
    if (f.file === null || f.file === undefined || f.line === null || f.line === undefined) return undefined;
    return { kind: 'relative', file: f.file, line: f.line, column: f.column ?? 1, endLine: f.endLine ?? undefined, endColumn: f.endColumn ?? undefined };
}

function eventLocation(e: JsonTraceEvent): NodeLocation | undefined {
    if (e.loc && typeof e.loc.uri === 'string') return { kind: 'lsp', uri: e.loc.uri, start: e.loc.start, end: e.loc.end };
    if (typeof e.file === 'string' && typeof e.line === 'number') return findingLocation({ file: e.file, line: e.line, column: e.column ?? 1, endLine: e.endLine, endColumn: e.endColumn });
    return undefined;
}

export function severityCounts(findings: readonly JsonFinding[]): { errors: number; warnings: number; infos: number } {
    let errors = 0;
    let warnings = 0;
    let infos = 0;
    for (const f of findings) {
        if (f.severity === 'error') errors++;
        else if (f.severity === 'warning') warnings++;
        else infos++;
    }
    return { errors, warnings, infos };
}

export function findingsSummary(findings: readonly JsonFinding[]): string {
    if (findings.length === 0) return 'no findings';
    const { errors, warnings, infos } = severityCounts(findings);
    const parts = [errors && plural(errors, 'error'), warnings && plural(warnings, 'warning'), infos && plural(infos, 'note')].filter(Boolean);
    return parts.join(', ');
}

/** `key=value` pairs of a trace event, as the CLI prints them. */
export function eventArgs(e: JsonTraceEvent): string {
    return Object.entries(e.args ?? {})
        .map(([k, v]) => `${k}=${/[\s,]/.test(v) ? JSON.stringify(v) : v}`)
        .join(' ');
}

export interface TraceTreeOptions {
    verbosity: Verbosity;
    /** Milliseconds the request took (client-measured). */
    millis?: number;
    /** When it finished (for the summary). */
    finishedAt?: Date;
}

/** The Simulation view's tree for one result. */
export function traceTree(result: RichSimulateResult, options: TraceTreeOptions): TraceNode[] {
    const nodes: TraceNode[] = [];
    const findings = Array.isArray(result.findings) ? result.findings : [];
    const scenario = result.scenario ?? 'implicit scenario (boot, start every guest)';
    const functions = Array.isArray(result.functions) ? result.functions.length : 0;
    const when = options.finishedAt ? ` at ${options.finishedAt.toLocaleTimeString()}` : '';
    const took = options.millis !== undefined ? ` in ${formatMillis(options.millis)}` : '';
    nodes.push({
        id: 'summary',
        label: `${result.platform}`,
        description: `${result.profile} · ${scenario}`,
        tooltip: `Platform ${result.platform}, profile ${result.profile}, ${scenario}: ${plural(functions, 'function')}, ${findingsSummary(findings)}; simulated${when}${took}.`,
        icon: 'summary',
        children: [
            { id: 'summary/functions', label: plural(functions, 'PCI function'), icon: 'note' },
            { id: 'summary/findings', label: findingsSummary(findings), icon: findings.length === 0 ? 'pass' : severityCounts(findings).errors > 0 ? 'error' : 'warning' },
            ...(when || took ? [{ id: 'summary/when', label: `simulated${when}${took}`, icon: 'note' as const }] : []),
        ],
    });

    nodes.push({
        id: 'findings',
        label: 'Findings',
        description: findings.length === 0 ? 'none' : findingsSummary(findings),
        icon: findings.length === 0 ? 'pass' : 'section',
        expanded: findings.length > 0 && findings.length <= 50,
        children: findings.map((f, i) => ({
            id: `findings/${i}`,
            label: f.code,
            description: f.message,
            tooltip: `${f.severity}: ${f.code}\n${f.message}${f.file ? `\n${f.file}:${f.line ?? '?'}:${f.column ?? '?'}` : ''}`,
            icon: f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'info',
            location: findingLocation(f),
            children:
                f.related.length > 0
                    ? f.related.map((r, j) => ({ id: `findings/${i}/related/${j}`, label: r.message, description: r.file ? `${r.file}:${r.line ?? '?'}` : undefined, icon: 'related' as const, location: findingLocation(r) }))
                    : undefined,
        })),
    });

    if (options.verbosity !== 'off') {
        const trace = Array.isArray(result.trace) ? result.trace : undefined;
        if (!trace) {
            nodes.push({ id: 'trace', label: 'Trace', description: 'not reported', tooltip: 'This simulator version reports no trace of hypervisor events (the `trace` field of pciplat/simulate).', icon: 'note' });
        } else {
            const steps = new Map<number, JsonTraceEvent[]>();
            for (const e of trace) {
                const list = steps.get(e.step) ?? [];
                list.push(e);
                steps.set(e.step, list);
            }
            nodes.push({
                id: 'trace',
                label: 'Trace',
                description: `${plural(steps.size, 'step')}, ${plural(trace.length, 'event')}${result.traceLeftOut ? ` (${result.traceLeftOut} more left out)` : ''}`,
                icon: 'section',
                expanded: true,
                children: [...steps.entries()].map(([step, events]) => {
                    const first = events[0]!;
                    const stepFindings = findings.filter((f) => stepOfFinding(f) === step);
                    return {
                        id: `trace/${step}`,
                        label: `${step}. ${first.stepKind}`,
                        description: `${plural(events.length, 'event')}${stepFindings.length ? ` · ${plural(stepFindings.length, 'finding')}` : ''}`,
                        icon: 'step' as const,
                        location: eventLocation(first),
                        children:
                            options.verbosity === 'events'
                                ? events.map((e, k) => ({
                                      id: `trace/${step}/${k}`,
                                      label: e.event,
                                      description: eventArgs(e),
                                      tooltip: `[${e.step} ${e.stepKind}] ${e.event} ${eventArgs(e)}`,
                                      icon: 'event' as const,
                                      location: eventLocation(e),
                                  }))
                                : undefined,
                    };
                }),
            });
        }
    }

    if (Array.isArray(result.domains) && result.domains.length > 0) {
        nodes.push({
            id: 'guests',
            label: 'Guests',
            description: plural(result.domains.length, 'guest'),
            icon: 'section',
            children: result.domains.map((d) => {
                const devices = d.devices ?? [];
                const state = d.running === undefined ? '' : d.running ? 'running' : 'stopped';
                const domid = typeof d.domid === 'number' ? `domid ${d.domid}` : '';
                return {
                    id: `guests/${d.name}`,
                    label: d.name,
                    description: [state, domid, plural(devices.length, 'device')].filter(Boolean).join(' · '),
                    icon: 'guest' as const,
                    children: devices.map((dev) => {
                        const bars = (d.guestBars ?? []).filter((b) => b.device === dev);
                        return {
                            id: `guests/${d.name}/${dev}`,
                            label: dev,
                            description: d.guestSbdf?.[dev] ? `guest ${d.guestSbdf[dev]}` : undefined,
                            icon: 'device' as const,
                            children: bars.length
                                ? bars.map((b) => ({
                                      id: `guests/${d.name}/${dev}/${b.bar}`,
                                      label: b.bar === 'rom' ? 'ROM' : `BAR ${b.bar}`,
                                      description: `${b.kind}${b.prefetchable ? ' prefetch' : ''} ${b.size}${b.guest ? ` → guest ${b.guest}` : ''}${b.host ? ` (host ${b.host})` : ''}${b.note ? ` · ${b.note}` : ''}`,
                                      icon: 'note' as const,
                                  }))
                                : undefined,
                        };
                    }),
                };
            }),
        });
    }

    const groups = Array.isArray(result.groups) ? result.groups : [];
    if (groups.length > 0) {
        nodes.push({
            id: 'groups',
            label: 'IOMMU groups',
            description: plural(groups.length, 'group'),
            icon: 'section',
            children: groups.map((g) => ({ id: `groups/${g.id}`, label: `group ${g.id}`, description: g.members.join(', '), icon: 'group' as const })),
        });
    }
    return nodes;
}

/** Scenario findings name their step in the message ("step 3"); used to count findings per step. */
function stepOfFinding(f: JsonFinding): number | undefined {
    const m = /\bstep (\d+)\b/.exec(f.message);
    return m ? Number(m[1]) : undefined;
}

export function formatMillis(ms: number): string {
    if (ms < 1000) return `${Math.round(ms)} ms`;
    return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** Plain-text report of a result for the output channel. */
export function traceText(result: RichSimulateResult, verbosity: Verbosity): string[] {
    const lines: string[] = [];
    const findings = Array.isArray(result.findings) ? result.findings : [];
    lines.push(`platform ${result.platform} · profile ${result.profile} · ${result.scenario ?? 'implicit scenario'} · ${findingsSummary(findings)}`);
    if (verbosity !== 'off' && Array.isArray(result.trace)) {
        for (const e of result.trace) {
            if (verbosity === 'steps' && result.trace.find((x) => x.step === e.step) !== e) continue;
            lines.push(verbosity === 'steps' ? `  [${e.step}] ${e.stepKind}` : `  [${e.step} ${e.stepKind}] ${e.event}${e.args && Object.keys(e.args).length ? ` ${eventArgs(e)}` : ''}`);
        }
        if (result.traceLeftOut) lines.push(`  ... ${result.traceLeftOut} more events left out (the trace keeps its first ${result.trace.length})`);
    }
    for (const f of findings) {
        lines.push(`  ${f.file ?? '?'}:${f.line ?? '?'}:${f.column ?? '?'}: ${f.severity} ${f.code}: ${f.message}`);
    }
    return lines;
}
