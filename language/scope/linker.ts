// Linking errors that help: the kind of thing the reference wants, in words, and the names of
// that kind in scope that are nearest to what was written ("did you mean navi31audio?"), or what
// the name is when it names something of another kind. Never a grammar type name.
import { DefaultLinker, WorkspaceCache, AstUtils, Cancellation, interruptAndCheck, type AstNodeDescription, type LangiumCoreServices, type LangiumDocument, type LinkingError, type ReferenceInfo } from 'langium';
import type { PciplatScopeProvider } from './scope-provider.js';

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

    constructor(services: LangiumCoreServices & { references: { ScopeProvider: PciplatScopeProvider } }) {
        super(services);
        this.pciplatScopes = services.references.ScopeProvider;
        this.allNames = new WorkspaceCache(services.shared);
    }

    /**
     * Langium's loop, yielding to other work every CHECK_EVERY nodes rather than awaiting once per
     * node: at 10k functions the tree has over 100k nodes, and an await per node was a large part
     * of linking's time.
     */
    override async link(document: LangiumDocument, cancelToken = Cancellation.CancellationToken.None): Promise<void> {
        let visited = 0;
        for (const node of AstUtils.streamAst(document.parseResult.value)) {
            if (++visited % CHECK_EVERY === 0) await interruptAndCheck(cancelToken);
            AstUtils.streamReferences(node).forEach((ref) => this.doLink(ref, document));
        }
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
