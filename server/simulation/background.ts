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
import { isProfile } from '../../src/engine/profile.js';
import type { Platform, Profile } from '../../src/model/platform.js';
import { diagnosticsByUri, type DiagnosticsHub } from '../diagnostics.js';
import type { PciplatSettings, SimulateOnSetting, SimulationStatusParams } from '../protocol.js';
import { lowerPlatformSliced, nextTurn } from './lower-sliced.js';
import { MEMORY_ENV } from '../../src/cli/resource-limits.js';
import { WorkerPool, type RunOutcome } from './pool.js';
import { ResultStore } from './results.js';
import { DEFAULT_QUIET_MS, QuietPeriod, type QuietClock } from './quiet.js';
import { platformKey, SimulationScheduler, type CompletedOutcome, type SimulationJob } from './scheduler.js';

export interface BackgroundOptions {
    workers: number;
    timeoutMs: number;
    /** Heap ceiling of each simulation worker in MiB. */
    memoryMb: number;
    workerUrl: URL;
    engineModule: string;
    log: (message: string) => void;
    /** `pciplat/simulationStatus`: runs started, queue drained. */
    status?: (status: SimulationStatusParams) => void;
    /** How long the edit stream must pause before a run is prepared (quiet.ts; default DEFAULT_QUIET_MS). */
    quietMs?: number;
    /** The quiet period's clock (tests); default the real one. */
    clock?: QuietClock;
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
    readonly stats = { dropped: 0, skippedUnparsable: 0, delivered: 0, deferredUntilSave: 0, lowerings: 0 };
    /** Preparing a run (lowering, posting) waits until the edit stream pauses (quiet.ts). */
    readonly quiet: QuietPeriod;
    /** Version of each open document as opened (its didOpen is not an edit). */
    private readonly openedVersions = new Map<string, number>();
    /** `pciplat.profile`: undefined = each platform's own. */
    private profile: Profile | undefined;
    /** `pciplat.simulateOn`. */
    private simulateOn: SimulateOnSetting = 'type';
    /** Version of each open document as last opened or saved (`simulateOn: save`). */
    private readonly savedVersions = new Map<string, number>();
    /** The last `pciplat/simulationStatus` sent: state and platform count. */
    private lastStatus: { state: 'running' | 'idle'; platforms: number } = { state: 'idle', platforms: 0 };
    private lastRun: { millis: number; at: number } | undefined;

    constructor(
        private readonly shared: LangiumSharedServices,
        private readonly hub: DiagnosticsHub,
        private readonly options: BackgroundOptions,
        private readonly onResults: () => void,
    ) {
        this.quiet = new QuietPeriod(options.quietMs ?? DEFAULT_QUIET_MS, options.clock);
        this.pool = new WorkerPool({ size: options.workers, workerUrl: options.workerUrl, engineModule: options.engineModule, timeoutMs: options.timeoutMs, memoryMb: options.memoryMb, log: options.log });
        this.scheduler = new SimulationScheduler(
            this.pool,
            (job, outcome) => this.completed(job, outcome),
            (running) => this.queueChanged(running),
        );
    }

    /** The background profile (undefined: each platform's own). */
    get backgroundProfile(): Profile | undefined {
        return this.profile;
    }

    get simulateOnSetting(): SimulateOnSetting {
        return this.simulateOn;
    }

