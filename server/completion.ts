// Completion: Langium's, with one change for big files. To know which grammar features can follow
// the cursor, Langium's completion re-parses the whole text before the cursor on every request
// (three times per request): ~100-300 ms at the end of a 10k-line platform. Here the parser gets
// a skeleton of that text instead: at every level of the tree around the cursor, the complete
// statements before it (functions, BARs, host bridges, domains, steps...) are cut out, except the
// one right before the cursor. Those statements are items of a `( ... )*` repetition in the
// grammar, so the parser ends in the same state with or without them, and it reads a few hundred
// characters instead of the whole file. Statements holding a syntax error are kept; without a
// usable tree the whole prefix is parsed, as Langium does. And for big scopes: names are
// filtered by what was typed before any item is made, at most MAX_COMPLETION_ITEMS come back, and
// above DOCUMENTED_CANDIDATES matching names the items carry no documentation.
import { DefaultCompletionProvider, type CompletionContext, type CompletionValueItem, type LangiumServices, type NextFeature } from 'langium/lsp';
import { AstUtils, stream, URI, type AstNode, type AstNodeDescription, type LangiumDocument, type LangiumDocuments, type ReferenceInfo, type Stream } from 'langium';
import type { CancellationToken, CompletionList, CompletionParams } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';

/**
 * Properties holding statements of a `( ... )*` repetition, by container type: any of them can be
 * left out without changing how the parser reads what follows.
 */
const REPEATED: Record<string, readonly string[]> = {
    Model: ['imports', 'elements'],
    Soc: ['items'],
    Platform: ['arch', 'cpus', 'socs', 'items', 'iorts', 'xens', 'kvms', 'linuxes', 'scenarios'],
    HostBridge: ['compatibles', 'ecams', 'mcfgs', 'childEcams', 'busRanges', 'windows', 'iommuMaps', 'msiMaps', 'masks', 'msiParents', 'numaNodes', 'configAccesses', 'functions'],
    PciFunction: ['attrs', 'flags', 'bars', 'roms', 'msis', 'msixes', 'acses', 'aris', 'sriovs', 'resets', 'quirks', 'slots', 'busNumbers', 'bridgeWindows', 'functions'],
    Its: ['props'],
    Smmu: ['props', 'streamMatches'],
    X86Iommu: ['deviceScopes'],
    Sriov: ['props', 'vfBars'],
    Iort: ['nodes'],
    IortSmmu: ['mappings'],
    IortRootComplex: ['mappings'],
    IortNamedComponent: ['mappings'],
    Xen: ['profiles', 'options', 'owns', 'assignables', 'dom0s', 'domains'],
    XenDomain: ['holes', 'passthroughs'],
    Kvm: ['hostDrivers', 'vms', 'vfioIommus'],
    KvmVm: ['rootPorts', 'phbs'],
    LinuxOptions: ['options'],
    Scenario: ['steps'],
};

/** Texts shorter than this are parsed whole (the skeleton would not save anything worth it). */
const SMALL_PREFIX = 4096;

/**
 * Above this many matching candidates for a reference, items carry no documentation: looking up
 * the comment of each of hundreds of declarations costs milliseconds, for a list the client
 * filters as the user types anyway.
 */
const DOCUMENTED_CANDIDATES = 200;

/**
 * At most this many items per answer. The list is marked incomplete (as Langium always does), so
 * the client asks again as the user types and the server's fuzzy filter narrows the names down:
 * a 10k-function platform offers ~2.5k function names after `assign`. 200, not the 500 it was:
 * 500 names there are 93 KB of JSON, which the server thread writes, the relay thread passes on
 * and the client parses (~10 ms of a completion whose own work in-process takes 2-4 ms), so a
 * collision with background work on the thread pushed it over 20 ms. 200 is still far more than
 * a list shows before the user types.
 */
export const MAX_COMPLETION_ITEMS = 200;

/**
 * The text before `offset` with the complete statements the parser does not need cut out (see
 * the file comment); undefined when the document has no tree to go by.
 */
