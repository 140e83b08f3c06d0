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

/**
 * Where `node` stands in the walk above (pushChildren's order, from the root down): at each level
 * its position among its container's children. Comparing two paths element by element, a prefix
 * first, orders nodes as the walk visits them, without numbering the whole tree (after an item
 * splice at 10k functions, numbering again was a walk over 100k nodes per keystroke). A property
 * holding nodes holds nothing else (the grammar gives each property one type), so an array counts
 * as its length.
 */
export function walkPath(node: AstNode): number[] {
    const path: number[] = [];
    for (let child = node; child.$container; child = child.$container) {
        const container = child.$container as unknown as Record<string, unknown>;
        let position = 0;
        for (const property of Object.keys(container)) {
            if (property.startsWith('$')) continue;
            const value = container[property];
            if (property === child.$containerProperty) {
                position += child.$containerIndex ?? 0;
                break;
            }
            if (isAstNode(value)) position++;
            else if (Array.isArray(value) && value.length > 0 && isAstNode(value[0])) position += value.length;
        }
        path.push(position);
    }
    return path.reverse();
}

/** Negative when the walk visits the node of path `a` before that of `b`. */
export function compareWalkPaths(a: readonly number[], b: readonly number[]): number {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
}

/** Whether `node` is still in the tree of `root`: each container up to it still holds it where it says. */
export function isInTree(node: AstNode, root: AstNode): boolean {
    for (let child = node; child !== root; ) {
        const container = child.$container as unknown as Record<string, unknown> | undefined;
        if (!container || !child.$containerProperty) return false;
        const value = container[child.$containerProperty];
        if (child.$containerIndex !== undefined ? !Array.isArray(value) || value[child.$containerIndex] !== child : value !== child) return false;
        child = child.$container!;
    }
    return true;
}
