// Building platform files for tests through the same loader the CLI uses, from real files or
// from in-memory text.
import { EmptyFileSystem, URI } from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import { createPciplatServices } from '../../language/pciplat-module.js';
import { loadAndBuild, readTextFile, type TextReader } from '../../language/workspace/load.js';

export async function buildFiles(paths: string[], read: TextReader = readTextFile) {
    const services = createPciplatServices(EmptyFileSystem);
    const workspace = await loadAndBuild(paths, services, read);
    return { services, ...workspace };
}

/** Build in-memory files: `{ 'a.pciplat': 'text', ... }`, rooted at /mem. Returns diagnostics per file. */
export async function buildTexts(files: Record<string, string>, roots: string[] = Object.keys(files).slice(0, 1)) {
    const byPath = new Map(Object.entries(files).map(([name, text]) => [URI.file(`/mem/${name}`).fsPath, text]));
    const read: TextReader = (uri) => {
        const text = byPath.get(uri.fsPath);
        return text === undefined ? { error: 'missing', detail: 'ENOENT' } : { text };
    };
    return buildFiles(roots.map((r) => `/mem/${r}`), read);
}

export function diagnosticsOf(doc: { diagnostics?: Diagnostic[] }): Diagnostic[] {
    return doc.diagnostics ?? [];
}
