// The human format. Findings: one a line, compiler style, so editors and `grep` understand them:
//
//   examples/a.pciplat:12:5: error: PCI-BAR-SIZE-POW2 BAR 0 of nic is 0x3000 bytes, ...
//       examples/a.pciplat:9:3: note: the host bridge window
//
// Lines and columns are 1-based (columns count UTF-16 code units, as editors do); paths are
// relative to the working directory. The summary line (`N errors, M warnings`) is not part of
// this text: the CLI writes it to stderr so stdout holds only the report and findings.
import type { DomainResult } from '../hypervisor/result.js';
import { traceText } from '../scenario/trace-text.js';
import type { Finding } from '../findings/finding.js';
import type { SourceLoc } from '../model/source.js';
import type { BarResult, FunctionResult, SimulationResult } from '../engine/result.js';
import { requesterId } from '../engine/result.js';
import { countBySeverity } from './findings.js';
import { displayPath } from './paths.js';

/** `file:line:col` (1-based). */
export function formatLoc(loc: SourceLoc, cwd: string): string {
    return `${displayPath(loc.uri, cwd)}:${loc.start.line + 1}:${loc.start.character + 1}`;
}

/** One finding and its related locations, each line ending in a newline. */
export function formatFindingText(f: Finding, cwd: string): string {
    const where = f.loc ? formatLoc(f.loc, cwd) : 'pciplat';
    let text = `${where}: ${f.severity}: ${f.code} ${f.message}\n`;
    for (const r of f.related) text += `    ${formatLoc(r.loc, cwd)}: note: ${r.message}\n`;
    return text;
}

/** The findings in the order given (the CLI sorts them with compareFindings first). */
export function formatFindingsText(findings: readonly Finding[], cwd: string): string {
    return findings.map((f) => formatFindingText(f, cwd)).join('');
}

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `2 errors, 1 warning` (the CLI's stderr summary; info findings are not counted). */
export function summaryLine(findings: readonly Finding[]): string {
    const counts = countBySeverity(findings);
    return `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}\n`;
}

// --- simulation report -------------------------------------------------------------------------

export function hex(value: bigint, digits = 0): string {
    return `0x${value.toString(16).padStart(digits, '0')}`;
}

function hexDigits(value: bigint, digits: number): string {
    return value.toString(16).padStart(digits, '0');
}

/**
 * `ssss:bb:dd.f` as Linux prints it (ARI functions above 7 shown through their devfn, as lspci
 * does), or `ssss:??:dd.f` while the bus is unknown (the segment always is known).
 */
export function formatSbdf(f: Pick<FunctionResult, 'segment' | 'bus' | 'device' | 'fn'>): string {
    const devfn = (f.device << 3n) | f.fn;
    const df = `${hexDigits(devfn >> 3n, 2)}.${(devfn & 7n).toString(16)}`;
    if (f.bus === undefined) return `${hexDigits(f.segment, 4)}:??:${df}`;
    return `${hexDigits(f.segment, 4)}:${hexDigits(f.bus, 2)}:${df}`;
}

/** `0x0100`, or `????` while the bus is unknown. */
export function formatRid(f: Pick<FunctionResult, 'bus' | 'device' | 'fn'>): string {
    const rid = requesterId(f);
    return rid === undefined ? '????' : hex(rid, 4);
}

/** `bar0 mem64 pref size 0x4000 at 0x8000000000` (`at ?` when not placed). */
export function formatBar(b: BarResult): string {
    const pref = b.prefetchable ? ' pref' : '';
    const at = b.address === undefined ? '?' : hex(b.address);
    return `bar${b.index} ${b.kind}${pref} size ${hex(b.size)} at ${at}`;
}

/** `group 3`, or `no group` when the function has none (no IOMMU, or refused). */
export function formatGroup(f: Pick<FunctionResult, 'group'>): string {
    return f.group === null ? 'no group' : `group ${f.group}`;
}

/** `sid smmu0:0x100,0x200` and `did gits0:0x100`: the IDs the IOMMU and ITS see. */
export function formatIds(f: Pick<FunctionResult, 'streamIds' | 'deviceIds'>): string {
    const by = (items: { owner: string; id: bigint }[]) => {
        const owners = new Map<string, string[]>();
        for (const { owner, id } of items) owners.set(owner, [...(owners.get(owner) ?? []), hex(id)]);
        return [...owners].map(([owner, ids]) => `${owner}:${ids.join(',')}`).join(' ');
    };
    const parts: string[] = [];
    if (f.streamIds.length > 0) parts.push(`sid ${by(f.streamIds.map((s) => ({ owner: s.iommu, id: s.id })))}`);
    if (f.deviceIds.length > 0) parts.push(`did ${by(f.deviceIds.map((d) => ({ owner: d.its, id: d.id })))}`);
    return parts.join('  ');
}

/** `buses 01-04  mem 0x10000000-0x101fffff` for bridges; empty otherwise. */
export function formatBridge(f: Pick<FunctionResult, 'bridge'>): string {
    if (!f.bridge) return '';
    const buses = `buses ${hexDigits(f.bridge.secondary, 2)}-${hexDigits(f.bridge.subordinate, 2)}`;
    return [buses, ...f.bridge.windows.map((w) => `${w.window} ${hex(w.start)}-${hex(w.end)}`)].join('  ');
}

/** Columns of one function line; later layers append columns here. */
export function functionColumns(f: FunctionResult): string[] {
    if (f.invisible !== undefined) return [f.name, f.kind, formatSbdf(f), `not enumerated: ${f.invisible}`];
    const details = [formatBridge(f), f.bars.map(formatBar).join(', '), formatIds(f)].filter((d) => d !== '').join('  ');
    return [f.name, f.kind, formatSbdf(f), `rid ${formatRid(f)}`, formatGroup(f), details];
}

/**
 * Cells longer than this do not widen their column: the rows around them stay aligned, and one
 * huge cell (a 198 KB name from a fuzzer: seed 20261205, input 26,848) is not repeated as padding
 * on every row (it made 256 rows 50 MB).
 */
export const MAX_COLUMN_WIDTH = 64;

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(rows: readonly string[][], indent = '  '): string {
    const widths: number[] = [];
    for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length <= MAX_COLUMN_WIDTH ? cell.length : 0)));
    return rows
        .map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd() + '\n')
        .join('');
}

