// The pciplat VS Code extension: starts the bundled language server, and adds what an LSP client
// alone does not give — the Run Simulation command behind the server's code lenses, the Topology
// and Simulation views, the address-map webview, a status-bar item, and the comparison with a
// real machine's IOMMU groups (compare.ts).
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { AddressMapPanel } from './address-map/panel.js';
import { COMPARE_COMMAND, RealMachineComparison } from './compare.js';
import { IMPORT_COMMAND, PlatformImport } from './import.js';
import { ExportPreview } from './export-preview.js';
import { isPciplat, reveal } from './locations.js';
import { RUN_SIMULATION_COMMAND } from './protocol.js';
import { createClient } from './server-client.js';
import { errorLine, SimulationRunner } from './simulation.js';
import { SimulationStatus } from './status.js';
import { TopologyView } from './topology-view.js';
import { TraceView } from './trace-view.js';

let client: LanguageClient | undefined;

/** What tests reach through `extension.exports`. */
export interface PciplatApi {
    client(): LanguageClient | undefined;
    /** Resolves when the language server is up (or failed to start). */
    ready: Promise<void>;
    addressMapOverlaps(): number;
}

function targetUri(arg: unknown): vscode.Uri | undefined {
    if (arg instanceof vscode.Uri) return arg;
    if (typeof arg === 'object' && arg !== null && typeof (arg as { uri?: unknown }).uri === 'string') return vscode.Uri.parse((arg as { uri: string }).uri);
    const document = vscode.window.activeTextEditor?.document;
    if (isPciplat(document)) return document.uri;
    return vscode.workspace.textDocuments.find((d) => isPciplat(d))?.uri;
}

export function activate(context: vscode.ExtensionContext): PciplatApi {
    const output = vscode.window.createOutputChannel('pciplat', { log: true });
    const status = new SimulationStatus();
    const trace = new TraceView();
    const getClient = () => client;
    const topology = new TopologyView(getClient, () => trace.last);
    const addressMap = new AddressMapPanel(context.extensionUri, getClient);
    const runner = new SimulationRunner(getClient, trace, status, output);
    const comparison = new RealMachineComparison(getClient);
    const exports = new ExportPreview(getClient);
    const imports = new PlatformImport(getClient);
    context.subscriptions.push(output, status, trace, topology, addressMap, comparison, exports, imports, trace.onDidStore((run) => topology.runStored(run)));

    const start = async (): Promise<void> => {
        status.setServerState('starting');
        const c = createClient(context, output);
        client = c;
        // Before start: the server reports its first runs right after initialization.
        status.listen(c);
        // The status bar follows the server (it says so when the server stops or restarts).
        context.subscriptions.push(
            c.onDidChangeState((e) => {
                if (client !== c) return;
                status.setServerState(e.newState === State.Running ? 'running' : e.newState === State.Starting ? 'starting' : 'stopped');
            }),
        );
        try {
            await c.start();
            status.attach(c);
            topology.refresh();
        } catch (error) {
            client = undefined;
            status.attach(undefined);
            output.appendLine(`pciplat: the language server did not start: ${errorLine(error)}`);
            void vscode.window.showErrorMessage(`pciplat: the language server did not start: ${errorLine(error)}`, 'Show Output').then((choice) => {
                if (choice) output.show(true);
            });
        }
    };

    const command = (id: string, handler: (...args: unknown[]) => unknown) =>
        context.subscriptions.push(
            vscode.commands.registerCommand(id, async (...args: unknown[]) => {
                try {
                    return await handler(...args);
                } catch (error) {
                    // Never a stack trace to the user: one line, the details in the output channel.
                    output.appendLine(`pciplat: ${id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
                    void vscode.window.showErrorMessage(`pciplat: ${errorLine(error)}`);
                    return undefined;
                }
            }),
        );

    command(RUN_SIMULATION_COMMAND, (arg) => runner.run(arg));
    command(COMPARE_COMMAND, (arg) => comparison.run(arg));
    command(IMPORT_COMMAND, (arg) => imports.run(arg));
    command('pciplat.showAddressMap', async (arg) => {
        const uri = targetUri(arg);
        if (!uri) return void vscode.window.showInformationMessage('pciplat: open a .pciplat file to see its address map.');
        await addressMap.show(uri);
    });
    command('pciplat.showTopology', async (arg) => {
        const uri = targetUri(arg);
        if (uri) topology.follow(uri);
        await vscode.commands.executeCommand('pciplat.topology.focus');
    });
    command('pciplat.export', async (arg) => {
        const uri = targetUri(arg);
        if (!uri) return void vscode.window.showInformationMessage('pciplat: open a .pciplat file to export its platform.');
        await exports.run(uri);
    });
    command('pciplat.exportSaveAs', (arg) => exports.saveAs(arg));
    command('pciplat.topology.refresh', () => topology.refresh());
    command('pciplat.topology.byGroup', () => topology.arrange('group'));
    command('pciplat.topology.byBus', () => topology.arrange('bus'));
    command('pciplat.topology.filter', () => topology.askFilter());
    command('pciplat.topology.clearFilter', () => topology.setFilter(undefined));
    command('pciplat.trace.clear', () => trace.set(undefined));
    command('pciplat.trace.showJson', async () => {
        const run = trace.last;
        if (!run) return;
        const document = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(run.result, null, 2) });
        await vscode.window.showTextDocument(document, { preview: true });
    });
    command('pciplat.revealLocation', (location) => (location instanceof vscode.Location ? reveal(location) : undefined));
    command('pciplat.showOutput', () => output.show(true));
    command('pciplat.restartServer', async () => {
        const old = client;
        client = undefined;
        status.attach(undefined);
        if (old) await old.stop().catch(() => undefined);
        await start();
    });

    context.subscriptions.push(
        // pciplat.profile and pciplat.simulateOn reach the server as workspace/didChangeConfiguration.
        vscode.workspace.onDidChangeConfiguration((e) => {
            if (e.affectsConfiguration('pciplat.simulationWorkers') || e.affectsConfiguration('pciplat.pciIdsPath')) {
                void vscode.window.showInformationMessage('pciplat: restart the language server for this setting to take effect.', 'Restart').then((choice) => {
                    if (choice) void vscode.commands.executeCommand('pciplat.restartServer');
                });
            }
        }),
    );

    const ready = start();
    return { client: getClient, ready, addressMapOverlaps: () => addressMap.lastOverlapCount };
}

export async function deactivate(): Promise<void> {
    const c = client;
    client = undefined;
    if (c) await c.stop().catch(() => undefined);
}
