// Locations from the server's answers → VS Code locations, and "go there".
import * as vscode from 'vscode';
import type { SourceRange } from './protocol.js';
import type { NodeLocation } from './trace-model.js';

export function rangeOf(r: SourceRange['range']): vscode.Range {
    return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** A location of a tree node or a finding; relative files are resolved against `base` (the simulated document). */
export function toLocation(loc: NodeLocation | SourceRange | undefined, base?: vscode.Uri): vscode.Location | undefined {
    if (!loc) return undefined;
    if ('range' in loc) return new vscode.Location(vscode.Uri.parse(loc.uri), rangeOf(loc.range));
    if (loc.kind === 'lsp') return new vscode.Location(vscode.Uri.parse(loc.uri), new vscode.Range(loc.start.line, loc.start.character, loc.end.line, loc.end.character));
    let uri: vscode.Uri;
    if (loc.file.startsWith('/')) uri = base ? base.with({ path: loc.file }) : vscode.Uri.file(loc.file);
    else if (base) uri = vscode.Uri.joinPath(base, '..', loc.file);
    else return undefined;
    const start = new vscode.Position(Math.max(0, loc.line - 1), Math.max(0, loc.column - 1));
    const end = loc.endLine !== undefined && loc.endColumn !== undefined ? new vscode.Position(Math.max(0, loc.endLine - 1), Math.max(0, loc.endColumn - 1)) : start;
    return new vscode.Location(uri, new vscode.Range(start, end));
}

/** Opens the document and selects the range (in the editor group that already shows it, if any). */
export async function reveal(location: vscode.Location): Promise<void> {
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === location.uri.toString());
    await vscode.window.showTextDocument(location.uri, {
        selection: location.range,
        viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
        preserveFocus: false,
    });
}

export function isPciplat(document: vscode.TextDocument | undefined): document is vscode.TextDocument {
    return document?.languageId === 'pciplat';
}
