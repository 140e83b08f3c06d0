// Validating only what a token patch can have changed. After a keystroke inside one token of a
// 10k-function platform (language/workspace/incremental-parse.ts patches that token in place),
// running every check over the whole tree again costs tens of milliseconds; here the checks run
// again only on the nodes whose inputs the patch can have changed, and every other check's earlier
// findings are reported again as they were.
//
// How the checks are recorded. The full pass (document-validator.ts) walks the tree in Langium's
// order and records, for each node (by its pre-order index) and each of its checks (by position
// in the node type's list), the accept calls it made, when it made any. An accept call names its
// node, property or keyword, and Langium turns that into a range when it is accepted: replayed
// after the patch, it gets the node's current position. Only ranges a check computed itself (the
// `range` of a finding, the ranges of related locations) are kept as numbers and shifted.
//
// Which checks run again. The tree is made of containers (the Model, each Platform and Soc, each
// host bridge) and units: each node whose container is one of those (a root port or an `ecam` of a
// host bridge, an ITS, a domain, an import…), with everything below it. The patched token lies in
// one unit, U, of a host bridge H. What a check on a node reads (audited per check module; keep it
// so when adding checks):
// - the node, what lies below it, and its ancestors up to its unit, with everything below them;
// - from a function directly in H, the own tokens and direct parts (address, kind, bus numbers,
//   ARI, flags) of its sibling functions (busOf → firstWrittenBus), and H's parts (bus range,
//   segment, MCFG);
// - through `$container` above H, only the container's own declarations that are not host
//   bridges (`arch`, IOMMUs: archOf, dmar-scope-checks), never another host bridge's contents:
//   the checks that read every host bridge (platformHardware, streamAst of a platform) or every
//   child of one (checkChildren) are checks of a container, which always run again;
// - through references, the nodes they resolve to, and what those read in turn.
// So the checks that run again are those of every container, and of every node in a unit that
// reaches U: U itself (every unit of H when the patch is in H's own parts, in a unit that is not a
// function, or in a function's own tokens or direct parts), and transitively every unit holding a
// reference that resolves into a unit that reaches U or to a container. The patch is used only
// when it lies in a host bridge (a patch in an `arch` or an IOMMU, which other units read without
// a reference, validates the whole tree), when it is not in a name or a reference (either changes
// what references resolve to: whole tree), and when no other document changed since the last
// validation (every other document's text is the same string; a document added or removed is a
// change). Line numbers do not move (a token patch never adds or removes a line), so messages
// quoting a line stay right; the characters after the token on its line move by the delta.
//
// test/language/incremental-link.test.ts validates after every random edit and compares every
// diagnostic with a fresh build's.
import { GrammarAST, isAstNode } from 'langium';
import type { AstNode, LangiumDocument, LangiumDocuments, ValidationAcceptor, ValidationOptions } from 'langium';
import type { DiagnosticRelatedInformation, Range } from 'vscode-languageserver-types';
import { tokenPatches, type TokenPatch } from '../workspace/incremental-parse.js';

type Severity = Parameters<ValidationAcceptor>[0];
type Info = Parameters<ValidationAcceptor>[2];

/** One accept call of a check. */
export interface Accepted {
    severity: Severity;
    message: string;
    info: Info;
}

/** The accept calls of check `check` (position in its node type's list) on the node with pre-order index `index`. */
export interface Entry {
    index: number;
    check: number;
    node: AstNode;
    calls: Accepted[];
}

/** What the last validation of a document recorded. */
export interface ValidationRecord {
    root: AstNode;
    text: string;
    optionsKey: string;
    /** Every other document's text at the time, by URI. */
    others: Map<string, string>;
    /** Pre-order index of every node. */
    order: Map<AstNode, number>;
    /** Non-empty entries, in the order they were accepted. */
    entries: Entry[];
}

export const records = new WeakMap<LangiumDocument, ValidationRecord>();

/** How many node passes were incremental and how many whole (the equivalence tests print it). */
export const validationRuns = { incremental: 0, whole: 0 };

const CONTAINERS = new Set(['Model', 'Platform', 'Soc', 'HostBridge']);

/** The direct children of a node (its AST properties, `$` ones skipped). */
function childrenOf(node: AstNode): AstNode[] {
    const children: AstNode[] = [];
    for (const [property, value] of Object.entries(node)) {
        if (property.startsWith('$')) continue;
        if (isAstNode(value)) children.push(value);
        else if (Array.isArray(value)) for (const element of value) if (isAstNode(element)) children.push(element);
    }
    return children;
}

export function optionsKey(options: ValidationOptions): string {
    return JSON.stringify({ categories: options.categories, stopAfterLexingErrors: options.stopAfterLexingErrors, stopAfterParsingErrors: options.stopAfterParsingErrors, stopAfterLinkingErrors: options.stopAfterLinkingErrors });
}

export function textOf(document: LangiumDocument): string | undefined {
    return document.parseResult.value.$cstNode?.root.fullText;
}

export function otherTexts(documents: LangiumDocuments, own: LangiumDocument): Map<string, string> {
    const texts = new Map<string, string>();
    for (const document of documents.all) {
        if (document === own) continue;
        texts.set(document.uri.toString(), textOf(document) ?? '');
    }
    return texts;
}

