// Fixture-driven tests of what `pciplat check` reports: the language checks and the simulation
// of the implicit scenario and of every written one, as the CLI prints them (SARIF and the
// editor get the same findings).
// Every file under test/fixtures/check states the findings it expects in its own lines, as the
// language fixtures do (test/helpers/expectations.ts); a file stating none must produce none.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe as group, expect, it } from 'vitest';
import { checkFindings } from './helpers/check.js';
import { describe, expectationsOf } from './helpers/expectations.js';

const root = path.join(__dirname, 'fixtures', 'check');

group('pciplat check (fixtures)', () => {
    const files = fs.readdirSync(root).filter((f) => f.endsWith('.pciplat')).sort();
    it.each(files)('%s', async (file) => {
        const full = path.join(root, file);
        const expected = expectationsOf(fs.readFileSync(full, 'utf8')).map(describe);
        expect((await checkFindings(full)).sort()).toEqual(expected.sort());
    });
});
