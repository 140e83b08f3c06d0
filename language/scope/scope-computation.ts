// Every named declaration is visible by its name to every file that imports its file: names
// form one flat namespace per import closure (like device-tree labels). So every named node is
// exported, and no local (nested) scopes are computed at all.
//
// After an edit re-parsed one block (language/workspace/incremental-parse.ts), only that block's
// entries are made again: the others are kept, in document order. Their ranges are read from the
// tree when asked for, so they follow the shifted text.
import { indexEpoch, replacements, type Replacement } from '../workspace/incremental-parse.js';
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
            exports = previous.slice();
            for (const replacement of pending) this.replace(exports, replacement, document);
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

    /** Drops the entries of the replaced subtree and puts the new subtree's where they were. */
    private replace(exports: AstNodeDescription[], { removed, added }: Replacement, document: LangiumDocument): void {
        const inside = (node: AstNode) => {
            for (let n: AstNode | undefined = node; n; n = n.$container) if (n === removed) return true;
            return false;
        };
        const kept = removed ? exports.filter((d) => !inside(d.node!)) : exports.slice();
        if (added) {
            const fresh: AstNodeDescription[] = [];
            for (const node of AstUtils.streamAst(added)) {
                const name = this.nameProvider.getName(node);
                if (name) fresh.push(this.describe(node, name, document));
            }
            const start = added.$cstNode?.offset ?? 0;
            let at = kept.findIndex((d) => (d.node!.$cstNode?.offset ?? 0) >= start);
            if (at < 0) at = kept.length;
            kept.splice(at, 0, ...fresh);
        }
        exports.length = 0;
        exports.push(...kept);
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
