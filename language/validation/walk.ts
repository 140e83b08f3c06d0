// Walking an AST in the order Langium's AstUtils.streamAst does (pre-order, properties in key
// order, `$` properties skipped), without its iterator objects: on a 10k-function platform the
// streams cost more than the checks they feed.
import { isAstNode, type AstNode, type CstNode } from 'langium';

/** Direct children of `node`, in streamContents order, pushed in reverse onto `stack`. */
export function pushChildren(node: AstNode, stack: AstNode[]): void {
    const start = stack.length;
    for (const property of Object.keys(node)) {
        if (property.startsWith('$')) continue;
        const value = (node as unknown as Record<string, unknown>)[property];
        if (isAstNode(value)) stack.push(value);
        else if (Array.isArray(value)) {
            for (const element of value) if (isAstNode(element)) stack.push(element);
        }
    }
    // Reversed in place, so the first child is popped first.
    for (let i = start, j = stack.length - 1; i < j; i++, j--) {
        const t = stack[i]!;
        stack[i] = stack[j]!;
        stack[j] = t;
    }
}

/** Every CST leaf below `root` (root included when a leaf), in CstUtils.streamCst's order. */
export function forEachLeaf(root: CstNode, visit: (leaf: CstNode) => void): void {
    const stack: CstNode[] = [root];
    while (stack.length > 0) {
        const node = stack.pop()!;
        const content = (node as { content?: CstNode[] }).content;
        if (!Array.isArray(content)) visit(node);
        else for (let i = content.length - 1; i >= 0; i--) stack.push(content[i]!);
    }
}
