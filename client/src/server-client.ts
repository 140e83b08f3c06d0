// Starts the bundled language server (dist/server/main.js, Node IPC) and wires the client.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type Middleware, type ServerOptions } from 'vscode-languageclient/node';
import { settings } from './config.js';
import type { PciplatInitializationOptions } from './protocol.js';

/** Whether a diagnostic came from a simulation (the server marks them with `data.source`). */
export function isSimulationDiagnostic(d: vscode.Diagnostic): boolean {
    const data = (d as vscode.Diagnostic & { data?: unknown }).data as { source?: unknown } | undefined;
    return typeof data === 'object' && data !== null && data.source === 'simulation';
}

/**
 * `pciplat.simulateOn: save`: while a file has unsaved edits, its simulation findings stay those
 * of the last publish made while it was saved; language findings follow every edit. On save the
 * latest publish is applied. (The server still simulates in the background; it has no switch yet.)
 */
export class SimulateOnSave {
    private readonly latest = new Map<string, { diagnostics: vscode.Diagnostic[]; next: (uri: vscode.Uri, d: vscode.Diagnostic[]) => void }>();
    private readonly clean = new Map<string, vscode.Diagnostic[]>();

    middleware(): Middleware {
        return {
            handleDiagnostics: (uri, diagnostics, next) => {
                const key = uri.toString();
                this.latest.set(key, { diagnostics, next });
                const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
                if (settings().simulateOn !== 'save' || !document?.isDirty) {
                    this.clean.set(key, diagnostics.filter(isSimulationDiagnostic));
                    next(uri, diagnostics);
                    return;
                }
                next(uri, [...diagnostics.filter((d) => !isSimulationDiagnostic(d)), ...(this.clean.get(key) ?? [])]);
            },
        };
    }

    /** The document was saved (or the setting changed): show the latest publish as it came. */
    flush(uri?: vscode.Uri): void {
        for (const [key, entry] of this.latest) {
            if (uri && key !== uri.toString()) continue;
            this.clean.set(key, entry.diagnostics.filter(isSimulationDiagnostic));
            entry.next(vscode.Uri.parse(key), entry.diagnostics);
        }
    }
}

export function createClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, onSave: SimulateOnSave): LanguageClient {
    const module = context.asAbsolutePath('dist/server/main.js');
    const serverOptions: ServerOptions = {
        run: { module, transport: TransportKind.ipc },
        debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6029'] } },
    };
    const s = settings();
    const initializationOptions: PciplatInitializationOptions & { simulateOn: string; profile?: string } = {
        simulateOn: s.simulateOn,
        ...(s.profile ? { profile: s.profile } : {}),
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
        middleware: onSave.middleware(),
        // Never pop the output channel up over the editor; errors are reported in one line.
        revealOutputChannelOn: 4 /* RevealOutputChannelOn.Never */,
    };
    return new LanguageClient('pciplat', 'pciplat Language Server', serverOptions, clientOptions);
}
