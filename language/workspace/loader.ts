// The CLI's loader (src/cli/frontend.ts): build the files with the language services, turn
// every file's diagnostics into findings, and lower the requested files' platforms.
import { NodeFileSystem } from 'langium/node';
import type { LoadedInput, Loader } from '../../src/cli/frontend.js';
import { lowerModel } from '../lower/lower-platform.js';
import { createPciplatServices } from '../pciplat-module.js';
import { documentFindings } from './findings.js';
import { loadAndBuild } from './load.js';

export const loadWithLangium: Loader = async (paths: string[]): Promise<LoadedInput> => {
    const services = createPciplatServices(NodeFileSystem);
    const { roots, unreadable } = await loadAndBuild(paths, services);
    // Findings of every loaded file: an error in an imported file matters to the importer.
    const findings = services.shared.workspace.LangiumDocuments.all.toArray().flatMap(documentFindings);
    // A file with syntax errors is not simulated (as in the editor): its partial nodes (a function
    // without its name or address) would only give findings about what is missing.
    const platforms = roots.filter((document) => document.parseResult.lexerErrors.length === 0 && document.parseResult.parserErrors.length === 0).flatMap((document) => lowerModel(document.parseResult.value));
    return { findings, platforms, unreadable };
};
