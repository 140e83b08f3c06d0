// Loading platform files for the CLI and tests: read the requested files and, transitively,
// every file they import; build them (parse, link, validate) with the same services the
// language server uses. Unreadable or non-text files are reported, never thrown.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI, type LangiumDocument } from 'langium';
import { isModel, type Model } from '../generated/ast.js';
import { resolveImport } from '../scope/import-closure.js';
import type { PciplatServices } from '../pciplat-module.js';
import type { LangiumSharedCoreServices } from 'langium';

/** Reads a file as text: the text, or why it cannot be used. */
export type TextReader = (uri: URI) => { text: string } | { error: 'missing' | 'not-text'; detail: string };

export const readTextFile: TextReader = (uri) => {
    let bytes: Buffer;
    try {
        bytes = fs.readFileSync(uri.fsPath);
    } catch (error) {
        return { error: 'missing', detail: (error as NodeJS.ErrnoException).code ?? String(error) };
    }
    try {
        return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
    } catch {
        return { error: 'not-text', detail: 'not a text file: it is not valid UTF-8 (LANG-NOT-TEXT)' };
    }
};

export interface LoadedWorkspace {
    /** The documents for the requested paths, in order. */
    roots: LangiumDocument<Model>[];
    /** Requested paths that could not be read (the CLI exits 2 for these). */
    unreadable: { path: string; detail: string }[];
}

export async function loadAndBuild(
    paths: string[],
    services: { shared: LangiumSharedCoreServices; Pciplat: PciplatServices },
    read: TextReader = readTextFile,
): Promise<LoadedWorkspace> {
    const documents = services.shared.workspace.LangiumDocuments;
    const factory = services.shared.workspace.LangiumDocumentFactory;
    const roots: LangiumDocument<Model>[] = [];
    const unreadable: LoadedWorkspace['unreadable'] = [];
    const queue: { uri: URI; requested?: string }[] = paths.map((p) => ({ uri: URI.file(path.resolve(p)), requested: p }));

    while (queue.length > 0) {
        const { uri, requested } = queue.shift()!;
        let document = documents.getDocument(uri) as LangiumDocument<Model> | undefined;
        if (!document) {
            const content = read(uri);
            if ('error' in content) {
                // An unreadable import is reported at its `import` statement by the input checks.
                if (requested !== undefined) unreadable.push({ path: requested, detail: content.detail });
                continue;
            }
            document = factory.fromString<Model>(content.text, uri);
            documents.addDocument(document);
            const root = document.parseResult.value;
            if (isModel(root)) {
                for (const imp of root.imports) {
                    if (imp.path) queue.push({ uri: resolveImport(uri, imp.path) });
                }
            }
        }
        if (requested !== undefined && !roots.includes(document)) roots.push(document);
    }
    await services.shared.workspace.DocumentBuilder.build([...documents.all], { validation: true });
    return { roots, unreadable };
}
