// What the CLI says about files on disk, split the way the language server shows it: the
// language findings (parse, link, checks) and the simulation findings, as comparable keys
// (file URI, 0-based start, code, message). Computed in-process with the CLI's own loader and
// engine (what `pciplat check` prints, before formatting), and the server's latest publishes as
// the same keys.
import { URI } from 'langium';
import { loadWithLangium } from '../../language/workspace/loader.js';
import { collectFindings } from '../../src/cli/findings.js';
import { simulate } from '../../src/engine/simulate.js';
import type { Finding } from '../../src/findings/finding.js';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { TestClient } from '../server/lsp-client.js';

export interface CliView {
    language: Set<string>;
    simulation: Set<string>;
    /** The file has syntax errors (or was rejected): the server keeps its last simulation findings. */
    unparsable: boolean;
}

/** Codes that mean the text did not parse (the server then keeps the last simulation results). */
export const UNPARSABLE_CODES = new Set(['LANG-SYNTAX', 'LANG-NOT-TEXT', 'LANG-PARSE-ABORTED', 'LANG-FILE-TOO-LARGE']);

function key(uri: string, start: { line: number; character: number } | undefined, code: unknown, message: string): string {
    return `${uri}|${start ? `${start.line}:${start.character}` : '-'}|${String(code)}|${message}`;
}

export function findingKey(f: Finding, fallbackUri: string): string {
    return key(f.loc?.uri ?? fallbackUri, f.loc?.start, f.code, f.message);
}

export function diagnosticKey(uri: string, d: Diagnostic): string {
    return key(uri, d.range.start, d.code, typeof d.message === 'string' ? d.message : (d.message as { value: string }).value);
}

/** `pciplat check FILE`'s findings, split into language and simulation findings. */
export async function cliView(file: string): Promise<CliView> {
    const input = await loadWithLangium([file]);
    const fallback = URI.file(file).toString();
    const language = collectFindings(input.findings);
    const simulation = collectFindings(...input.platforms.map((p) => simulate(p, {}).findings));
    return {
        language: new Set(language.map((f) => findingKey(f, fallback))),
        simulation: new Set(simulation.map((f) => findingKey(f, fallback))),
        unparsable: language.some((f) => UNPARSABLE_CODES.has(f.code) && (f.loc?.uri ?? fallback) === fallback),
    };
}

/** The server's latest diagnostics for `uris`, split the same way. */
export function serverView(client: TestClient, uris: readonly string[]): { language: Set<string>; simulation: Set<string> } {
    const language = new Set<string>();
    const simulation = new Set<string>();
    for (const uri of uris) {
        for (const d of client.latest(uri)?.diagnostics ?? []) {
            const simulated = (d.data as { source?: string } | undefined)?.source === 'simulation';
            (simulated ? simulation : language).add(diagnosticKey(uri, d));
        }
    }
    return { language, simulation };
}

/** What is in `a` and not in `b`, and the other way round (for messages). */
export function difference(a: Set<string>, b: Set<string>): { missing: string[]; extra: string[] } {
    return { missing: [...a].filter((k) => !b.has(k)), extra: [...b].filter((k) => !a.has(k)) };
}

export function sameSet(a: Set<string>, b: Set<string>): boolean {
    return a.size === b.size && [...a].every((k) => b.has(k));
}
