// Checks on the input as a whole: documents the parser refused, imports, names that collide
// across the import closure, and numbers that do not fit 64 bits.
import { AstUtils, isLeafCstNode, type AstNode, type AstNodeDescription, type ValidationAcceptor, type ValidationChecks } from 'langium';
import type { Import, Model, PciplatAstType } from '../generated/ast.js';
import { U64_MAX, hex, numberValue } from '../numbers.js';
import { inputRejection } from '../parse-guard.js';
import type { PciplatServices } from '../pciplat-module.js';
import { resolveImport } from '../scope/import-closure.js';
import { quoteToken } from '../../src/findings/quote.js';
import { report } from './report.js';
import { forEachLeaf } from './walk.js';

/**
 * The length of the shortest NUMBER above 64 bits: `16384P` (2^14 × 2^50). Without a suffix a
 * number needs 20 decimal or 17 hex digits; T, G, M and K leave even more digits to write.
 */
const SHORTEST_OVERFLOW = '16384P'.length;

const FILE_START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

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

    function checkNumbers(model: Model, accept: ValidationAcceptor): void {
        if (!model.$cstNode) return;
        forEachLeaf(model.$cstNode, (cst) => {
            // Shorter than `16384P` (2^64), no NUMBER exceeds 64 bits: most are not even read.
            if (!isLeafCstNode(cst) || cst.length < SHORTEST_OVERFLOW || cst.tokenType.name !== 'NUMBER') return;
            if (numberValue(cst.text) > U64_MAX) {
                report(accept, 'LANG-NUMBER-OVERFLOW', `${quoteToken(cst.text)} does not fit in 64 bits (the largest value is ${hex(U64_MAX)}).`, { node: cst.astNode as AstNode, range: cst.range });
            }
        });
    }

    return {
        Model: [checkRejectedInput, checkDuplicateNames, checkNumbers],
        Import: checkImport,
    };
}

