#!/usr/bin/env node
// Development tool (npm run docs:codes): regenerate docs/diagnostics.md and README.md's codes
// table from the catalogue in src/findings/codes.ts (after `npm run build`).
import * as fs from 'node:fs';
import { renderCodesMarkdown, withCodesTable } from '../out/src/findings/codes-markdown.js';

fs.writeFileSync(new URL('../docs/diagnostics.md', import.meta.url), renderCodesMarkdown());
const readme = new URL('../README.md', import.meta.url);
fs.writeFileSync(readme, withCodesTable(fs.readFileSync(readme, 'utf8')));
