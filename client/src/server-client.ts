// Starts the bundled language server (dist/server/main.js, Node IPC) and wires the client.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { settings } from './config.js';
import { serverProcessEnv } from '../../server/process-env.js';
import type { PciplatInitializationOptions, PciplatProfileSetting } from './protocol.js';

/** Whether a diagnostic came from a simulation (the server marks them with `data.source`). */
export function isSimulationDiagnostic(d: vscode.Diagnostic): boolean {
    const data = (d as vscode.Diagnostic & { data?: unknown }).data as { source?: unknown } | undefined;
    return typeof data === 'object' && data !== null && data.source === 'simulation';
}

/**
 * The server honours `pciplat.profile` and `pciplat.simulateOn` itself: both go in the
 * initialization options, and every change of the `pciplat` section reaches it as
 * `workspace/didChangeConfiguration` (`synchronize.configurationSection`). With `simulateOn:
 * save` it simulates only saved text (on open and `textDocument/didSave`), so the Problems panel
 * keeps the last simulation findings while a file has unsaved edits.
 */
export function createClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
    const module = context.asAbsolutePath('dist/server/main.js');
    // Added to the extension host's environment (the client merges them); why: server/process-env.ts.
    const env = serverProcessEnv(process.env);
    const serverOptions: ServerOptions = {
        run: { module, transport: TransportKind.ipc, options: { env } },
        debug: { module, transport: TransportKind.ipc, options: { env, execArgv: ['--nolazy', '--inspect=6029'] } },
    };
    const s = settings();
    const initializationOptions: PciplatInitializationOptions = {
        simulateOn: s.simulateOn,
        profile: (s.profile ?? 'platform') as PciplatProfileSetting,
        ...(s.simulationWorkers > 0 ? { simulationWorkers: s.simulationWorkers } : {}),
        ...(s.pciIdsPath ? { pciIdsPath: s.pciIdsPath } : {}),
    };
    const clientOptions: LanguageClientOptions = {
        documentSelector: [{ language: 'pciplat' }],
        synchronize: {
            configurationSection: 'pciplat',
            fileEvents: vscode.workspace.createFileSystemWatcher('**/*.pciplat'),
        },
        outputChannel: output,
        initializationOptions,
        // Never pop the output channel up over the editor; errors are reported in one line.
        revealOutputChannelOn: 4 /* RevealOutputChannelOn.Never */,
    };
    return new LanguageClient('pciplat', 'pciplat Language Server', serverOptions, clientOptions);
}
