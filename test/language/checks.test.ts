// Fixture-driven tests of the language-level checks: every file under test/fixtures/checks
// states the diagnostics it expects (test/helpers/expectations.ts); a file stating none must
// produce none. A folder is one workspace: its files are built together (for imports) and
// each file's own diagnostics are compared with its own expectations.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe as group, expect, it } from 'vitest';
import { CODES, isFindingCode } from '../../src/findings/codes.js';
import { describe, expectationsOf } from '../helpers/expectations.js';
import { buildFiles } from '../helpers/workspace.js';

const root = path.join(__dirname, '..', 'fixtures', 'checks');

function fixtures(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        return e.isDirectory() ? fixtures(full) : e.name.endsWith('.pciplat') ? [full] : [];
    });
}

const SEVERITY = { error: 1, warning: 2, info: 3 } as const;

group('language checks (fixtures)', () => {
    const files = fixtures(root).map((f) => path.relative(root, f));
    it.each(files)('%s', async (file) => {
        const full = path.join(root, file);
        // A fixture stands alone, unless its folder is named `*.workspace`: then the folder's
        // files are built together (imports) and each is compared with its own expectations.
        const dir = path.dirname(full);
        const siblings = !dir.endsWith('.workspace') ? [] : fs.readdirSync(dir).filter((f) => f.endsWith('.pciplat')).map((f) => path.join(dir, f)).filter((s) => s !== full);
        const { roots } = await buildFiles([full, ...siblings]);
        const document = roots[0]!;
        const actual = (document.diagnostics ?? []).map((d) => ({ code: String(d.code), message: String(d.message), range: d.range, severity: d.severity }));
        const expected = expectationsOf(fs.readFileSync(full, 'utf8'));
        expect(actual.map(describe).sort()).toEqual(expected.map(describe).sort());
        for (const d of actual) {
            if (isFindingCode(d.code)) expect(d.severity, `${d.code} severity`).toBe(SEVERITY[CODES[d.code].severity]);
        }
    });
});
