// Workspace services of the language server:
// - the initial workspace build validates (Langium's does not unless told: ENGINEERING.md);
// - every build also loads the files the built documents `import`, transitively, even when they
//   lie outside the workspace folders (a platform in the workspace may import a SoC description
//   kept elsewhere), so that their names link and their findings are published.
import { DefaultDocumentBuilder, DefaultWorkspaceManager, DocumentState, interruptAndCheck, type Cancellation, type LangiumDocument, type LangiumSharedCoreServices, type BuildOptions, type URI } from 'langium';
import { isModel } from '../language/generated/ast.js';
import { importReach, resolveImport } from '../language/scope/import-closure.js';

export class PciplatWorkspaceManager extends DefaultWorkspaceManager {
    constructor(services: LangiumSharedCoreServices) {
        super(services);
        this.initialBuildOptions = { validation: true };
    }
}

export class PciplatDocumentBuilder extends DefaultDocumentBuilder {
    /** The documents the running update was told changed: built (and published) before those that depend on them. */
    private changedFirst = new Set<string>();

    override async update(changed: URI[], deleted: URI[], cancelToken?: Cancellation.CancellationToken): Promise<void> {
        this.changedFirst = new Set(changed.map((uri) => uri.toString()));
        try {
            await super.update(changed, deleted, cancelToken);
        } finally {
            this.changedFirst = new Set();
        }
    }

    /**
     * Langium relinks every document that holds an unresolved reference after any change anywhere
     * (the name might resolve now), and so validates and simulates it again: with one such file in
     * the workspace, every pause in typing in any other file ran that file's simulation again. A
     * pciplat name resolves in its file's import closure only (language/scope/scope-provider.ts),
     * so it can resolve anew only when a file of that closure changed or a file it imports
     * appeared or went; other changes leave it as it is. References into a changed file are
     * Langium's test, as before.
     */
    protected override shouldRelink(document: LangiumDocument, changedUris: Set<string>): boolean {
        if (this.indexManager.isAffected(document, changedUris)) return true;
        if (!document.references.some((reference) => reference.error !== undefined)) return false;
        for (const uri of importReach(document, this.langiumDocuments)) if (changedUris.has(uri)) return true;
        return false;
    }

    /**
     * Langium's order (open documents first), with the edited documents before every other: each
     * phase runs over all documents in this order, so an edited imported file's diagnostics are
     * published before the importing platforms' are validated, not after.
     */
    protected override sortDocuments(documents: LangiumDocument[]): LangiumDocument[] {
        const sorted = super.sortDocuments(documents);
        if (this.changedFirst.size === 0) return sorted;
        const first = sorted.filter((d) => this.changedFirst.has(d.uri.toString()));
        if (first.length === 0) return sorted;
        return [...first, ...sorted.filter((d) => !this.changedFirst.has(d.uri.toString()))];
    }

    protected override async buildDocuments(documents: LangiumDocument[], options: BuildOptions, cancelToken: Cancellation.CancellationToken): Promise<void> {
        // Parse first (the same step Langium's first phase takes), so `import` statements are known.
        for (const document of documents) {
            if (document.state >= DocumentState.Parsed) continue;
            await interruptAndCheck(cancelToken); // as Langium's phases do: let requests and edits in
            await this.langiumDocumentFactory.update(document, cancelToken);
            document.state = DocumentState.Parsed;
            await this.notifyDocumentPhase(document, DocumentState.Parsed, cancelToken);
        }
        const imported = await this.loadImports(documents);
        await super.buildDocuments(imported.length > 0 ? [...documents, ...imported] : documents, options, cancelToken);
    }

    /** Loads (parsed, not yet linked) every file the documents import that is not loaded yet. */
    protected async loadImports(documents: readonly LangiumDocument[]): Promise<LangiumDocument[]> {
        const loaded: LangiumDocument[] = [];
        const queue = [...documents];
        const tried = new Set<string>();
        while (queue.length > 0) {
            const document = queue.pop()!;
            const root = document.parseResult?.value;
            if (!isModel(root)) continue;
            for (const imp of root.imports) {
                if (!imp.path) continue;
                const target = resolveImport(document.uri, imp.path);
                const key = target.toString();
                if (tried.has(key) || this.langiumDocuments.hasDocument(target)) continue;
                tried.add(key);
                try {
                    const created = await this.langiumDocuments.getOrCreateDocument(target);
                    loaded.push(created);
                    queue.push(created);
                } catch {
                    // Missing or unreadable: the import check reports LANG-IMPORT-NOT-FOUND.
                }
            }
        }
        return loaded;
    }
}
