// Linking errors that help: the kind of thing the reference wants, in words, and the names of
// that kind in scope that are nearest to what was written ("did you mean navi31audio?"), or what
// the name is when it names something of another kind. Never a grammar type name.
import { DefaultLinker, WorkspaceCache, AstUtils, Cancellation, interruptAndCheck, isReference, type AstNode, type AstNodeDescription, type LangiumCoreServices, type LangiumDocument, type LinkingError, type Reference, type ReferenceInfo } from 'langium';
import type { PciplatScopeProvider } from './scope-provider.js';
import { linkReplacements } from '../workspace/incremental-parse.js';
import { PciplatIndexManager } from '../workspace/index-manager.js';

/** Reference and node types as a user calls them. */
const KIND_WORDS: Record<string, string> = {
    PciFunction: 'PCI function',
    NamedDevice: 'platform device (uart or device)',
    OwnedDevice: 'device',
    HostBridge: 'host bridge',
    Smmu: 'SMMU',
    Its: 'ITS',
    IortItsGroup: 'IORT ITS group',
    IortTarget: 'SMMU or IORT ITS group',
    Soc: 'SoC',
    Guest: 'guest (Xen domain or KVM vm)',
    XenDomain: 'Xen domain',
    KvmVm: 'KVM vm',
    GenericDevice: 'platform device',
    Uart: 'uart',
    Gic: 'GIC',
    IoApic: 'I/O APIC',
    X86Iommu: 'IOMMU (VT-d or AMD-Vi)',
    Platform: 'platform',
    Memory: 'memory region',
    Scenario: 'scenario',
};

/** `PcieSwitchPort` -> `pcie switch port`: a readable fallback for a type without words. */
export function kindWords(type: string): string {
    return KIND_WORDS[type] ?? type.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Edit distance, giving up (returning `limit + 1`) once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        let best = i;
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
            current.push(value);
            if (value < best) best = value;
        }
        if (best > limit) return limit + 1;
        previous = current;
    }
    return previous[b.length]!;
}

/** Names nearest to `written` (case and `_`/`-` ignored first), at most three, nearest first. */
export function nearestNames(written: string, names: Iterable<string>): string[] {
    const plain = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
    const target = plain(written);
    const limit = Math.max(1, Math.min(3, Math.floor(written.length / 3)));
    const scored: { name: string; distance: number }[] = [];
    let seen = 0;
    for (const name of names) {
        // Bounded: a platform may declare 100k names; a suggestion is not worth more.
        if (++seen > 200_000) break;
        if (name === written) continue;
        const distance = plain(name) === target ? 0 : editDistance(target, plain(name), limit);
        if (distance <= limit) scored.push({ name, distance });
    }
    return scored.sort((a, b) => a.distance - b.distance || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).slice(0, 3).map((s) => s.name);
}

/** `a PCI function`, `an SMMU`, `an ITS`: the article as the words are read aloud. */
export function withArticle(words: string): string {
    const an = /^[aeiou]/i.test(words) || /^[FHLMNRSX][A-Z]/.test(words);
    return `${an ? 'an' : 'a'} ${words}`;
}

