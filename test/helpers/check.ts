// `pciplat check` run in-process on a real file, its JSON findings as comparable lines.
import * as path from 'node:path';
import { expect } from 'vitest';
import { loadWithLangium } from '../../language/workspace/loader.js';
import { runCli } from '../../src/cli/main.js';
import { CODES, type FindingCode } from '../../src/findings/codes.js';

/**
 * Every finding `pciplat check FILE --format json` prints, as `L:C-L:C CODE: message` (findings
 * in other files are not expected), with ` [severity]` after the message when it is not the
 * catalogue's.
 */
export async function checkFindings(file: string): Promise<string[]> {
    let out = '';
    const io = { stdout: (t: string) => void (out += t), stderr: () => undefined, cwd: path.dirname(file) };
    await runCli(['check', path.basename(file), '--format', 'json'], io, loadWithLangium);
    const findings = (JSON.parse(out) as { findings: JsonFinding[] }).findings;
    return findings.map((f) => {
        expect(f.line, `${f.code} has a location`).not.toBeNull();
        const message = f.severity === CODES[f.code as FindingCode].severity ? f.message : `${f.message} [${f.severity}]`;
        const where = f.file === path.basename(file) ? '' : `${f.file} `;
        return `${where}${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.code}: ${message}`;
    });
}

interface JsonFinding {
    code: string;
    severity: string;
    message: string;
    file: string | null;
    line: number | null;
    column: number | null;
    endLine: number | null;
    endColumn: number | null;
}

