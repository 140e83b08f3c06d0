// The CLI's loader (src/cli/frontend.ts): build the files with the language services, turn
// every file's diagnostics into findings, and lower the requested files' platforms.
import { NodeFileSystem } from 'langium/node';
import type { LoadedInput, Loader } from '../../src/cli/frontend.js';
import { lowerModel } from '../lower/lower-platform.js';
import { createPciplatServices } from '../pciplat-module.js';
import { documentFindings } from './findings.js';
import { loadAndBuild, readTextFile, type TextReader } from './load.js';

type Services = ReturnType<typeof createPciplatServices>;

/**
 * The CLI's loader reading files with `read` (the fuzzer reads its inputs from memory). The CLI
 * builds its services once per process; `services` lets a long-running caller (the fuzzer) keep
 * one set across loads instead of building the parser again each time (see `emptiedServices`).
 */
export function langiumLoader(read: TextReader = readTextFile, services: () => Services | Promise<Services> = () => createPciplatServices(NodeFileSystem)): Loader {
    return async (paths: string[]): Promise<LoadedInput> => {
        const { shared, Pciplat } = await services();
        const { roots, unreadable } = await loadAndBuild(paths, { shared, Pciplat }, read);
        // Findings of every loaded file: an error in an imported file matters to the importer.
        const findings = shared.workspace.LangiumDocuments.all.toArray().flatMap(documentFindings);
        // A file with syntax errors is not simulated (as in the editor): its partial nodes (a function
        // without its name or address) would only give findings about what is missing.
        const platforms = roots.filter((document) => document.parseResult.lexerErrors.length === 0 && document.parseResult.parserErrors.length === 0).flatMap((document) => lowerModel(document.parseResult.value));
        return { findings, platforms, unreadable };
    };
}

export const loadWithLangium: Loader = langiumLoader();

/** `services` with every document of the previous load removed (index and caches too), ready for the next. */
export async function emptiedServices(services: Services): Promise<Services> {
    const uris = services.shared.workspace.LangiumDocuments.all.map((d) => d.uri).toArray();
    if (uris.length > 0) await services.shared.workspace.DocumentBuilder.update([], uris);
    return services;
}
