// Every named declaration is visible by its name to every file that imports its file: names
// form one flat namespace per import closure (like device-tree labels). So every named node is
// exported, and no local (nested) scopes are computed at all.
//
// After an edit re-parsed one block (language/workspace/incremental-parse.ts), only that block's
// entries are made again: the others are kept, in the order of a walk of the tree (the order a
// full computation gives, which is not the text's: a platform's `reserved` region written after
// its scenario is among its items, which the walk visits first). Their ranges are read from the
// tree when asked for, so they follow the shifted text.
import { indexEpoch, replacements, type Replacement } from '../workspace/incremental-parse.js';
import { compareWalkPaths, isInTree, walkPath } from '../validation/walk.js';
import { AstUtils, CstUtils, Cancellation, MultiMap, interruptAndCheck, type AstNode, type AstNodeDescription, type AstNodeDescriptionProvider, type AstNodeLocator, type LangiumCoreServices, type LangiumDocument, type LocalSymbols, type NameProvider } from 'langium';

/** More replacements than this since the last export computation: walk the whole tree again. */
const MAX_REPLACEMENTS = 32;

/**
 * The exports last computed per tree root: every named node of the tree, in document order.
 * Validation after an item splice finds the declarations of the spliced names here instead of
 * walking the whole tree (incremental-validation.ts).
 */
export const exportsByRoot = new WeakMap<AstNode, readonly AstNodeDescription[]>();

export class PciplatScopeComputation {
    private readonly nameProvider: NameProvider;
    private readonly descriptions: AstNodeDescriptionProvider;
    private readonly locator: AstNodeLocator;

    constructor(services: LangiumCoreServices) {
        this.nameProvider = services.references.NameProvider;
        this.locator = services.workspace.AstNodeLocator;
        this.descriptions = services.workspace.AstNodeDescriptionProvider;
    }

    async collectExportedSymbols(document: LangiumDocument, cancelToken = Cancellation.CancellationToken.None): Promise<AstNodeDescription[]> {
        const root = document.parseResult.value;
        const previous = exportsByRoot.get(root);
        const pending = replacements.get(root);
        let exports: AstNodeDescription[];
        if (previous && pending && pending.length <= MAX_REPLACEMENTS) {
            exports = this.replace(previous, pending, root, document);
        } else {
            exports = [];
            let visited = 0;
            for (const node of AstUtils.streamAllContents(root)) {
                if (++visited % 10_000 === 0) await interruptAndCheck(cancelToken);
                const name = this.nameProvider.getName(node);
                if (name) exports.push(this.describe(node, name, document));
            }
        }
        exportsByRoot.set(root, exports);
        replacements.set(root, []);
        return exports;
    }

    /**
     * Drops the entries of the replaced subtrees and puts those of the subtrees put in (the ones
     * still in the tree, outermost only) where a walk of the tree visits them.
     */
    private replace(previous: readonly AstNodeDescription[], pending: readonly Replacement[], root: AstNode, document: LangiumDocument): AstNodeDescription[] {
        const removed = new Set<AstNode>();
        const added = new Set<AstNode>();
        for (const replacement of pending) {
            if (replacement.removed) removed.add(replacement.removed);
            if (replacement.added) added.add(replacement.added);
        }
        const within = (node: AstNode | undefined, set: ReadonlySet<AstNode>) => {
            for (let n = node; n; n = n.$container) if (set.has(n)) return true;
            return false;
        };
        const kept = previous.filter((d) => !within(d.node, removed));
        for (const subtree of added) {
            if (within(subtree.$container, added) || !isInTree(subtree, root)) continue;
            const fresh: AstNodeDescription[] = [];
            for (const node of AstUtils.streamAst(subtree)) {
                const name = this.nameProvider.getName(node);
                if (name) fresh.push(this.describe(node, name, document));
            }
            // The kept entries are in walk order: the first one the walk visits after the subtree.
            const path = walkPath(subtree);
            let low = 0;
            let high = kept.length;
            while (low < high) {
                const middle = (low + high) >> 1;
                if (compareWalkPaths(walkPath(kept[middle]!.node!), path) < 0) low = middle + 1;
                else high = middle;
            }
            kept.splice(low, 0, ...fresh);
        }
        return kept;
    }

    /** Langium's description, with its ranges read from the tree when asked for (the tree's positions move with edits). */
    private describe(node: AstNode, name: string, document: LangiumDocument): AstNodeDescription {
        const made = this.descriptions.createDescription(node, name, document);
        const nameProvider = this.nameProvider;
        const locator = this.locator;
        let path = made.path;
        let epoch = indexEpoch.count;
        return {
            node,
            name,
            get nameSegment() {
                return CstUtils.toDocumentSegment(nameProvider.getNameNode(node) ?? node.$cstNode);
            },
            get selectionSegment() {
                return CstUtils.toDocumentSegment(node.$cstNode);
            },
            type: made.type,
            documentUri: made.documentUri,
            // Read from the tree again after an item splice, which moves later siblings' indices.
            get path() {
                if (epoch !== indexEpoch.count) {
                    path = locator.getAstNodePath(node);
                    epoch = indexEpoch.count;
                }
                return path;
            },
        };
    }

    async collectLocalSymbols(_document: LangiumDocument): Promise<LocalSymbols> {
        return new MultiMap<AstNode, AstNodeDescription>();
    }
}