    /**
     * Applies `profile` / `simulateOn` (initialization options or the `pciplat` configuration
     * section; an absent key keeps its setting). A new profile, or going back to `type`, re-runs
     * the simulations.
     */
    configure(settings: PciplatSettings | null | undefined): void {
        if (typeof settings !== 'object' || settings === null) return;
        let rerun = false;
        if (settings.profile !== undefined) {
            const value = settings.profile as unknown;
            let profile: Profile | undefined;
            if (typeof value === 'string' && isProfile(value)) profile = value;
            else if (value !== 'platform' && value !== null && value !== '') this.options.log(`pciplat: unknown profile '${String(value)}'; simulating with each platform's own`);
            if (profile !== this.profile) {
                this.profile = profile;
                rerun = true;
            }
        }
        if (settings.simulateOn !== undefined) {
            const simulateOn: SimulateOnSetting = settings.simulateOn === 'save' ? 'save' : 'type';
            if (simulateOn !== this.simulateOn) {
                this.simulateOn = simulateOn;
                if (simulateOn === 'type') rerun = true;
            }
        }
        if (rerun) this.resimulate(() => true);
    }

    /** An editor opened `uri`: its text is the saved one. */
    opened(uri: string, version: number): void {
        this.savedVersions.set(uri, version);
        this.openedVersions.set(uri, version);
    }

    closed(uri: string): void {
        this.savedVersions.delete(uri);
        this.openedVersions.delete(uri);
    }

    /** The editor's text of `uri` changed (didOpen or didChange): a didChange restarts the quiet period. */
    contentChanged(uri: string, version: number): void {
        if (this.openedVersions.get(uri) === version) return;
        this.openedVersions.delete(uri);
        this.quiet.edited();
    }

    /** The editor saved `uri` (`textDocument/didSave`): under `simulateOn: save`, simulate what depends on it. */
    saved(uri: string): void {
        const version = this.shared.workspace.TextDocuments.get(uri)?.version;
        if (version !== undefined) this.savedVersions.set(uri, version);
        // A save ends the quiet period (quiet.ts): waiting runs are prepared now.
        this.quiet.flush();
        if (this.simulateOn !== 'save') return;
        const documents = this.shared.workspace.LangiumDocuments;
        this.resimulate((document) => importClosure(document, documents).has(uri));
    }

    /** Whether an open document of the closure of `document` has edits after its last open or save. */
    closureDirty(document: LangiumDocument): boolean {
        for (const uri of importClosure(document, this.shared.workspace.LangiumDocuments)) {
            const open = this.shared.workspace.TextDocuments.get(uri);
            if (open && this.savedVersions.has(uri) && this.savedVersions.get(uri) !== open.version) return true;
        }
        return false;
    }

    /** Simulates again every validated document `which` selects (that may be simulated now). */
    private resimulate(which: (document: LangiumDocument) => boolean): void {
        this.hub.batch(() => {
            for (const document of this.shared.workspace.LangiumDocuments.all) {
                if (document.state < DocumentState.Validated || !isModel(document.parseResult?.value) || !which(document)) continue;
                if (this.closureUnparsable(document)) continue;
                if (this.simulateOn === 'save' && this.closureDirty(document)) continue;
                this.simulateDocument(document);
            }
        });
    }

    private queueChanged(running: number): void {
        const status = this.options.status;
        if (!status) return;
        if (running > 0) {
            if (this.lastStatus.state === 'running' && this.lastStatus.platforms === running) return;
            this.lastStatus = { state: 'running', platforms: running };
        } else {
            if (this.lastStatus.state === 'idle') return;
            this.lastStatus = { state: 'idle', platforms: 0 };
        }
        const results = this.store.all();
        const params: SimulationStatusParams = {
            state: running > 0 ? 'running' : 'idle',
            platforms: running > 0 ? running : results.length,
            findings: results.reduce((n, r) => n + (r.result.findings?.length ?? 0), 0),
        };
        if (this.lastRun) {
            params.lastRunMs = Math.round(this.lastRun.millis);
            params.finishedAt = new Date(this.lastRun.at).toISOString();
        }
        try {
            status(params);
        } catch (error) {
            this.options.log(`pciplat: could not send the simulation status: ${error instanceof Error ? error.message : String(error)}`);
        }
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
        this.quiet.dispose();
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
        // `simulateOn: save`: unsaved edits keep the last simulation (results and findings) until
        // the save (`saved`) simulates the saved text.
        if (this.simulateOn === 'save' && this.closureDirty(document)) {
            this.stats.deferredUntilSave++;
            return;
        }
        this.simulateDocument(document);
    }

