// Checks on the input as a whole: documents the parser refused, imports, names that collide
// across the import closure, and numbers that do not fit 64 bits.
import { AstUtils, isLeafCstNode, type AstNode, type CstNode, type AstNodeDescription, type ValidationAcceptor, type ValidationChecks } from 'langium';
import type { Import, Model, PciplatAstType } from '../generated/ast.js';
import { U64_MAX, hex, numberValue } from '../numbers.js';
import { inputRejection } from '../parse-guard.js';
import type { PciplatServices } from '../pciplat-module.js';
import { resolveImport } from '../scope/import-closure.js';
import { quoteToken } from '../../src/findings/quote.js';
import { report } from './report.js';
import { forEachLeaf } from './walk.js';
import { itemSplices, tokenPatches } from '../workspace/incremental-parse.js';

/**
 * The length of the shortest NUMBER above 64 bits: `16384P` (2^14 × 2^50). Without a suffix a
 * number needs 20 decimal or 17 hex digits; T, G, M and K leave even more digits to write.
 */
const SHORTEST_OVERFLOW = '16384P'.length;

const FILE_START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The NUMBER leaves above 64 bits of a tree, with the text they were found in. */
const overflowing = new WeakMap<Model, { text: string; leaves: CstNode[] }>();

function overflows(cst: CstNode): boolean {
    // Shorter than `16384P` (2^64), no NUMBER exceeds 64 bits: most are not even read.
    return isLeafCstNode(cst) && cst.length >= SHORTEST_OVERFLOW && cst.tokenType.name === 'NUMBER' && numberValue(cst.text) > U64_MAX;
}

export function inputChecks(services: PciplatServices): ValidationChecks<PciplatAstType> {
    const documents = services.shared.workspace.LangiumDocuments;
    const scopes = services.references.ScopeProvider;

    function checkRejectedInput(model: Model, accept: ValidationAcceptor): void {
        const rejection = inputRejection(model);
        if (rejection) report(accept, rejection.code, rejection.message, { node: model, range: FILE_START });
    }

    function checkImport(imp: Import, accept: ValidationAcceptor): void {
        if (!imp.path) return;
        const document = AstUtils.getDocument(imp);
        const target = resolveImport(document.uri, imp.path);
        if (target.toString() === document.uri.toString()) {
            report(accept, 'LANG-IMPORT-SELF', `"${imp.path}" is this file: a file cannot import itself.`, { node: imp, property: 'path' });
        } else if (!documents.hasDocument(target)) {
            report(accept, 'LANG-IMPORT-NOT-FOUND', `Cannot read "${imp.path}": no readable file at that path relative to this file.`, { node: imp, property: 'path' });
        }
    }

    /**
     * Each declaration in this document whose name an earlier visible declaration already uses:
     * one finding per duplicate, pointing at the first declaration (the one references mean), so
     * k declarations of a name give k-1 findings with one related location each, not k×(k-1).
     */
    function checkDuplicateNames(model: Model, accept: ValidationAcceptor): void {
        const document = AstUtils.getDocument(model);
        const own = document.uri.toString();
        const byName = new Map<string, { first: AstNodeDescription; count: number; mine: AstNodeDescription[] }>();
        for (const description of scopes.visibleElements(undefined, document)) {
            const entry = byName.get(description.name);
            if (!entry) {
                byName.set(description.name, { first: description, count: 1, mine: [] });
                continue;
            }
            entry.count++;
            if (description.documentUri.toString() === own && description.node) entry.mine.push(description);
        }
        for (const [name, { first, count, mine }] of byName) {
            if (mine.length === 0) continue;
            const file = first.documentUri.toString() === own ? '' : `${first.documentUri.path.split('/').pop()} `;
            const where = `${file}line ${(first.nameSegment?.range.start.line ?? 0) + 1}`;
            const shown = quoteToken(name);
            const related = [{ location: { uri: first.documentUri.toString(), range: first.nameSegment?.range ?? FILE_START }, message: `${shown} is first declared here` }];
            for (const duplicate of mine) {
                report(
                    accept,
                    'LANG-DUPLICATE-NAME',
                    `The name ${shown} is declared ${count} times; the first declaration is at ${where}, and references to ${shown} mean that one.`,
                    { node: duplicate.node!, property: 'name' as never },
                    related,
                );
            }
        }
    }

    /**
     * Every NUMBER above 64 bits, in the text's order. The leaves that overflowed are kept per
     * tree: after a token patch (language/workspace/incremental-parse.ts) only the patched leaf can
     * have started or stopped overflowing (every other leaf kept its text), and after an item
     * splice only the spliced-in items' leaves, so the walk over every leaf (about 9 ms at 10k
     * functions) is made only after other updates.
     */
    function checkNumbers(model: Model, accept: ValidationAcceptor): void {
        if (!model.$cstNode) return;
        const text = model.$cstNode.root.fullText;
        const known = overflowing.get(model);
        const patch = tokenPatches.get(model);
        const splice = itemSplices.get(model);
        let leaves: CstNode[];
        if (known && known.text === text) {
            leaves = known.leaves;
        } else if (known && patch && patch.oldText === known.text && patch.newText === text) {
            leaves = known.leaves.filter((leaf) => leaf !== patch.leaf);
            if (overflows(patch.leaf)) {
                const at = leaves.findIndex((leaf) => leaf.offset > patch.leaf.offset);
                leaves.splice(at < 0 ? leaves.length : at, 0, patch.leaf);
            }
        } else if (known && splice && splice.oldText === known.text && splice.newText === text) {
            // After an item splice only the spliced-in items' leaves are new; the spliced-out ones are gone.
            const gone = new Set<CstNode>();
            for (const cst of splice.removed) forEachLeaf(cst, (leaf) => gone.add(leaf));
            const added: CstNode[] = [];
            for (const cst of splice.added) forEachLeaf(cst, (leaf) => {
                if (overflows(leaf)) added.push(leaf);
            });
            leaves = [...known.leaves.filter((leaf) => !gone.has(leaf)), ...added].sort((a, b) => a.offset - b.offset);
        } else {
            leaves = [];
            forEachLeaf(model.$cstNode, (cst) => {
                if (overflows(cst)) leaves.push(cst);
            });
        }
        overflowing.set(model, { text, leaves });
        for (const cst of leaves) {
            report(accept, 'LANG-NUMBER-OVERFLOW', `${quoteToken(cst.text)} does not fit in 64 bits (the largest value is ${hex(U64_MAX)}).`, { node: cst.astNode as AstNode, range: cst.range });
        }
    }

    return {
        Model: [checkRejectedInput, checkDuplicateNames, checkNumbers],
        Import: checkImport,
    };
}

