// The Run Simulation command: choose a platform and scenario (or take them from the code lens),
// send `pciplat/simulate`, show the result in the Simulation view and the output channel.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { settings } from './config.js';
import { isPciplat } from './locations.js';
import { RUN_SIMULATION_COMMAND, SIMULATE_METHOD, type RichSimulateResult, type RunSimulationArgs, type SimulateParams } from './protocol.js';
import type { SimulationStatus } from './status.js';
import { findingsSummary, formatMillis, severityCounts, traceText } from './trace-model.js';
import type { TraceView } from './trace-view.js';

/** One line for the user from whatever a request threw (never a stack trace). */
export function errorLine(error: unknown): string {
    const message = error instanceof Error ? error.message : typeof error === 'object' && error !== null && 'message' in error ? String((error as { message: unknown }).message) : String(error);
    return message.split('\n')[0]!.trim() || 'unknown error';
}

function isRunArgs(value: unknown): value is RunSimulationArgs {
    return typeof value === 'object' && value !== null && typeof (value as RunSimulationArgs).uri === 'string' && typeof (value as RunSimulationArgs).platform === 'string';
}

/** A run lasting longer than this gets a cancellable progress notification. */
const NOTIFY_AFTER_MS = 800;

interface Choice extends vscode.QuickPickItem {
    args: RunSimulationArgs;
}

/** The platforms and scenarios of a document, read from the server's "▶ Run" code lenses. */
async function choices(uri: vscode.Uri): Promise<Choice[]> {
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
    const result: Choice[] = [];
    for (const lens of lenses) {
        const args = lens.command?.command === RUN_SIMULATION_COMMAND ? lens.command.arguments?.[0] : undefined;
        if (!isRunArgs(args)) continue;
        result.push({
            label: args.scenario ? `$(debug-start) scenario ${args.scenario}` : `$(play) platform ${args.platform}`,
            description: args.scenario ? `platform ${args.platform}` : 'implicit scenario: boot, enable declared VFs, start every guest',
            args,
        });
    }
    return result;
}

export class SimulationRunner {
    constructor(
        private readonly getClient: () => LanguageClient | undefined,
        private readonly trace: TraceView,
        private readonly status: SimulationStatus,
        private readonly output: vscode.OutputChannel,
    ) {}

    /** Command handler: `arg` is the code lens's RunSimulationArgs, an editor-title Uri, or nothing. */
    async run(arg?: unknown): Promise<RichSimulateResult | undefined> {
        const client = this.getClient();
        if (!client || !client.isRunning()) {
            void vscode.window.showErrorMessage('pciplat: the language server is not running (see "pciplat: Show Language Server Output").');
            return undefined;
        }
        let args: RunSimulationArgs | undefined;
        if (isRunArgs(arg)) args = arg;
        else {
            const uri = arg instanceof vscode.Uri ? arg : isPciplat(vscode.window.activeTextEditor?.document) ? vscode.window.activeTextEditor!.document.uri : undefined;
            if (!uri) {
                void vscode.window.showInformationMessage('pciplat: open a .pciplat file to simulate it.');
                return undefined;
            }
            const options = await choices(uri);
            if (options.length === 0) {
                void vscode.window.showWarningMessage(`pciplat: ${vscode.workspace.asRelativePath(uri)} declares no platform to simulate (or it does not parse yet).`);
                return undefined;
            }
            const picked = options.length === 1 ? options[0] : await vscode.window.showQuickPick(options, { title: 'pciplat: Run Simulation', placeHolder: 'Platform (implicit scenario) or scenario to play' });
            if (!picked) return undefined;
            args = picked.args;
        }
        const profile = settings().profile;
        const params: SimulateParams = { uri: args.uri, platform: args.platform, ...(args.scenario ? { scenario: args.scenario } : {}), ...(profile ? { profile } : {}) };
        const what = `${args.platform}${args.scenario ? ` (scenario ${args.scenario})` : ''}`;
        const done = this.status.ownRunStarted();
        const started = Date.now();
        // Progress: in the status bar at once; a cancellable notification only if the run lasts
        // (a 20 ms run should not flash a notification).
        const cancel = new vscode.CancellationTokenSource();
        const request = client.sendRequest<RichSimulateResult>(SIMULATE_METHOD, params, cancel.token);
        const settled = request.then(
            () => undefined,
            () => undefined,
        );
        void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `pciplat: simulating ${what}` }, () => settled);
        const notify = setTimeout(() => {
            void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `pciplat: simulating ${what}…`, cancellable: true }, (_progress, token) => {
                token.onCancellationRequested(() => cancel.cancel());
                return settled;
            });
        }, NOTIFY_AFTER_MS);
        try {
            const result = await request;
            const millis = Date.now() - started;
            done(millis, what);
            const document = vscode.Uri.parse(args.uri);
            this.trace.set({ result, document, millis, finishedAt: new Date() });
            this.report(result, document, millis);
            await this.trace.reveal();
            const counts = severityCounts(result.findings ?? []);
            const message = `pciplat: ${what} simulated in ${formatMillis(millis)}: ${findingsSummary(result.findings ?? [])}.`;
            if (counts.errors > 0) void vscode.window.showWarningMessage(message);
            else void vscode.window.showInformationMessage(message);
            return result;
        } catch (error) {
            done();
            if (cancel.token.isCancellationRequested || error instanceof vscode.CancellationError || (error as { code?: number })?.code === -32800) {
                this.output.appendLine(`[${new Date().toLocaleTimeString()}] simulation of ${what} cancelled`);
                return undefined;
            }
            const line = errorLine(error);
            this.output.appendLine(`[${new Date().toLocaleTimeString()}] simulation of ${what} failed: ${line}`);
            void vscode.window.showErrorMessage(`pciplat: ${line}`);
            return undefined;
        } finally {
            clearTimeout(notify);
            cancel.dispose();
        }
    }

    private report(result: RichSimulateResult, document: vscode.Uri, millis: number): void {
        this.output.appendLine(`[${new Date().toLocaleTimeString()}] ${vscode.workspace.asRelativePath(document)}: simulated in ${formatMillis(millis)}`);
        for (const line of traceText(result, settings().verbosity)) this.output.appendLine(line);
    }
}