function orList(names: readonly string[]): string {
    const quoted = names.map((n) => `\`${n}\``);
    return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** Nodes walked between two checks for cancellation and pending requests. */
export const CHECK_EVERY = 1000;

export class PciplatLinker extends DefaultLinker {
    private readonly pciplatScopes: PciplatScopeProvider;
    /** Every name the document sees, with the descriptions of what it names (all kinds). */
    private readonly allNames: WorkspaceCache<string, Map<string, AstNodeDescription[]>>;

    private readonly services: LangiumCoreServices;

    constructor(services: LangiumCoreServices & { references: { ScopeProvider: PciplatScopeProvider } }) {
        super(services);
        this.services = services;
        this.pciplatScopes = services.references.ScopeProvider;
        this.allNames = new WorkspaceCache(services.shared);
    }

    /** Per linked document: the tree it was linked for and the index count it was linked at. */
    private readonly linked = new WeakMap<LangiumDocument, { root: AstNode; count: number }>();
    /** How documents were linked (tests and benchmarks read it). */
    readonly stats = { incremental: 0, full: 0 };
    /** Documents whose unlinking was deferred to their next linking (see `unlink`). */
    private readonly deferred = new WeakSet<LangiumDocument>();

    /**
     * Langium unlinks every reference of a document when it or a document it imports changed. A
     * document linked before keeps its links here until `link`, which decides what to re-resolve.
     */
    override unlink(document: LangiumDocument): void {
        if (this.linked.has(document)) {
            this.deferred.add(document);
            return;
        }
        super.unlink(document);
    }

    /**
     * After an edit, only the references it can have changed are resolved again (see `relink`);
     * otherwise every reference is, in Langium's loop, yielding to other work every CHECK_EVERY
     * nodes rather than awaiting once per node (at 10k functions the tree has over 100k nodes).
     */
    override async link(document: LangiumDocument, cancelToken = Cancellation.CancellationToken.None): Promise<void> {
        const root = document.parseResult.value;
        const index = this.indexManager;
        const count = index?.count ?? 0;
        const last = this.linked.get(document);
        const log = linkReplacements.get(root);
        const deferred = this.deferred.has(document);
        this.deferred.delete(document);
        const incremental = deferred && index && last && last.root === root && log && !index.allChangedSince(last.count) && document.references.every(isReference);
        if (incremental) {
            this.stats.incremental++;
            this.relink(document, log, index, last.count);
        } else {
            this.stats.full++;
            // From scratch: a link interrupted half-way is not followed up incrementally.
            this.linked.delete(document);
            if (deferred) super.unlink(document);
            let visited = 0;
            for (const node of AstUtils.streamAst(root)) {
                if (++visited % CHECK_EVERY === 0) await interruptAndCheck(cancelToken);
                AstUtils.streamReferences(node).forEach((ref) => this.doLink(ref, document));
            }
        }
        this.linked.set(document, { root, count });
        linkReplacements.set(root, []);
    }

    /**
     * Re-resolves what an update can have changed, and keeps `document.references` in the order
     * a full linking gives (the tree's pre-order, each node's references in property order).
     * - References in a subtree the parser replaced are gone; those of the new subtrees are linked.
     * - A kept reference resolves as before unless a description of its name appeared, went or
     *   moved (PciplatIndexManager): those are resolved again. Its container and property are
     *   unchanged, so its type and scope are.
     * - An unresolved reference's message names the nearest names in scope: resolved again
     *   whenever any name changed.
     */
    private relink(document: LangiumDocument, log: readonly { removed?: AstNode; added?: AstNode }[], index: PciplatIndexManager, since: number): void {
        const root = document.parseResult.value;
        const anyName = index.anyChangedSince(since);
        const kept: Reference[] = [];
        const again: ReferenceInfo[] = [];
        for (const ref of document.references) {
            const owner = (ref as unknown as { node?: AstNode }).node;
            if (!owner || !attached(owner, root)) continue;
            if ((ref.error && anyName) || index.nameChangedSince(ref.$refText, since)) again.push(this.info(ref as Reference, owner));
            else kept.push(ref as Reference);
        }
        const seen = new Set<Reference>(kept);
        for (const info of again) seen.add(info.reference as Reference);
        for (const { added } of log) {
            if (!added || !attached(added, root)) continue;
            for (const node of AstUtils.streamAst(added)) {
                AstUtils.streamReferences(node).forEach((info) => {
                    if (seen.has(info.reference as Reference)) return;
                    seen.add(info.reference as Reference);
                    again.push(info);
                });
            }
        }
        if (again.length === 0) {
            // The kept references keep their order; those of removed subtrees are gone.
            document.references = kept;
            return;
        }
        // Resolved afresh, as after Langium's unlink.
        for (const info of again) {
            const ref = info.reference as unknown as { _ref?: unknown; _nodeDescription?: unknown };
            ref._ref = undefined;
            delete ref._nodeDescription;
        }
        document.references = [];
        for (const info of again) this.doLink(info, document);
        const order = new PreOrder();
        const all = [...kept, ...(document.references as Reference[])];
        const keys = new Map(all.map((r) => [r, order.referenceKey(r)]));
        all.sort((a, b) => compareKeys(keys.get(a)!, keys.get(b)!));
        document.references = all;
    }

    private info(ref: Reference, owner: AstNode): ReferenceInfo {
        const property = (ref as unknown as { property: string }).property;
        const value = (owner as unknown as Record<string, unknown>)[property];
        const position = Array.isArray(value) ? value.indexOf(ref) : -1;
        return position >= 0 ? { reference: ref, container: owner, property, index: position } : { reference: ref, container: owner, property };
    }

    private get indexManager(): PciplatIndexManager | undefined {
        const manager = this.services.shared.workspace.IndexManager;
        return manager instanceof PciplatIndexManager ? manager : undefined;
    }

    override createLinkingError(refInfo: ReferenceInfo, targetDescription?: AstNodeDescription): LinkingError {
        const written = refInfo.reference.$refText;
        const wanted = this.reflection.getReferenceType(refInfo);
        return { info: refInfo, message: this.unresolvedMessage(refInfo, written, wanted), targetDescription };
    }

    private unresolvedMessage(refInfo: ReferenceInfo, written: string, wanted: string): string {
        const kind = kindWords(wanted);
        try {
            const document = AstUtils.getDocument(refInfo.container);
            const names = this.allNames.get(document.uri.toString(), () => {
                const map = new Map<string, AstNodeDescription[]>();
                for (const d of this.pciplatScopes.visibleElements(undefined, document)) {
                    const list = map.get(d.name);
                    if (list) list.push(d);
                    else map.set(d.name, [d]);
                }
                return map;
            });
            const other = names.get(written)?.[0];
            if (other) return `\`${written}\` is ${withArticle(kindWords(other.type))}, not ${withArticle(kind)}.`;
            const inScope = this.pciplatScopes.getScope(refInfo).getAllElements().map((d) => d.name);
            const near = nearestNames(written, inScope);
            return near.length > 0 ? `No ${kind} is named \`${written}\`; did you mean ${orList(near)}?` : `No ${kind} is named \`${written}\` in this file or the files it imports.`;
        } catch {
            return `No ${kind} is named \`${written}\`.`;
        }
    }
}

/** Whether `node` is still part of the tree under `root` (a replaced subtree keeps its `$container`). */
function attached(node: AstNode, root: AstNode): boolean {
    for (let n = node; n !== root; ) {
        const container = n.$container;
        if (!container || !n.$containerProperty) return false;
        const value = (container as unknown as Record<string, unknown>)[n.$containerProperty];
        if (n.$containerIndex !== undefined ? (value as unknown[] | undefined)?.[n.$containerIndex] !== n : value !== n) return false;
        n = container;
    }
    return true;
}

/** Positions in streamAst's pre-order (Object.keys order of properties, then array index). */
class PreOrder {
    private readonly nodeKeys = new Map<AstNode, number[]>();

    nodeKey(node: AstNode): number[] {
        let key = this.nodeKeys.get(node);
        if (key) return key;
        const container = node.$container;
        if (!container) key = [];
        else {
            const rank = Object.keys(container).indexOf(node.$containerProperty!);
            key = [...this.nodeKey(container), rank, node.$containerIndex ?? 0];
        }
        this.nodeKeys.set(node, key);
        return key;
    }

    /** A reference comes after its container and before the container's children (-1). */
    referenceKey(ref: Reference): number[] {
        const owner = (ref as unknown as { node: AstNode }).node;
        const property = (ref as unknown as { property: string }).property;
        const value = (owner as unknown as Record<string, unknown>)[property];
        const position = Array.isArray(value) ? value.indexOf(ref) : 0;
        return [...this.nodeKey(owner), -1, Object.keys(owner).indexOf(property), position];
    }
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
}
