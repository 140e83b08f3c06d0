// Every example of the product's acceptance corpus (copied from the team's shared examples)
// parses and links without error.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFiles } from '../helpers/workspace.js';

const dir = path.join(__dirname, '..', 'fixtures', 'acceptance');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.pciplat'));

describe('acceptance examples', () => {
    it.each(files)('%s parses and links', async (file) => {
        const { roots } = await buildFiles([path.join(dir, file)]);
        const problems = (roots[0]!.diagnostics ?? []).filter((d) => d.severity === 1);
        expect(problems.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code ?? ''} ${d.message}`)).toEqual([]);
    });
});
