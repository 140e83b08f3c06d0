// Lowering (AST → the core's plain model) in slices: the same lowerPlatform / lowerFunction the
// CLI uses, but the PCI functions — nearly all of a big platform — are lowered a few at a time,
// yielding to the event loop whenever a slice has taken `budgetMs`, so that a 10k-function
// platform does not hold the main thread for a hundred milliseconds or more while requests wait.
// The platform is first lowered with every host bridge emptied of its functions (shallow copies
// of the AST nodes, which lowering reads like the originals); then each function is lowered with
// its children set aside and attached to its parent, in the original order. The result equals
// lowerPlatform's (test/server/responsiveness.test.ts).
import * as ast from '../../language/generated/ast.js';
import { LoweringKeys } from '../../language/lower/keys.js';
import { lowerFunction } from '../../language/lower/lower-function.js';
import { lowerPlatform } from '../../language/lower/lower-platform.js';
import type * as m from '../../src/model/platform.js';

/** Lets the event loop run; resolves `false` when the lowering is no longer wanted. */
export type Pause = () => Promise<boolean>;

export const nextTurn: Pause = () => new Promise((resolve) => setImmediate(() => resolve(true)));

const NO_CHILDREN: readonly ast.PciFunction[] = Object.freeze([]);

/**
 * One function without its children (they are lowered one by one after it). Its `functions` list
 * is set aside for the duration of the (synchronous) call rather than the node copied: a spread
 * copy of a Langium AST node was most of the lowering's time (`--cpu-prof`: 2.7 of 8.3 s over a
 * bench:lsp run at 10k functions). Nothing else runs meanwhile, and the list is put back even
 * if lowering throws.
 */
function lowerChildless(fn: ast.PciFunction, keys: LoweringKeys): m.PciFunction {
    const node = fn as { functions: ast.PciFunction[] };
    const children = node.functions;
    node.functions = NO_CHILDREN as ast.PciFunction[];
    try {
        return lowerFunction(fn, keys);
    } finally {
        node.functions = children;
    }
}

export async function lowerPlatformSliced(platform: ast.Platform, pause: Pause = nextTurn, budgetMs = 4): Promise<m.Platform | undefined> {
    const included = platform.socs.flatMap((s) => s.soc?.ref?.items ?? []);
    const items = [...included, ...platform.items];
    const hostBridges = items.filter(ast.isHostBridge);
    const shells = new Map<ast.HardwareItem, ast.HardwareItem>(hostBridges.map((hb) => [hb, { ...hb, functions: [] } as ast.HostBridge]));
    const pseudo = { ...platform, socs: [], items: items.map((item) => shells.get(item) ?? item) } as ast.Platform;
    // One key allocator for the shells and the functions: the same unique keys as lowerPlatform's.
    const keys = new LoweringKeys();
    const lowered = lowerPlatform(pseudo, keys);
    let sliceStart = performance.now();
    for (let i = 0; i < hostBridges.length; i++) {
        const target = lowered.hostBridges[i];
        if (!target) break;
        // Depth first, parents before children, siblings in order.
        const stack: { fn: ast.PciFunction; into: m.PciFunction[] }[] = [...hostBridges[i]!.functions].reverse().map((fn) => ({ fn, into: target.functions }));
        while (stack.length > 0) {
            if (performance.now() - sliceStart > budgetMs) {
                if (!(await pause())) return undefined;
                sliceStart = performance.now();
            }
            const { fn, into } = stack.pop()!;
            const node = lowerChildless(fn, keys);
            into.push(node);
            for (let c = fn.functions.length - 1; c >= 0; c--) stack.push({ fn: fn.functions[c]!, into: node.children });
        }
    }
    return lowered;
}
