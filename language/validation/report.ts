// The one way language checks report: a stable code from the catalogue, its severity, and the
// related locations of the other party.
import { AstUtils, GrammarUtils, type AstNode, type DiagnosticInfo, type ValidationAcceptor } from 'langium';
import type { DiagnosticRelatedInformation } from 'vscode-languageserver-types';
import { CODES, type FindingCode } from '../../src/findings/codes.js';

export type Where<N extends AstNode> = Omit<DiagnosticInfo<N>, 'code' | 'relatedInformation'>;

export function report<N extends AstNode>(
    accept: ValidationAcceptor,
    code: FindingCode,
    message: string,
    where: Where<N>,
    related: DiagnosticRelatedInformation[] = [],
): void {
    const info = { ...where, code, relatedInformation: related.length > 0 ? related : undefined } as DiagnosticInfo<N>;
    accept(CODES[code].severity, message, info);
}

/** A related location pointing at a node (its name when it has one). */
export function relatedAt(node: AstNode, message: string): DiagnosticRelatedInformation {
    const document = AstUtils.getDocument(node);
    const cst = nameNode(node) ?? node.$cstNode;
    const range = cst?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { location: { uri: document.uri.toString(), range }, message };
}

function nameNode(node: AstNode) {
    return 'name' in node ? GrammarUtils.findNodeForProperty(node.$cstNode, 'name') : undefined;
}
