// "pciplat: Export…": pick one of the exports the server says apply to the platform, see its
// text in a read-only editor (a virtual document), and "Save as…" it.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { EXPORT_SCHEME, exportChoices, ExportStore } from './export-model.js';
import { EXPORT_METHOD, EXPORT_TARGETS_METHOD, type ExportParams, type ExportResult, type ExportTargetsResult } from './protocol.js';

export class ExportPreview implements vscode.TextDocumentContentProvider, vscode.Disposable {
    private readonly store = new ExportStore();
    private readonly registration: vscode.Disposable;

    constructor(private readonly client: () => LanguageClient | undefined) {
        this.registration = vscode.workspace.registerTextDocumentContentProvider(EXPORT_SCHEME, this);
    }

    provideTextDocumentContent(uri: vscode.Uri): string {
        return this.store.get(uri.path)?.text ?? '';
    }

    async run(source: vscode.Uri): Promise<void> {
        const c = this.client();
        if (!c) throw new Error('the language server is not running');
        const targets = await c.sendRequest<ExportTargetsResult>(EXPORT_TARGETS_METHOD, { uri: source.toString() });
        const choice = await vscode.window.showQuickPick(exportChoices(targets.targets), { title: `pciplat: Export ${targets.platform}`, placeHolder: 'What to export' });
        if (!choice) return;
        const params: ExportParams = { uri: source.toString(), format: choice.target.format, platform: targets.platform, domain: choice.target.domain, vm: choice.target.vm };
        let result = await c.sendRequest<ExportResult>(EXPORT_METHOD, params);
        if (result.text === null) {
            const anyway = await vscode.window.showWarningMessage(`pciplat: ${result.message ?? 'nothing exported'}`, 'Export Anyway');
            if (!anyway) return;
            result = await c.sendRequest<ExportResult>(EXPORT_METHOD, { ...params, force: true });
        }
        const key = this.store.add(result, source.toString());
        const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: EXPORT_SCHEME, path: key }));
        await vscode.languages.setTextDocumentLanguage(document, result.language);
        await vscode.window.showTextDocument(document, { preview: true });
    }

    async saveAs(arg: unknown): Promise<void> {
        const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
        const stored = uri?.scheme === EXPORT_SCHEME ? this.store.get(uri.path) : undefined;
        if (!stored) return void vscode.window.showInformationMessage('pciplat: open an export preview to save it.');
        const folder = vscode.Uri.joinPath(vscode.Uri.parse(stored.source), '..');
        const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, stored.fileName), title: 'pciplat: Save Export As' });
        if (!target) return;
        await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(stored.text));
    }

    dispose(): void {
        this.registration.dispose();
    }
}
