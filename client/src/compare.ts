// "pciplat: Compare with the real machine…": pick the real machine's IOMMU groups (a listing file
// or a sysfs snapshot folder), ask the server (pciplat/compare), show every function that does not
// agree in the Problems panel. The diagnostics are a snapshot: editing a file they sit on clears
// that file's, since the comparison no longer describes its text.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { COMPARE_SOURCE, compareDiagnostics, compareOutcome, type CompareDiagnostic } from './compare-model.js';
import { isPciplat, rangeOf } from './locations.js';
import { COMPARE_METHOD, TOPOLOGY_METHOD, type CompareParams, type CompareResult, type TopologyResult } from './protocol.js';

export const COMPARE_COMMAND = 'pciplat.compareWithRealMachine';

/** A command argument: the platform document, and optionally REAL and the platform's name (for tests and keybindings). */
interface CompareArgs {
    uri?: string;
    real?: string;
    platform?: string;
}

function toDiagnostic(d: CompareDiagnostic): vscode.Diagnostic {
    const diagnostic = new vscode.Diagnostic(rangeOf(d.range), d.message, d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
    diagnostic.code = d.code;
    diagnostic.source = COMPARE_SOURCE;
    diagnostic.relatedInformation = d.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.parse(r.uri), rangeOf(r.range)), r.message));
    return diagnostic;
}

export class RealMachineComparison implements vscode.Disposable {
    private readonly diagnostics = vscode.languages.createDiagnosticCollection('pciplat-compare');
    private readonly subscriptions: vscode.Disposable[] = [];

    constructor(private readonly getClient: () => LanguageClient | undefined) {
        this.subscriptions.push(
            vscode.workspace.onDidChangeTextDocument((e) => {
                if (e.contentChanges.length > 0 && this.diagnostics.has(e.document.uri)) this.diagnostics.delete(e.document.uri);
            }),
        );
    }

    dispose(): void {
        this.diagnostics.dispose();
        for (const s of this.subscriptions) s.dispose();
    }

    /** Command handler; returns the server's answer (undefined when cancelled or failed). */
    async run(arg?: unknown): Promise<CompareResult | undefined> {
        const client = this.getClient();
        if (!client || !client.isRunning()) {
            void vscode.window.showErrorMessage('pciplat: the language server is not running (see "pciplat: Show Language Server Output").');
            return undefined;
        }
        const args: CompareArgs = arg instanceof vscode.Uri ? { uri: arg.toString() } : typeof arg === 'object' && arg !== null ? (arg as CompareArgs) : {};
        const uri = args.uri ?? (isPciplat(vscode.window.activeTextEditor?.document) ? vscode.window.activeTextEditor!.document.uri.toString() : undefined);
        if (!uri) return void vscode.window.showInformationMessage('pciplat: open the .pciplat file of the platform to compare first.');
        const platform = args.platform ?? (await this.pickPlatform(client, uri));
        if (platform === null) return undefined;
        const real = args.real ?? (await pickReal(uri));
        if (!real) return undefined;
        const params: CompareParams = { uri, real, ...(platform ? { platform } : {}) };
        const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'pciplat: comparing with the real machine' }, () =>
            client.sendRequest<CompareResult>(COMPARE_METHOD, params),
        );
        this.show(result);
        return result;
    }

    /** Replaces the last comparison's diagnostics with this one's. */
    show(result: CompareResult): void {
        this.diagnostics.clear();
        for (const [uri, list] of compareDiagnostics(result)) this.diagnostics.set(vscode.Uri.parse(uri), list.map(toDiagnostic));
        const outcome = compareOutcome(result, path.basename(vscode.Uri.parse(result.real.uri).fsPath));
        const show = outcome.level === 'info' ? vscode.window.showInformationMessage : outcome.level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
        void show(outcome.message, ...(outcome.level === 'info' ? [] : ['Show Problems'])).then((choice) => {
            if (choice) void vscode.commands.executeCommand('workbench.actions.view.problems');
        });
    }

    /** The platform to compare when the document declares several; undefined for its only one, null when cancelled. */
    private async pickPlatform(client: LanguageClient, uri: string): Promise<string | undefined | null> {
        const topology = await client.sendRequest<TopologyResult>(TOPOLOGY_METHOD, { uri });
        if (topology.platforms.length <= 1) return undefined;
        const picked = await vscode.window.showQuickPick(
            topology.platforms.map((p) => p.name),
            { title: 'pciplat: Compare with the real machine', placeHolder: 'The platform to compare' },
        );
        return picked ?? null;
    }
}

/** The real machine's groups: a listing file or a sysfs snapshot folder (no dialog picks both on Linux and Windows). */
async function pickReal(uri: string): Promise<string | undefined> {
    const kinds = [
        { label: '$(file) A listing file', description: 'output of the `for g in /sys/kernel/iommu_groups/*` loop, or of `find /sys/kernel/iommu_groups -type l`', folder: false },
        { label: '$(folder) A sysfs snapshot folder', description: 'cp -a /sys/kernel/iommu_groups /sys/bus/pci/devices SNAPSHOT/', folder: true },
    ];
    const kind = await vscode.window.showQuickPick(kinds, { title: "pciplat: Compare with the real machine's IOMMU groups", placeHolder: 'What do you have from the real machine?' });
    if (!kind) return undefined;
    const picked = await vscode.window.showOpenDialog({
        title: kind.folder ? 'The sysfs snapshot folder' : 'The IOMMU groups listing',
        canSelectFiles: !kind.folder,
        canSelectFolders: kind.folder,
        canSelectMany: false,
        defaultUri: vscode.Uri.joinPath(vscode.Uri.parse(uri), '..'),
        openLabel: 'Compare',
    });
    return picked?.[0]?.toString();
}
