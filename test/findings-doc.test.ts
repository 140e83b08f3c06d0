// docs/diagnostics.md documents every code of the catalogue: regenerate it with
// `npm run docs:codes` when this fails.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { renderCodesMarkdown } from '../src/findings/codes-markdown.js';

it('docs/diagnostics.md is generated from the current code catalogue', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', 'docs', 'diagnostics.md'), 'utf8');
    expect(committed).toBe(renderCodesMarkdown());
});
