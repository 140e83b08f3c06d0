// Background simulation: after Langium validates a document, its platforms are lowered to the
// core's plain model on the main thread (in slices, between which requests are answered) and
// simulated in worker threads. Results carry the versions of every document of the import
// closure they were computed from; a result whose documents changed meanwhile is dropped (a newer
// run is, or will be, on its way). Findings become diagnostics on the files they point into,
// merged with Langium's by the DiagnosticsHub.
import { DocumentState, URI, type LangiumDocument } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { Diagnostic } from 'vscode-languageserver';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { isModel, isPlatform, type Model } from '../../language/generated/ast.js';
import { inputRejection } from '../../language/parse-guard.js';
import { importClosure } from '../../language/scope/import-closure.js';
import type { Platform } from '../../src/model/platform.js';
import { diagnosticsByUri, type DiagnosticsHub } from '../diagnostics.js';
import { lowerPlatformSliced, nextTurn } from './lower-sliced.js';
import { WorkerPool, type RunOutcome } from './pool.js';
import { ResultStore } from './results.js';
import { platformKey, SimulationScheduler, type CompletedOutcome, type SimulationJob } from './scheduler.js';

export interface BackgroundOptions {
    workers: number;
    timeoutMs: number;
    workerUrl: URL;
    engineModule: string;
    log: (message: string) => void;
}

/** Whether the document's text could not be parsed (syntax errors or rejected input). */
export function unparsable(document: LangiumDocument): boolean {
    const result = document.parseResult;
    if (!result) return true;
    if (result.lexerErrors.length > 0 || result.parserErrors.length > 0) return true;
    return isModel(result.value) && inputRejection(result.value) !== undefined;
}

export class BackgroundSimulation {
    readonly store = new ResultStore();
    readonly pool: WorkerPool;
    readonly scheduler: SimulationScheduler;
    /** Version of each document's text as last parsed. */
    private readonly parsedVersions = new Map<string, number>();
    /** Simulation keys per declaring document (to clear platforms that were removed). */
    private readonly keysOf = new Map<string, Set<string>>();
    readonly stats = { dropped: 0, skippedUnparsable: 0, delivered: 0 };

    constructor(
        private readonly shared: LangiumSharedServices,
        private readonly hub: DiagnosticsHub,
        private readonly options: BackgroundOptions,
        private readonly onResults: () => void,
    ) {
        this.pool = new WorkerPool({ size: options.workers, workerUrl: options.workerUrl, engineModule: options.engineModule, timeoutMs: options.timeoutMs, log: options.log });
        this.scheduler = new SimulationScheduler(this.pool, (job, outcome) => this.completed(job, outcome));
    }

    /** Hooks into Langium's builder: replaces its diagnostics publishing (see DiagnosticsHub). */
    listen(): void {
        const builder = this.shared.workspace.DocumentBuilder;
        builder.onDocumentPhase(DocumentState.Parsed, (document) => {
            this.parsedVersions.set(document.uri.toString(), document.textDocument.version);
        });
        builder.onDocumentPhase(DocumentState.Validated, (document) => {
            try {
                this.hub.batch(() => this.validated(document));
            } catch (error) {
                this.options.log(`pciplat: background simulation of ${document.uri.toString()} failed: ${error instanceof Error ? error.message : String(error)}`);
            }
        });
        builder.onUpdate((_changed, deleted) => {
            this.hub.batch(() => {
                for (const uri of deleted) this.deleted(uri.toString());
            });
        });
    }

    dispose(): void {
        this.pool.dispose();
    }

    log(message: string): void {
        this.options.log(message);
    }

    /** The version of `uri` now: the editor's if the file is open, else the one last parsed. */
    currentVersion(uri: string): number | undefined {
        return this.shared.workspace.TextDocuments.get(uri)?.version ?? this.parsedVersion(uri);
    }

    /** The version of the text Langium last parsed for `uri` (files read from disk: their load version). */
    parsedVersion(uri: string): number | undefined {
        return this.parsedVersions.get(uri) ?? this.shared.workspace.LangiumDocuments.getDocument(URI.parse(uri))?.textDocument.version;
    }

    /** Versions of every document of the closure of `document`, as parsed. */
    closureVersions(document: LangiumDocument): Record<string, number> {
        const versions: Record<string, number> = {};
        for (const uri of importClosure(document, this.shared.workspace.LangiumDocuments)) {
            versions[uri] = this.parsedVersion(uri) ?? 0;
        }
        return versions;
    }

    /** Whether any document of the closure of `document` does not parse. */
    closureUnparsable(document: LangiumDocument): boolean {
        const documents = this.shared.workspace.LangiumDocuments;
        for (const uri of importClosure(document, documents)) {
            const doc = documents.getDocument(URI.parse(uri));
            if (doc && unparsable(doc)) return true;
        }
        return false;
    }

