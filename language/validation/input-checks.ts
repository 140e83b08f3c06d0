// Checks on the input as a whole: documents the parser refused, imports, names that collide
// across the import closure, and numbers that do not fit 64 bits.
import { AstUtils, CstUtils, isLeafCstNode, type AstNode, type AstNodeDescription, type ValidationAcceptor, type ValidationChecks } from 'langium';
import type { Import, Model, PciplatAstType } from '../generated/ast.js';
import { U64_MAX, hex, numberValue } from '../numbers.js';
import { inputRejection } from '../parse-guard.js';
import type { PciplatServices } from '../pciplat-module.js';
import { resolveImport } from '../scope/import-closure.js';
import { report } from './report.js';

const FILE_START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function inputChecks(services: PciplatServices): ValidationChecks<PciplatAstType> {
    const documents = services.shared.workspace.LangiumDocuments;
    const indexManager = services.shared.workspace.IndexManager;
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

    /** Each name declared in this document that another visible declaration also uses. */
    function checkDuplicateNames(model: Model, accept: ValidationAcceptor): void {
        const document = AstUtils.getDocument(model);
        const own = document.uri.toString();
        const byName = new Map<string, AstNodeDescription[]>();
        for (const description of indexManager.allElements(undefined, scopes.visibleUris(document))) {
            const list = byName.get(description.name);
            if (list) list.push(description);
            else byName.set(description.name, [description]);
        }
        for (const [name, list] of byName) {
            if (list.length < 2) continue;
            for (const mine of list) {
                if (mine.documentUri.toString() !== own || !mine.node) continue;
                const others = list.filter((d) => d !== mine);
                const related = others.map((d) => ({
                    location: { uri: d.documentUri.toString(), range: d.nameSegment?.range ?? FILE_START },
                    message: `${name} is also declared here`,
                }));
                const first = others[0]!;
                const where = `${first.documentUri.toString() === own ? 'line' : `${first.documentUri.path.split('/').pop()} line`} ${(first.nameSegment?.range.start.line ?? 0) + 1}`;
                report(accept, 'LANG-DUPLICATE-NAME', `The name ${name} is declared ${list.length} times (also at ${where}).`, { node: mine.node, property: 'name' as never }, related);
            }
        }
    }

    function checkNumbers(model: Model, accept: ValidationAcceptor): void {
        if (!model.$cstNode) return;
        for (const cst of CstUtils.streamCst(model.$cstNode)) {
            if (!isLeafCstNode(cst) || cst.tokenType.name !== 'NUMBER') continue;
            if (numberValue(cst.text) > U64_MAX) {
                report(accept, 'LANG-NUMBER-OVERFLOW', `${cst.text} does not fit in 64 bits (the largest value is ${hex(U64_MAX)}).`, { node: cst.astNode as AstNode, range: cst.range });
            }
        }
    }

    return {
        Model: [checkRejectedInput, checkDuplicateNames, checkNumbers],
        Import: checkImport,
    };
}