export function completionPrefix(document: LangiumDocument, offset: number): string | undefined {
    const root = document.parseResult?.value;
    if (!root?.$cstNode) return undefined;
    const text = document.textDocument.getText();
    if (offset > text.length) return undefined;
    const errors: number[] = [
        ...document.parseResult.lexerErrors.map((e) => e.offset),
        ...document.parseResult.parserErrors.map((e) => (Number.isNaN(e.token.startOffset) ? -1 : e.token.startOffset)),
    ];
    if (errors.includes(-1)) return undefined;
    const cut: [number, number][] = [];
    let node: AstNode | undefined = root;
    while (node) {
        const repeated = REPEATED[node.$type] ?? [];
        let inside: AstNode | undefined;
        let before: { node: AstNode; end: number }[] = [];
        for (const child of AstUtils.streamContents(node)) {
            const cst = child.$cstNode;
            if (!cst) continue;
            if (cst.offset < offset && offset <= cst.end) inside = child;
            else if (cst.end < offset && child.$containerProperty && repeated.includes(child.$containerProperty)) before.push({ node: child, end: cst.end });
        }
        // Keep the statement right before the cursor: the cursor may continue it (`size 4K |at`).
        before = before.sort((a, b) => a.end - b.end).slice(0, -1);
        for (const { node: child } of before) {
            const { offset: start, end } = child.$cstNode!;
            if (errors.some((e) => e >= start && e < end)) continue;
            cut.push([start, end]);
        }
        node = inside;
    }
    if (cut.length === 0) return undefined;
    cut.sort((a, b) => a[0] - b[0]);
    let out = '';
    let at = 0;
    for (const [start, end] of cut) {
        if (start < at) continue;
        out += text.slice(at, start) + ' ';
        at = end;
    }
    return out + text.slice(at, offset);
}

export class PciplatCompletionProvider extends DefaultCompletionProvider {
    private readonly documents: LangiumDocuments;

    constructor(services: LangiumServices) {
        super(services);
        this.documents = services.shared.workspace.LangiumDocuments;
    }

    override async getCompletion(document: LangiumDocument, params: CompletionParams, cancelToken?: CancellationToken): Promise<CompletionList | undefined> {
        const list = await super.getCompletion(document, params, cancelToken);
        if (list && list.items.length > MAX_COMPLETION_ITEMS) {
            // Keywords (few, sorted '1') and then the first names (sorted '0'), in the order given.
            const keywords = list.items.filter((i) => i.sortText !== '0');
            const names = list.items.filter((i) => i.sortText === '0');
            list.items = [...keywords, ...names].slice(0, MAX_COMPLETION_ITEMS);
            list.isIncomplete = true;
        }
        return list;
    }

    private readonly manyCandidates = new WeakSet<ReferenceInfo>();

    /**
     * The candidates Langium would turn into items, filtered early: only names that match what
     * was typed before the cursor (Langium's own fuzzy match, the one its items are filtered by
     * later), each name and type once (Langium drops repeated items by kind, label and detail,
     * which follow from those), and no more than MAX_COMPLETION_ITEMS of them, in scope order.
     * So thousands of names in scope make no items that the cap would drop anyway; the answer is
     * the one the cap made of the full list.
     */
    protected override getReferenceCandidates(refInfo: ReferenceInfo, context: CompletionContext): Stream<AstNodeDescription> {
        const typed = context.textDocument.getText().substring(context.tokenOffset, context.offset);
        const seen = new Set<string>();
        const kept: AstNodeDescription[] = [];
        for (const candidate of super.getReferenceCandidates(refInfo, context)) {
            if (!this.fuzzyMatcher.match(typed, candidate.name)) continue;
            const key = `${candidate.type}\0${candidate.name}`;
            if (seen.has(key)) continue;
            seen.add(key);
            kept.push(candidate);
            if (kept.length >= MAX_COMPLETION_ITEMS) break;
        }
        if (kept.length > DOCUMENTED_CANDIDATES) this.manyCandidates.add(refInfo);
        return stream(kept);
    }

    protected override createReferenceCompletionItem(nodeDescription: AstNodeDescription, refInfo: ReferenceInfo, context: CompletionContext): CompletionValueItem {
        if (!this.manyCandidates.has(refInfo)) return super.createReferenceCompletionItem(nodeDescription, refInfo, context);
        return { nodeDescription, kind: this.nodeKindProvider.getCompletionItemKind(nodeDescription), detail: nodeDescription.type, sortText: '0' };
    }

    protected override findFeaturesAt(textDocument: TextDocument, offset: number): NextFeature[] {
        if (offset >= SMALL_PREFIX) {
            try {
                const document = this.documents.getDocument(URI.parse(textDocument.uri));
                const prefix = document && document.textDocument === textDocument ? completionPrefix(document, offset) : undefined;
                if (prefix !== undefined) return super.findFeaturesAt(TextDocument.create(textDocument.uri, textDocument.languageId, textDocument.version, prefix), prefix.length);
            } catch {
                // fall back to Langium's whole-prefix parse
            }
        }
        return super.findFeaturesAt(textDocument, offset);
    }
}