/** A guest: its devices with guest SBDF and BARs, and the xl.cfg lines or QEMU options. */
export function formatDomain(d: DomainResult): string {
    const state = d.running ? 'running' : 'stopped';
    let text = `${d.hypervisor === 'kvm' ? 'vm' : 'domain'} ${d.name} (${state}${d.domid !== undefined ? `, domid ${d.domid}` : ''}):\n`;
    const rows = d.devices.map((dev) => {
        const bars = d.guestBars.filter((b) => b.device === dev).map((b) => `bar${b.bar === 'rom' ? ' rom' : b.bar} ${b.guest === undefined ? (b.note ?? '-') : `${hex(b.guest)} (host ${b.host === undefined ? '?' : hex(b.host)})`}`);
        return [dev, d.guestSbdf[dev] ?? '', bars.join(', ')];
    });
    if (rows.length > 0) text += table(rows, '    ');
    for (const line of [...d.xlConfig, ...d.qemuArgs]) text += `    ${line}\n`;
    return text;
}

export interface TextReportOptions {
    scenario?: string;
}

/**
 * The simulation report: header, one line per function, then (after a blank line) the findings.
 * The findings are taken from the caller, already de-duplicated and sorted.
 */
export function formatSimulationText(result: SimulationResult, findings: readonly Finding[], cwd: string, options: TextReportOptions = {}): string {
    let text = `platform ${result.platform}\nprofile ${result.profile}\n`;
    if (options.scenario !== undefined) text += `scenario ${options.scenario}\n`;
    if (result.functions.length === 0) text += 'functions: none\n';
    else text += `functions:\n${table(result.functions.map(functionColumns))}`;
    if (result.groups.length > 0) text += `iommu groups:\n${table(result.groups.map((g) => [`${g.id}:`, g.members.join(' ')]))}`;
    for (const d of result.domains) text += formatDomain(d);
    // The trace reads like a boot log; it is printed when a scenario is asked for by name.
    if (options.scenario !== undefined && result.trace.length > 0) text += `trace:\n${traceText(result.trace).map((line) => `  ${line}\n`).join('')}${traceLeftOutLine(result)}`;
    if (findings.length > 0) text += `\n${formatFindingsText(findings, cwd)}`;
    return text;
}

/** The trace's last line when it was cut (hypervisor/state.ts, MAX_TRACE_EVENTS). */
function traceLeftOutLine(result: SimulationResult): string {
    const n = result.traceLeftOut ?? 0;
    return n > 0 ? `  ... ${n} more events left out (the trace keeps its first ${result.trace.length})\n` : '';
}