    /** Schedules the background runs of the platforms of `document` (inside a hub batch). */
    private simulateDocument(document: LangiumDocument): void {
        const uri = document.uri.toString();
        const root = document.parseResult?.value;
        if (!isModel(root)) return;
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
        // linear in the platform: start it once the edit stream has paused (quiet.ts; at the
        // earliest in a later turn of the event loop, so the turn that published the diagnostics
        // stays short), lower in slices (lower-sliced.ts), and give up as soon as a newer edit
        // arrives (its own validation will schedule the run: coalescing). A profile change
        // meanwhile schedules its own runs.
        const profile = this.profile;
        const wanted = () =>
            document.state >= DocumentState.Validated && !this.isStale(versions) && this.shared.workspace.LangiumDocuments.getDocument(document.uri) === document && this.profile === profile;
        this.quiet.whenQuiet(uri, () => {
            this.schedule(document, versions, wanted, profile).catch((error: unknown) => {
                this.options.log(`pciplat: background simulation of ${uri} failed: ${error instanceof Error ? error.message : String(error)}`);
            });
        });
    }

    private async schedule(document: LangiumDocument, versions: Record<string, number>, wanted: () => boolean, profile: Profile | undefined): Promise<void> {
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
            this.stats.lowerings++;
            const platform = await lowerPlatformSliced(node, pause);
            if (!platform || !wanted()) return;
            this.scheduler.schedule({ key, uri, platformName: platform.name, platform, options: profile ? { profile, everyScenario: true } : { everyScenario: true }, versions });
        }
    }

    private deleted(uri: string): void {
        this.quiet.drop(uri);
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
        // Stale text, a removed platform, or a profile that is no longer the setting.
        if (this.isStale(job.versions) || !this.keysOf.get(job.uri)?.has(job.key) || job.options.profile !== this.profile) {
            this.stats.dropped++;
            return;
        }
        this.stats.delivered++;
        this.hub.batch(() => this.deliver(job, outcome));
        this.onResults();
    }

    private deliver(job: SimulationJob, outcome: CompletedOutcome): void {
        if (outcome.kind === 'result' || outcome.kind === 'timeout') this.lastRun = { millis: outcome.millis, at: Date.now() };
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
            const why = outcome.kind === 'timeout' ? `stopped after ${Math.round(outcome.millis)} ms` : outcome.kind === 'out-of-memory' ? `out of memory (ceiling ${outcome.ceilingMb} MiB)` : outcome.message;
            this.options.log(`pciplat: simulation of platform ${job.platformName} (${job.uri}): ${why}`);
            this.hub.setSimulation(job.key, new Map([[job.uri, [failureDiagnostic(job.platform, outcome)]]]));
        }
    }

    /** Runs one simulation now (custom request): off the main thread, not coalesced with background runs. */
    async runOnce(platform: Platform, options: SimulationJob['options']): Promise<RunOutcome> {
        return this.pool.submit(platform, options).done;
    }
}

function failureDiagnostic(platform: Platform, outcome: Exclude<CompletedOutcome, { kind: 'result' }>): Diagnostic {
    if (outcome.kind === 'out-of-memory') {
        return {
            range: { start: platform.loc.start, end: platform.loc.end },
            severity: DiagnosticSeverity.Error,
            code: 'ENGINE-OUT-OF-MEMORY',
            source: 'pciplat',
            message: `pciplat's simulation of platform ${platform.name} needed more than the simulation worker's ${outcome.ceilingMb} MiB heap ceiling and was stopped; hovers and lenses show the last successful run. Raise the ceiling with ${MEMORY_ENV} in the server's environment.`,
            data: { source: 'simulation', platform: platform.name },
        };
    }
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
