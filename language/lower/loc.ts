// Source locations for the model: the whole node, or one of its properties.
import { AstUtils, GrammarUtils, type AstNode, type Reference } from 'langium';
import type { SourceLoc } from '../../src/model/source.js';

const NOWHERE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function locOf(node: AstNode): SourceLoc {
    const range = node.$cstNode?.range ?? NOWHERE;
    return { uri: AstUtils.getDocument(node).uri.toString(), start: range.start, end: range.end };
}

/** The location of a property's text (e.g. the `name`), falling back to the whole node. */
export function locOfProperty(node: AstNode, property: string): SourceLoc {
    const cst = GrammarUtils.findNodeForProperty(node.$cstNode, property);
    if (!cst) return locOf(node);
    return { uri: AstUtils.getDocument(node).uri.toString(), start: cst.range.start, end: cst.range.end };
}

/** The location of one reference of a list (`device-scope a b`), falling back to its node. */
export function locOfReference(node: AstNode, ref: Reference): SourceLoc {
    const cst = ref.$refNode;
    if (!cst) return locOf(node);
    return { uri: AstUtils.getDocument(node).uri.toString(), start: cst.range.start, end: cst.range.end };
}
