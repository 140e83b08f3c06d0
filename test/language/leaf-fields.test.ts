// CST leaf positions stay small integers (V8's Smi) through every kind of in-place update
// (language/workspace/incremental-parse.ts `smi`). One position written as a heap number turns the
// leaf class's fields into double fields: V8 then migrates every leaf of the document on its next
// access (the first function added to a 1k-function platform took 15 ms in `shiftAfter` instead of
// 0.6) and each leaf keeps 16 bytes more per number. Only natives syntax can see it, so the probe
// runs in its own Node process against the compiled project (`npm test` builds out/ first).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.join(__dirname, '..', '..');

describe('CST leaf positions after in-place updates', () => {
    it('stay small integers after a token patch, an item splice and a block splice', () => {
        if (!fs.existsSync(path.join(REPO, 'out', 'language', 'pciplat-module.js'))) throw new Error('compile the project first: npm run build');
        const output = execFileSync(
            process.execPath,
            ['--allow-natives-syntax', '--import', './language/polyfill.mjs', 'test/language/leaf-fields-probe.mjs', 'examples/arm-server.pciplat'],
            { cwd: REPO, encoding: 'utf8' },
        );
        expect(JSON.parse(output)).toEqual([
            { how: 'open', notSmall: 0 },
            { how: 'token', notSmall: 0 },
            { how: 'items', notSmall: 0 },
            { how: 'block', notSmall: 0 },
        ]);
    });
});
