// Fixture-driven tests of what `pciplat check` reports: the language checks and the simulation
// of the implicit scenario and of every written one, as the CLI, SARIF and the editor see them.
// Every file under test/fixtures/check states the findings it expects in its own lines, as the
// language fixtures do (test/helpers/expectations.ts); a file stating none must produce none.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'langium';
import { describe as group, expect, it } from 'vitest';
import { collectFindings } from '../src/cli/findings.js';
import { CODES } from '../src/findings/codes.js';
import { simulate } from '../src/engine/simulate.js';
import { loadWithLangium } from '../language/workspace/loader.js';
import { describe, expectationsOf } from './helpers/expectations.js';

const root = path.join(__dirname, 'fixtures', 'check');

/**
 * Every finding `check` gives for `file`, as `L:C-L:C CODE: message` (findings in other files are
 * not expected), with ` [severity]` after the message when it is not the catalogue's.
 */
export async function checkFindings(file: string): Promise<string[]> {
    const input = await loadWithLangium([file]);
    const simulated = input.platforms.map((p) => simulate(p, { everyScenario: true }).findings);
    const uri = URI.file(file).toString();
    return collectFindings(input.findings, ...simulated).map((f) => {
        expect(f.loc, `${f.code} has a location`).toBeDefined();
        const message = f.severity === CODES[f.code].severity ? f.message : `${f.message} [${f.severity}]`;
        return f.loc!.uri === uri ? describe({ code: f.code, message, range: f.loc! }) : `${f.loc!.uri} ${f.code}: ${message}`;
    });
}

group('pciplat check (fixtures)', () => {
    const files = fs.readdirSync(root).filter((f) => f.endsWith('.pciplat')).sort();
    it.each(files)('%s', async (file) => {
        const full = path.join(root, file);
        const expected = expectationsOf(fs.readFileSync(full, 'utf8')).map(describe);
        expect((await checkFindings(full)).sort()).toEqual(expected.sort());
    });
});
