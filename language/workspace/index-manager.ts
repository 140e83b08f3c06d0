// Langium's index, also recording which names an update changed, for the linker
// (language/scope/linker.ts) to re-resolve only the references that name them.
//
// A reference resolves to the first description of its name (and type) among what its document
// sees: its own exports, then those of its imports in import-closure order. So its target can
// change only if a description of its name appeared, went or moved, or if the order of the
// documents it sees changed. An update of a document's exports compares the old list with the
// new one by identity (the incremental export index keeps the descriptions outside a re-parsed
// block, in order, and makes new ones for the block): every name of a description only in one
// of them is marked changed. A document that enters or leaves the index, or whose imports change,
// can reorder import closures: that marks everything changed.
import { DefaultIndexManager, type AstNodeDescription, type Cancellation, type LangiumDocument, type LangiumSharedCoreServices, type URI } from 'langium';
import { isModel } from '../generated/ast.js';

/** Changed names remembered at most (each costs a map entry); beyond, one full relink. */
const MAX_NAMES = 100_000;

export class PciplatIndexManager extends DefaultIndexManager {
    /** Counts export updates; a linked document remembers the count it was linked at. */
    private counter = 0;
    /** The count at which each name last changed. */
    private readonly nameChanged = new Map<string, number>();
    /** The count at which everything last changed (a document added, removed, or its imports changed). */
    private allChanged = 0;
    /** Exports of documents whose content was removed before their new exports are computed. */
    private readonly previous = new Map<string, AstNodeDescription[]>();
    /** Each indexed document's imports, as written. */
    private readonly imports = new Map<string, string>();

    constructor(services: LangiumSharedCoreServices) {
        super(services);
    }

    /** The current count: names changed after it are those `changedSince` reports. */
    get count(): number {
        return this.counter;
    }

    /** Whether everything must be linked again for a document linked at `count`. */
    allChangedSince(count: number): boolean {
        return this.allChanged > count;
    }

    /** Whether descriptions named `name` changed after `count`. */
    nameChangedSince(name: string, count: number): boolean {
        return (this.nameChanged.get(name) ?? -1) > count;
    }

    /** Whether any name changed after `count`. */
    anyChangedSince(count: number): boolean {
        return this.lastChange > count;
    }

    /** The count at which a name last changed. */
    private lastChange = 0;

    private mark(name: string, count: number): void {
        this.nameChanged.set(name, count);
        this.lastChange = count;
    }

    override removeContent(uri: URI): void {
        const key = uri.toString();
        const old = this.symbolIndex.get(key);
        if (old && !this.previous.has(key)) this.previous.set(key, old);
        super.removeContent(uri);
    }

    override remove(uri: URI): void {
        super.remove(uri);
        const key = uri.toString();
        this.counter++;
        for (const d of this.previous.get(key) ?? []) this.mark(d.name, this.counter);
        this.previous.delete(key);
        this.imports.delete(key);
        this.allChanged = this.counter;
        this.lastChange = this.counter;
    }

    override async updateContent(document: LangiumDocument, cancelToken?: Cancellation.CancellationToken): Promise<void> {
        const key = document.uri.toString();
        const old = this.previous.get(key) ?? this.symbolIndex.get(key) ?? [];
        await super.updateContent(document, cancelToken);
        this.previous.delete(key);
        const now = this.symbolIndex.get(key) ?? [];
        const count = ++this.counter;
        const oldSet = new Set(old);
        const nowSet = new Set(now);
        for (const d of old) if (!nowSet.has(d)) this.mark(d.name, count);
        for (const d of now) if (!oldSet.has(d)) this.mark(d.name, count);
        const root = document.parseResult.value;
        const imports = isModel(root) ? JSON.stringify(root.imports.map((i) => i.path ?? null)) : '';
        if (this.imports.get(key) !== imports) this.allChanged = this.lastChange = count;
        this.imports.set(key, imports);
        // Every name typed letter by letter is recorded: past a bound, forget them all and say everything changed.
        if (this.nameChanged.size > MAX_NAMES) {
            this.nameChanged.clear();
            this.allChanged = this.lastChange = count;
        }
    }
}
