// docs/diagnostics.md and README.md's table document every code of the catalogue: regenerate
// them with `npm run docs:codes` when this fails.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { renderCodesMarkdown, withCodesTable } from '../src/findings/codes-markdown.js';

const top = path.join(__dirname, '..');

it('docs/diagnostics.md is generated from the current code catalogue', () => {
    expect(fs.readFileSync(path.join(top, 'docs', 'diagnostics.md'), 'utf8')).toBe(renderCodesMarkdown());
});

it("README.md's table lists the current code catalogue", () => {
    const readme = fs.readFileSync(path.join(top, 'README.md'), 'utf8');
    expect(readme).toContain('<!-- codes:begin -->');
    expect(readme).toBe(withCodesTable(readme));
});
