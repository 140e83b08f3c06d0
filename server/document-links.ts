// Document links: the path of every `import "path"` links to the file it names (resolved against
// the importing file's folder, as the language does). A path naming no file gets no link: the
// import check reports it (LANG-IMPORT-NOT-FOUND).
import * as fs from 'node:fs';
import { GrammarUtils, type LangiumDocument, type LangiumDocuments } from 'langium';
import type { DocumentLinkProvider, LangiumServices } from 'langium/lsp';
import type { DocumentLink, DocumentLinkParams } from 'vscode-languageserver';
import { isModel } from '../language/generated/ast.js';
import { resolveImport } from '../language/scope/import-closure.js';

export class PciplatDocumentLinkProvider implements DocumentLinkProvider {
    private readonly documents: LangiumDocuments;

    constructor(services: LangiumServices) {
        this.documents = services.shared.workspace.LangiumDocuments;
    }

    getDocumentLinks(document: LangiumDocument, _params: DocumentLinkParams): DocumentLink[] {
        const root = document.parseResult?.value;
        if (!isModel(root)) return [];
        const links: DocumentLink[] = [];
        for (const imp of root.imports) {
            const node = GrammarUtils.findNodeForProperty(imp.$cstNode, 'path');
            if (!imp.path || !node) continue;
            const target = resolveImport(document.uri, imp.path);
            if (!this.documents.hasDocument(target) && !(target.scheme === 'file' && fs.existsSync(target.fsPath))) continue;
            // Inside the quotes.
            const { start, end } = node.range;
            const range = start.line === end.line && end.character - start.character >= 2 ? { start: { line: start.line, character: start.character + 1 }, end: { line: end.line, character: end.character - 1 } } : node.range;
            links.push({ range, target: target.toString(), tooltip: `Open ${imp.path}` });
        }
        return links;
    }
}
