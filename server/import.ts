// pciplat/import: `pciplat import` from the editor. The same sources → printed platform as the CLI
// (src/cli/import-sources.ts), the same atomic write and the same refusal to overwrite without
// `force`; the import's findings come back with their source file and line, and the written file
// is loaded into the workspace (replacing what the server knew of it) so its check findings come
// back too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCodes, ResponseError } from 'vscode-languageserver';
import type { Finding } from '../src/findings/finding.js';
import { ImportError } from '../src/import/errors.js';
import { IMPORT_INPUTS, ImportFailure, importErrorFinding, importInputsProblem, importText, isPlatformName, platformNameFrom, writeAtomically, type ImportInputs } from '../src/cli/import-sources.js';
import type { ImportFinding, ImportParams, ImportResult } from './protocol.js';

/** Checks the written platform: its findings (parse, validation) once the server has (re)read it. */
export type CheckWritten = (uri: string) => Promise<Finding[]>;

function failure(message: string): ResponseError<void> {
    return new ResponseError(ErrorCodes.InvalidParams, message);
}

/** A `file:` URI or an absolute path → an absolute path. */
function pathOf(value: unknown, what: string): string {
    if (typeof value !== 'string' || value === '') throw failure(`\`${what}\` must be a file: URI or an absolute path`);
    if (value.startsWith('file:')) {
        try {
            return fileURLToPath(value);
        } catch {
            throw failure(`\`${what}\` is not a file URI: ${value}`);
        }
    }
    if (!path.isAbsolute(value)) throw failure(`\`${what}\` must be a file: URI or an absolute path (got ${value})`);
    return value;
}

function importFinding(f: Finding): ImportFinding {
    const loc = f.loc && { uri: f.loc.uri, range: { start: f.loc.start, end: f.loc.end } };
    return { code: f.code, severity: f.severity, message: f.message, ...(f.loc ? { uri: f.loc.uri, line: f.loc.start.line + 1, loc } : {}) };
}

function countErrors(findings: ImportFinding[]): number {
    return findings.filter((f) => f.severity === 'error').length;
}

export async function runImportRequest(params: ImportParams, check: CheckWritten): Promise<ImportResult> {
    const output = pathOf(params.output, 'output');
    // Relative to the output's folder (the import's cwd) where the source is in it or below, as a
    // user would name them there: the written comments and header then read as the CLI's.
    const cwd = path.dirname(output);
    const inputs: ImportInputs = {};
    for (const k of IMPORT_INPUTS) {
        if (params[k] === undefined) continue;
        const abs = pathOf(params[k], k);
        const rel = path.relative(cwd, abs);
        inputs[k] = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
    }
    const problem = importInputsProblem(inputs);
    if (problem) throw failure(problem.replace(/--(\w+)/g, '`$1`'));
    const name = params.name ?? platformNameFrom(output);
    if (typeof name !== 'string' || !isPlatformName(name)) throw failure(`'${String(name)}' is not a valid platform name (letters, digits, _ and single inner hyphens)`);
    const outName = path.basename(output);
    if (fs.existsSync(output) && params.force !== true) {
        return { uri: null, exists: true, findings: [], errors: 0, message: `${outName} exists; nothing written (overwrite it with \`force\`)` };
    }
    let imported;
    try {
        imported = await importText(inputs, name, cwd);
    } catch (error) {
        if (error instanceof ImportError) {
            const f = importFinding(importErrorFinding(error, cwd));
            return { uri: null, exists: false, findings: [f], errors: 1, message: `nothing written: ${path.basename(error.file)}${error.line > 0 ? `:${error.line}` : ''}: ${error.code} ${error.message}` };
        }
        if (error instanceof ImportFailure) throw failure(error.message);
        throw error;
    }
    try {
        writeAtomically(output, imported.text);
    } catch (error) {
        if (error instanceof ImportFailure) throw failure(error.message);
        throw error;
    }
    const uri = pathToFileURL(output).href;
    const checked = await check(uri);
    const findings = [...imported.notes, ...checked].map(importFinding);
    const errors = countErrors(findings);
    const notes = imported.notes.length;
    const remarks = notes > 0 ? `, ${notes} import remark${notes === 1 ? '' : 's'}` : '';
    const message = errors > 0 ? `wrote ${outName} (platform ${name}): ${errors} error finding${errors === 1 ? '' : 's'}${remarks}` : `wrote ${outName} (platform ${name})${remarks}`;
    return { uri, exists: false, findings, errors, message };
}
