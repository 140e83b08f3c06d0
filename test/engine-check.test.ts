// Fixture-driven tests of what `pciplat check` reports: the language checks and the simulation
// of the implicit scenario and of every written one, as the CLI prints them (SARIF and the
// editor get the same findings).
// Every file under test/fixtures/check states the findings it expects in its own lines, as the
// language fixtures do (test/helpers/expectations.ts); a file stating none must produce none.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe as group, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { CODES, type FindingCode } from '../src/findings/codes.js';
import { loadWithLangium } from '../language/workspace/loader.js';
import { describe, expectationsOf } from './helpers/expectations.js';

const root = path.join(__dirname, 'fixtures', 'check');

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

group('pciplat check (fixtures)', () => {
    const files = fs.readdirSync(root).filter((f) => f.endsWith('.pciplat')).sort();
    it.each(files)('%s', async (file) => {
        const full = path.join(root, file);
        const expected = expectationsOf(fs.readFileSync(full, 'utf8')).map(describe);
        expect((await checkFindings(full)).sort()).toEqual(expected.sort());
    });
});
