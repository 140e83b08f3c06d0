// Parsing of every construct: the kitchen-sink fixture uses every keyword of the grammar and
// must parse and link without a syntax or linking error.
import * as path from 'node:path';
import { CstUtils, GrammarAST, isLeafCstNode } from 'langium';
import { describe, expect, it } from 'vitest';
import { buildFiles } from '../helpers/workspace.js';
import { grammarKeywords } from './grammar-keywords.js';

const dir = path.join(__dirname, '..', 'fixtures', 'parse');

describe('parsing every construct', async () => {
    const { roots } = await buildFiles([path.join(dir, 'kitchen-sink.pciplat'), path.join(dir, 'soc-parts.pciplat')]);

    it('has no syntax or linking errors', () => {
        for (const document of roots) {
            const problems = (document.diagnostics ?? []).filter((d) => d.code === 'LANG-SYNTAX' || d.code === 'LANG-UNRESOLVED');
            expect(problems.map((d) => `${path.basename(document.uri.path)}:${d.range.start.line + 1} ${d.message}`)).toEqual([]);
        }
    });

    it('uses every keyword of the grammar', () => {
        const used = new Set<string>();
        for (const document of roots) {
            for (const cst of CstUtils.streamCst(document.parseResult.value.$cstNode!)) {
                if (isLeafCstNode(cst) && GrammarAST.isKeyword(cst.grammarSource)) used.add(cst.grammarSource.value);
            }
        }
        expect([...grammarKeywords()].filter((k) => !used.has(k)).sort()).toEqual([]);
    });
});
