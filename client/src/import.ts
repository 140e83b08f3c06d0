// "pciplat: Import platform…": pick the machine's sources (device tree, ACPI tables, sysfs
// snapshot, lspci listing), choose where the .pciplat goes, ask the server (pciplat/import),
// then open the written platform. An existing output is replaced only after "Overwrite?"; the
// import's findings in the sources go to the Problems panel, and the notification offers the
// source line of the first one.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { IMPORT_SOURCE, importDiagnostics, importOutcome, importParamsOf, SOURCE_KINDS, suggestedOutputName, type PickedSource } from './import-model.js';
import { rangeOf, reveal } from './locations.js';
import { IMPORT_METHOD, type ImportParams, type ImportResult } from './protocol.js';

export { IMPORT_COMMAND } from './import-model.js';

const SEVERITY = { error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, info: vscode.DiagnosticSeverity.Information } as const;

export class PlatformImport implements vscode.Disposable {
    private readonly diagnostics = vscode.languages.createDiagnosticCollection('pciplat-import');

    constructor(private readonly getClient: () => LanguageClient | undefined) {}

    dispose(): void {
        this.diagnostics.dispose();
    }

    /** Command handler. An {@link ImportParams} argument skips the dialogs (tests, keybindings). */
    async run(arg?: unknown): Promise<ImportResult | undefined> {
        const client = this.getClient();
        if (!client || !client.isRunning()) {
            void vscode.window.showErrorMessage('pciplat: the language server is not running (see "pciplat: Show Language Server Output").');
            return undefined;
        }
        const given = typeof arg === 'object' && arg !== null && !(arg instanceof vscode.Uri) && typeof (arg as ImportParams).output === 'string' ? (arg as ImportParams) : undefined;
        const params = given ?? (await this.pick());
        if (!params) return undefined;
        const send = (p: ImportParams) =>
            vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'pciplat: importing the platform…' }, () => client.sendRequest<ImportResult>(IMPORT_METHOD, p));
        let result = await send(params);
        if (result.exists) {
            const name = vscode.Uri.parse(params.output.startsWith('file:') ? params.output : vscode.Uri.file(params.output).toString()).path.split('/').pop();
            const overwrite = await vscode.window.showWarningMessage(`pciplat: ${name} exists. Overwrite?`, { modal: true }, 'Overwrite');
            if (overwrite !== 'Overwrite') return result;
            result = await send({ ...params, force: true });
        }
        await this.show(result);
        return result;
    }

    /** The sources and the output, from quick picks and dialogs; undefined when cancelled. */
    private async pick(): Promise<ImportParams | undefined> {
        // (QuickPickItem has its own `kind`: the source kind rides along as `info`.)
        const chosen = await vscode.window.showQuickPick(
            SOURCE_KINDS.map((info) => ({ label: info.label, description: info.description, info })),
            { title: 'pciplat: Import platform', placeHolder: 'What do you have from the machine? (firmware: device tree or ACPI; fabric: sysfs or lspci)', canPickMany: true },
        );
        if (!chosen || chosen.length === 0) return undefined;
        const kinds = chosen.map((c) => c.info);
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const picked: PickedSource[] = [];
        for (const k of kinds) {
            const uris = await vscode.window.showOpenDialog({
                title: `pciplat: ${k.label.replace(/^\$\([^)]*\) /, '')}`,
                canSelectFiles: !k.folder,
                canSelectFolders: k.folder,
                canSelectMany: k.many,
                ...(k.filters ? { filters: k.filters } : {}),
                ...(folder ? { defaultUri: folder } : {}),
                openLabel: 'Import',
            });
            if (!uris || uris.length === 0) return undefined;
            picked.push({ kind: k.kind, uris: uris.map((u) => u.toString()) });
        }
        const checked = importParamsOf(picked, 'file:///');
        if ('problem' in checked) return void vscode.window.showErrorMessage(`pciplat: ${checked.problem}`);
        const near = folder ?? vscode.Uri.joinPath(vscode.Uri.parse(picked[0]!.uris[0]!), '..');
        const target = await vscode.window.showSaveDialog({ title: 'pciplat: Write the imported platform to', defaultUri: vscode.Uri.joinPath(near, suggestedOutputName(picked)), filters: { 'pciplat platform': ['pciplat'] } });
        if (!target) return undefined;
        return { ...checked.params, output: target.toString() };
    }

    /** The sources' findings in the Problems panel, the written platform in an editor, one notification. */
    private async show(result: ImportResult): Promise<void> {
        this.diagnostics.clear();
        for (const [uri, list] of importDiagnostics(result)) {
            this.diagnostics.set(
                vscode.Uri.parse(uri),
                list.map((d) => {
                    const diagnostic = new vscode.Diagnostic(rangeOf(d.range), d.message, SEVERITY[d.severity]);
                    diagnostic.code = d.code;
                    diagnostic.source = IMPORT_SOURCE;
                    return diagnostic;
                }),
            );
        }
        if (result.uri) await vscode.window.showTextDocument(vscode.Uri.parse(result.uri), { preview: false });
        const outcome = importOutcome(result);
        const show = outcome.level === 'info' ? vscode.window.showInformationMessage : outcome.level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
        const source = outcome.source;
        void show(outcome.message, ...(source ? ['Open Source'] : [])).then((choice) => {
            if (choice && source) void reveal(new vscode.Location(vscode.Uri.parse(source.uri), rangeOf(source.range)));
        });
    }
}