    /** Runs inside a hub batch: the file's diagnostics are published once, after all updates. */
    private validated(document: LangiumDocument): void {
        const uri = document.uri.toString();
        const version = this.parsedVersion(uri);
        this.hub.setLanguage(uri, version, document.diagnostics ?? []);
        const root = document.parseResult?.value;
        if (!isModel(root)) return;
        // A syntax error anywhere in the closure: keep the last good results (hover, lenses and
        // their diagnostics) until the text parses again.
        if (this.closureUnparsable(document)) {
            this.stats.skippedUnparsable++;
            return;
        }
        // Platforms gone from the text lose their results in this same publish.
        const keys = new Set(root.elements.filter(isPlatform).filter((p) => p.name).map((p) => platformKey(uri, p.name)));
        for (const old of this.keysOf.get(uri) ?? []) {
            if (keys.has(old)) continue;
            this.scheduler.cancel(old);
            this.store.delete(old);
            this.hub.clearSimulation(old);
        }
        this.keysOf.set(uri, keys);
        // The versions this validation saw: a result is valid for them only.
        const versions = this.closureVersions(document);
        // Lowering (and, in the pool, cloning the model to the worker) costs main-thread time
        // linear in the platform: start it in a later turn of the event loop, so the turn that
        // published the diagnostics stays short, lower in slices (lower-sliced.ts), and give up
        // as soon as a newer edit arrives (its own validation will schedule the run: coalescing).
        const wanted = () => document.state >= DocumentState.Validated && !this.isStale(versions) && this.shared.workspace.LangiumDocuments.getDocument(document.uri) === document;
        setImmediate(() => {
            this.schedule(document, versions, wanted).catch((error: unknown) => {
                this.options.log(`pciplat: background simulation of ${uri} failed: ${error instanceof Error ? error.message : String(error)}`);
            });
        });
    }

    private async schedule(document: LangiumDocument, versions: Record<string, number>, wanted: () => boolean): Promise<void> {
        const uri = document.uri.toString();
        const pause = async () => {
            await nextTurn();
            return wanted();
        };
        for (const node of (document.parseResult.value as Model).elements.filter(isPlatform)) {
            if (!wanted()) return;
            if (!node.name) continue;
            const key = platformKey(uri, node.name);
            if (!this.keysOf.get(uri)?.has(key)) continue;
            const platform = await lowerPlatformSliced(node, pause);
            if (!platform || !wanted()) return;
            this.scheduler.schedule({ key, uri, platformName: platform.name, platform, options: {}, versions });
        }
    }

    private deleted(uri: string): void {
        this.scheduler.cancelDocument(uri);
        for (const key of this.keysOf.get(uri) ?? []) {
            this.store.delete(key);
            this.hub.clearSimulation(key);
        }
        this.keysOf.delete(uri);
        this.parsedVersions.delete(uri);
        this.hub.deleteDocument(uri);
    }

    isStale(versions: Record<string, number>): boolean {
        return Object.entries(versions).some(([uri, version]) => this.currentVersion(uri) !== version);
    }

    private completed(job: SimulationJob, outcome: CompletedOutcome): void {
        if (this.isStale(job.versions) || !this.keysOf.get(job.uri)?.has(job.key)) {
            this.stats.dropped++;
            return;
        }
        this.stats.delivered++;
        this.hub.batch(() => this.deliver(job, outcome));
        this.onResults();
    }

    private deliver(job: SimulationJob, outcome: CompletedOutcome): void {
        if (outcome.kind === 'result') {
            this.store.set({
                key: job.key,
                uri: job.uri,
                platformName: job.platformName,
                platform: job.platform,
                result: outcome.result,
                versions: job.versions,
                millis: outcome.millis,
                completedAt: Date.now(),
            });
            this.hub.setSimulation(job.key, diagnosticsByUri(outcome.result.findings ?? [], job.platformName, job.platform.loc));
        } else {
            this.options.log(`pciplat: simulation of platform ${job.platformName} (${job.uri}): ${outcome.kind === 'timeout' ? `stopped after ${Math.round(outcome.millis)} ms` : outcome.message}`);
            this.hub.setSimulation(job.key, new Map([[job.uri, [failureDiagnostic(job.platform, outcome)]]]));
        }
    }

    /** Runs one simulation now (custom request): off the main thread, not coalesced with background runs. */
    async runOnce(platform: Platform, options: SimulationJob['options']): Promise<RunOutcome> {
        return this.pool.submit(platform, options).done;
    }
}

function failureDiagnostic(platform: Platform, outcome: Exclude<CompletedOutcome, { kind: 'result' }>): Diagnostic {
    const what =
        outcome.kind === 'timeout'
            ? `pciplat stopped simulating platform ${platform.name} after ${Math.round(outcome.millis / 1000)} s`
            : `pciplat could not simulate platform ${platform.name} (${outcome.message})`;
    return {
        range: { start: platform.loc.start, end: platform.loc.end },
        severity: DiagnosticSeverity.Error,
        code: 'LANG-INTERNAL',
        source: 'pciplat',
        message: `${what}; hovers and lenses show the last successful run. Please report it with the file.`,
        data: { source: 'simulation', platform: platform.name },
    };
}
