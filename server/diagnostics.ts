// One publishDiagnostics per URI carrying everything known about that file: Langium's (syntax,
// linking, language checks) for the document's latest validated text, merged with the findings
// of every platform simulation that points into the file (an imported SoC file gets the findings
// of the platforms that include it). A second publish for a URI replaces the first in every
// client, so the two sources must never be published separately.
import type { Connection, Diagnostic } from 'vscode-languageserver';
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Finding, Severity } from '../src/findings/finding.js';
import type { SourceLoc } from '../src/model/source.js';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
    error: DiagnosticSeverity.Error,
    warning: DiagnosticSeverity.Warning,
    info: DiagnosticSeverity.Information,
};

/** Marks diagnostics that come from a simulation (`data.source`), for clients and tests. */
export interface SimulationDiagnosticData {
    source: 'simulation';
    platform: string;
}

export function findingToDiagnostic(finding: Finding & { loc: SourceLoc }, platform: string): Diagnostic {
    const data: SimulationDiagnosticData = { source: 'simulation', platform };
    return {
        range: { start: finding.loc.start, end: finding.loc.end },
        severity: SEVERITY[finding.severity] ?? DiagnosticSeverity.Error,
        code: finding.code,
        source: 'pciplat',
        message: finding.message,
        relatedInformation:
            finding.related.length > 0
                ? finding.related.map((r) => ({ location: { uri: r.loc.uri, range: { start: r.loc.start, end: r.loc.end } }, message: r.message }))
                : undefined,
        data,
    };
}

/** Simulation findings grouped by the file they point into (findings without a place go to `fallback`). */
export function diagnosticsByUri(findings: readonly Finding[], platform: string, fallback: SourceLoc): Map<string, Diagnostic[]> {
    const byUri = new Map<string, Diagnostic[]>();
    for (const f of findings) {
        const loc = f.loc ?? fallback;
        const list = byUri.get(loc.uri) ?? [];
        list.push(findingToDiagnostic({ ...f, loc }, platform));
        byUri.set(loc.uri, list);
    }
    return byUri;
}

function diagnosticKey(d: Diagnostic): string {
    return JSON.stringify([d.code, d.severity, d.message, d.range.start, d.range.end]);
}

export class DiagnosticsHub {
    private readonly language = new Map<string, { version?: number; diagnostics: Diagnostic[] }>();
    /** Per simulated platform key: its diagnostics per target URI. */
    private readonly simulation = new Map<string, Map<string, Diagnostic[]>>();
    /** Publishes sent (tests and logs). */
    published = 0;
    private batchDepth = 0;
    private readonly pending = new Set<string>();

    constructor(private readonly connection: Connection | undefined) {}

    setLanguage(uri: string, version: number | undefined, diagnostics: readonly Diagnostic[]): void {
        this.language.set(uri, { version, diagnostics: [...diagnostics] });
        this.publish([uri]);
    }

    /** Replaces a platform's simulation diagnostics; publishes every URI that changed. */
    setSimulation(key: string, byUri: Map<string, Diagnostic[]>): void {
        const before = this.simulation.get(key);
        const affected = new Set<string>([...(before?.keys() ?? []), ...byUri.keys()]);
        if (byUri.size === 0) this.simulation.delete(key);
        else this.simulation.set(key, byUri);
        this.publish(affected);
    }

    clearSimulation(key: string): void {
        if (this.simulation.has(key)) this.setSimulation(key, new Map());
    }

    /** The document is gone: forget its diagnostics and publish an empty list. */
    deleteDocument(uri: string): void {
        this.language.delete(uri);
        this.publish([uri]);
    }

    /**
     * Everything currently shown for `uri`: Langium's first, then simulation findings not already
     * there and not at the start of a language error (that error's consequence: one cause, one
     * finding, as the CLI's collectFindings).
     */
    merged(uri: string): Diagnostic[] {
        const result = [...(this.language.get(uri)?.diagnostics ?? [])];
        const seen = new Set(result.map(diagnosticKey));
        const errorsAt = new Set(result.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => `${d.range.start.line}:${d.range.start.character}`));
        for (const byUri of this.simulation.values()) {
            for (const d of byUri.get(uri) ?? []) {
                const key = diagnosticKey(d);
                if (seen.has(key) || errorsAt.has(`${d.range.start.line}:${d.range.start.character}`)) continue;
                seen.add(key);
                result.push(d);
            }
        }
        return result;
    }

    /** Runs `update`, then publishes each URI it touched once (not once per change). */
    batch<T>(update: () => T): T {
        this.batchDepth++;
        try {
            return update();
        } finally {
            if (--this.batchDepth === 0) {
                const uris = [...this.pending];
                this.pending.clear();
                this.publish(uris);
            }
        }
    }

    private publish(uris: Iterable<string>): void {
        if (this.batchDepth > 0) {
            for (const uri of uris) this.pending.add(uri);
            return;
        }
        if (!this.connection) return;
        for (const uri of uris) {
            const version = this.language.get(uri)?.version;
            this.published++;
            void this.connection.sendDiagnostics({ uri, version, diagnostics: this.merged(uri) }).catch(() => undefined);
        }
    }
}
