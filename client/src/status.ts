// The status-bar item: simulation state (running), findings of the active file, last run time.
//
// The server sends no "simulation started/finished" notification, so "running" is inferred from
// its `pciplat/serverStats` counters (jobs scheduled − replaced − completed), polled only while
// something may be running: after an edit, an open, a publish of diagnostics, or a Run Simulation
// request of this client. Findings are counted from the diagnostics VS Code holds.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { SERVER_STATS_METHOD, type ServerStatsResult } from './protocol.js';
import { formatMillis } from './trace-model.js';
import { isSimulationDiagnostic } from './server-client.js';

const POLL_MS = 350;
/** Stop inferring "running" after this long without any counter moving (the server's time limit is 120 s). */
const GIVE_UP_MS = 130_000;
/** Show a progress indicator when a background run lasts longer than this. */
const PROGRESS_AFTER_MS = 1500;

export class SimulationStatus implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private readonly disposables: vscode.Disposable[] = [];
    private client: LanguageClient | undefined;
    private pollTimer: NodeJS.Timeout | undefined;
    private polling = false;
    private lastStats: ServerStatsResult | undefined;
    private lastChange = 0;
    private backgroundRunning = false;
    private backgroundSince = 0;
    private ownRuns = 0;
    private lastRun: { at: Date; millis?: number; what?: string } | undefined;
    private progress: { resolve: () => void } | undefined;
    private serverState: 'starting' | 'running' | 'stopped' = 'starting';

    constructor() {
        this.item = vscode.window.createStatusBarItem('pciplat.status', vscode.StatusBarAlignment.Left, 50);
        this.item.name = 'pciplat simulation';
        this.item.command = 'workbench.actions.view.problems';
        this.disposables.push(
            this.item,
            vscode.languages.onDidChangeDiagnostics((e) => {
                if (e.uris.some((u) => u.path.endsWith('.pciplat'))) {
                    this.render();
                    this.kick();
                }
            }),
            vscode.window.onDidChangeActiveTextEditor(() => this.render()),
            vscode.workspace.onDidChangeTextDocument((e) => {
                if (e.document.languageId === 'pciplat' && e.contentChanges.length > 0) this.kick();
            }),
            vscode.workspace.onDidOpenTextDocument((d) => {
                if (d.languageId === 'pciplat') this.kick();
            }),
        );
        this.render();
        this.item.show();
    }

    attach(client: LanguageClient | undefined): void {
        this.client = client;
        this.lastStats = undefined;
        this.serverState = client ? 'running' : 'stopped';
        this.render();
        this.kick();
    }

    setServerState(state: 'starting' | 'running' | 'stopped'): void {
        this.serverState = state;
        this.render();
    }

    /** A Run Simulation request of this client started; call the returned function when it ends. */
    ownRunStarted(): (millis?: number, what?: string) => void {
        this.ownRuns++;
        this.render();
        let done = false;
        return (millis, what) => {
            if (done) return;
            done = true;
            this.ownRuns--;
            if (millis !== undefined) this.lastRun = { at: new Date(), millis, what };
            this.render();
        };
    }

    get running(): boolean {
        return this.ownRuns > 0 || this.backgroundRunning;
    }

    /** Start polling the server's counters (no-op while polling). */
    kick(): void {
        if (this.polling || !this.client) return;
        this.polling = true;
        this.lastChange = Date.now();
        this.schedulePoll(60);
    }

    private schedulePoll(delay: number): void {
        clearTimeout(this.pollTimer);
        this.pollTimer = setTimeout(() => void this.poll(), delay);
    }

    private async poll(): Promise<void> {
        const client = this.client;
        if (!client || !client.isRunning()) {
            this.polling = false;
            this.setBackground(false);
            return;
        }
        let stats: ServerStatsResult | undefined;
        try {
            stats = await client.sendRequest<ServerStatsResult>(SERVER_STATS_METHOD, {});
        } catch {
            stats = undefined;
        }
        if (!stats) {
            this.polling = false;
            this.setBackground(false);
            return;
        }
        const before = this.lastStats;
        this.lastStats = stats;
        const moved = !before || before.scheduled !== stats.scheduled || before.completed !== stats.completed || before.delivered !== stats.delivered;
        if (moved) this.lastChange = Date.now();
        if (before && stats.delivered > before.delivered) this.lastRun = { at: new Date() };
        const inFlight = stats.scheduled - stats.replaced - stats.completed;
        const running = inFlight > 0 && Date.now() - this.lastChange < GIVE_UP_MS;
        this.setBackground(running);
        if (running || moved) this.schedulePoll(POLL_MS);
        else this.polling = false;
    }

    private setBackground(running: boolean): void {
        if (running && !this.backgroundRunning) this.backgroundSince = Date.now();
        this.backgroundRunning = running;
        if (running && !this.progress) {
            // A window progress (spinner in the status bar) for runs that last.
            setTimeout(() => {
                if (!this.backgroundRunning || this.progress || Date.now() - this.backgroundSince < PROGRESS_AFTER_MS - 50) return;
                void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'pciplat: simulating' }, () => new Promise<void>((resolve) => (this.progress = { resolve })));
            }, PROGRESS_AFTER_MS);
        }
        if (!running && this.progress) {
            this.progress.resolve();
            this.progress = undefined;
        }
        this.render();
    }

    private counts(uri?: vscode.Uri): { errors: number; warnings: number; infos: number; simulation: number } {
        const result = { errors: 0, warnings: 0, infos: 0, simulation: 0 };
        const entries: [vscode.Uri, readonly vscode.Diagnostic[]][] = uri ? [[uri, vscode.languages.getDiagnostics(uri)]] : vscode.languages.getDiagnostics();
        for (const [u, list] of entries) {
            if (!u.path.endsWith('.pciplat')) continue;
            for (const d of list) {
                if (d.source !== undefined && d.source !== 'pciplat') continue;
                if (d.severity === vscode.DiagnosticSeverity.Error) result.errors++;
                else if (d.severity === vscode.DiagnosticSeverity.Warning) result.warnings++;
                else result.infos++;
                if (isSimulationDiagnostic(d)) result.simulation++;
            }
        }
        return result;
    }

    render(): void {
        const editor = vscode.window.activeTextEditor;
        const active = editor?.document.languageId === 'pciplat' ? editor.document.uri : undefined;
        const here = this.counts(active);
        const all = active ? this.counts() : here;
        const total = here.errors + here.warnings + here.infos;
        const when = this.lastRun ? this.lastRun.at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : undefined;
        let text: string;
        if (this.serverState === 'stopped') text = '$(circle-slash) pciplat: server stopped';
        else if (this.serverState === 'starting') text = '$(loading~spin) pciplat: starting';
        else if (this.running) text = '$(sync~spin) pciplat: simulating…';
        else if (total === 0) text = `$(pass) pciplat: no findings${when ? ` · ${when}` : ''}`;
        else {
            const parts = [here.errors ? `$(error) ${here.errors}` : '', here.warnings ? `$(warning) ${here.warnings}` : '', here.infos ? `$(info) ${here.infos}` : ''].filter(Boolean);
            text = `pciplat: ${parts.join(' ')} finding${total === 1 ? '' : 's'}${when ? ` · ${when}` : ''}`;
        }
        this.item.text = text;
        const tooltip = new vscode.MarkdownString(undefined, true);
        tooltip.appendMarkdown('**pciplat**\n\n');
        if (active) tooltip.appendMarkdown(`This file: ${here.errors} errors, ${here.warnings} warnings, ${here.infos} notes (${here.simulation} from the simulation)\n\n`);
        tooltip.appendMarkdown(`All .pciplat files: ${all.errors} errors, ${all.warnings} warnings, ${all.infos} notes\n\n`);
        if (this.running) tooltip.appendMarkdown('A simulation is running in the background.\n\n');
        if (this.lastRun) tooltip.appendMarkdown(`Last simulation finished at ${this.lastRun.at.toLocaleTimeString()}${this.lastRun.millis !== undefined ? ` (${this.lastRun.what ?? 'Run Simulation'}: ${formatMillis(this.lastRun.millis)})` : ''}\n\n`);
        tooltip.appendMarkdown('Click to open the Problems panel.');
        this.item.tooltip = tooltip;
        this.item.backgroundColor = here.errors > 0 && !this.running ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    }

    dispose(): void {
        clearTimeout(this.pollTimer);
        this.progress?.resolve();
        for (const d of this.disposables) d.dispose();
    }
}
