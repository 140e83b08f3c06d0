// The status-bar item: simulation state (running), findings of the active file, last run time.
//
// "Running" and the last background run come from the server's `pciplat/simulationStatus`
// notification (sent when background runs start and when its queue drains), plus this client's own
// Run Simulation requests. Findings are counted from the diagnostics VS Code holds.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { SIMULATION_STATUS_METHOD, type SimulationStatusParams } from './protocol.js';
import { formatMillis } from './trace-model.js';
import { isSimulationDiagnostic } from './server-client.js';

/** Show a progress indicator when a background run lasts longer than this. */
const PROGRESS_AFTER_MS = 1500;

export class SimulationStatus implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private readonly disposables: vscode.Disposable[] = [];
    private lastStatus: SimulationStatusParams | undefined;
    private subscription: vscode.Disposable | undefined;
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
                if (e.uris.some((u) => u.path.endsWith('.pciplat'))) this.render();
            }),
            vscode.window.onDidChangeActiveTextEditor(() => this.render()),
        );
        this.render();
        this.item.show();
    }

    /** Follow `client`'s `pciplat/simulationStatus` notifications (call before starting it). */
    listen(client: LanguageClient): void {
        this.subscription?.dispose();
        this.subscription = client.onNotification(SIMULATION_STATUS_METHOD, (params: SimulationStatusParams) => this.update(params));
    }

    attach(client: LanguageClient | undefined): void {
        this.lastStatus = undefined;
        this.serverState = client ? 'running' : 'stopped';
        if (!client) this.setBackground(false);
        this.render();
    }

    setServerState(state: 'starting' | 'running' | 'stopped'): void {
        this.serverState = state;
        // A stopped or restarting server runs nothing (a new one reports its own runs).
        if (state !== 'running') this.setBackground(false);
        this.render();
    }

    /** A `pciplat/simulationStatus` notification. */
    update(status: SimulationStatusParams): void {
        this.lastStatus = status;
        if (status.state === 'idle' && status.finishedAt) {
            const at = new Date(status.finishedAt);
            if (!Number.isNaN(at.getTime()) && (!this.lastRun || at.getTime() > this.lastRun.at.getTime())) {
                this.lastRun = { at, millis: status.lastRunMs, what: 'background run' };
            }
        }
        this.setBackground(status.state === 'running');
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
        else if (this.lastStatus?.state === 'idle') tooltip.appendMarkdown(`Background simulation: ${this.lastStatus.platforms} platform${this.lastStatus.platforms === 1 ? '' : 's'} simulated, ${this.lastStatus.findings} finding${this.lastStatus.findings === 1 ? '' : 's'}\n\n`);
        if (this.lastRun) tooltip.appendMarkdown(`Last simulation finished at ${this.lastRun.at.toLocaleTimeString()}${this.lastRun.millis !== undefined ? ` (${this.lastRun.what ?? 'Run Simulation'}: ${formatMillis(this.lastRun.millis)})` : ''}\n\n`);
        tooltip.appendMarkdown('Click to open the Problems panel.');
        this.item.tooltip = tooltip;
        this.item.backgroundColor = here.errors > 0 && !this.running ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    }

    dispose(): void {
        this.subscription?.dispose();
        this.progress?.resolve();
        for (const d of this.disposables) d.dispose();
    }
}