function sameOthers(documents: LangiumDocuments, own: LangiumDocument, before: Map<string, string>): boolean {
    let count = 0;
    for (const document of documents.all) {
        if (document === own) continue;
        count++;
        const text = before.get(document.uri.toString());
        if (text === undefined || text !== (textOf(document) ?? '')) return false;
    }
    return count === before.size;
}

/** The unit holding `node` (undefined for a container). */
function unitOf(node: AstNode): AstNode | undefined {
    let current: AstNode | undefined = node;
    while (current && current.$container && !CONTAINERS.has(current.$container.$type)) current = current.$container;
    if (!current || CONTAINERS.has(current.$type)) return undefined;
    return current;
}

/** What to check again after `patch`: the containers and the units reaching the patched one; undefined when the whole tree must be checked. */
export interface Plan {
    patch: TokenPatch;
    containers: AstNode[];
    units: AstNode[];
}

export function planFor(document: LangiumDocument, record: ValidationRecord | undefined, documents: LangiumDocuments, options: ValidationOptions): Plan | undefined {
    const root = document.parseResult.value;
    if (!record || record.root !== root || record.optionsKey !== optionsKey(options)) return undefined;
    const patch = tokenPatches.get(root);
    const text = textOf(document);
    if (!patch || patch.oldText !== record.text || patch.newText !== text || patch.name || !patch.holder) return undefined;
    // A reference's text (what it resolves to) is as much a change of names as a name.
    if (GrammarAST.isCrossReference((patch.leaf.grammarSource as AstNode | undefined)?.$container)) return undefined;
    // The host bridge holding the patch, and the unit in it (a child of the host bridge).
    let bridge: AstNode | undefined = patch.holder;
    while (bridge && bridge.$type !== 'HostBridge') bridge = bridge.$container;
    if (!bridge || !bridge.$container || !CONTAINERS.has(bridge.$container.$type)) return undefined;
    const patched = unitOf(patch.holder);
    // Siblings read a function's own tokens and its direct parts (address, kind, bus numbers, ARI,
    // flags), and functions read their host bridge's parts (bus range, segment): a patch in those
    // is one in the whole host bridge.
    const whole = !patched || patched.$container !== bridge || patched.$type !== 'PciFunction' || patch.holder === patched || patch.holder.$container === patched;
    if (!sameOthers(documents, document, record.others)) return undefined;
    // Units reaching the patched one through references, to a fixed point.
    const edges: Array<[AstNode | undefined, AstNode | undefined]> = [];
    for (const reference of document.references) {
        if (!('ref' in reference)) return undefined;
        const container = (reference.$refNode as { astNode?: AstNode } | undefined)?.astNode;
        if (!container) return undefined;
        const target = reference.ref;
        if (!target) continue;
        const from = unitOf(container);
        if (!from) continue; // a container's references: containers run again anyway
        let targetRoot: AstNode = target;
        while (targetRoot.$container) targetRoot = targetRoot.$container;
        if (targetRoot !== root) continue; // other documents are unchanged
        const to = unitOf(target);
        edges.push([from, to]);
    }
    const dirty = new Set<AstNode>(whole ? childrenOf(bridge) : [patched!]);
    for (let changed = true; changed; ) {
        changed = false;
        for (const [from, to] of edges) {
            if (dirty.has(from!)) continue;
            if (to === undefined || dirty.has(to)) {
                dirty.add(from!);
                changed = true;
            }
        }
    }
    const containers: AstNode[] = [root];
    for (const element of (root as unknown as { elements?: AstNode[] }).elements ?? []) {
        containers.push(element);
        for (const item of (element as unknown as { items?: AstNode[] }).items ?? []) if (item.$type === 'HostBridge') containers.push(item);
    }
    return { patch, containers, units: [...dirty] };
}

/** A position after the patched token on its line moves by the patch; one inside it means the plan cannot keep this range. */
function shiftRange(range: Range, patch: TokenPatch): Range | undefined {
    const move = (p: Range['start']) => {
        if (p.line !== patch.line || p.character <= patch.startCharacter) return p;
        if (p.character < patch.oldEndCharacter) return undefined;
        return { line: p.line, character: p.character + patch.delta };
    };
    const start = move(range.start);
    const end = move(range.end);
    if (!start || !end) return undefined;
    return start === range.start && end === range.end ? range : { start, end };
}

/** The accept call as it is after the patch, or undefined when a range it computed cannot be moved. */
export function shiftCall(call: Accepted, patch: TokenPatch, uri: string): Accepted | undefined {
    const info = call.info as Info & { range?: Range; relatedInformation?: DiagnosticRelatedInformation[] };
    let range = info.range;
    if (range) {
        range = shiftRange(range, patch);
        if (!range) return undefined;
    }
    let related = info.relatedInformation;
    if (related) {
        const moved: DiagnosticRelatedInformation[] = [];
        for (const r of related) {
            if (r.location.uri !== uri) {
                moved.push(r);
                continue;
            }
            const shifted = shiftRange(r.location.range, patch);
            if (!shifted) return undefined;
            moved.push(shifted === r.location.range ? r : { ...r, location: { uri: r.location.uri, range: shifted } });
        }
        related = moved;
    }
    if (range === info.range && related === info.relatedInformation) return call;
    return { ...call, info: { ...info, range, relatedInformation: related } as Info };
}
