// Validating only what a token patch can have changed. After a keystroke inside one token of a
// 10k-function platform (language/workspace/incremental-parse.ts patches that token in place),
// running every check over the whole tree again costs tens of milliseconds; here the checks run
// again only on the nodes whose inputs the patch can have changed, and every other check's earlier
// findings are reported again as they were.
//
// How the checks are recorded. The full pass (document-validator.ts) walks the tree in Langium's
// order and records, for each node and each of its checks (by position in the node type's list),
// the accept calls it made, when it made any, in the order it made them; the findings of the
// checks that run again are put in that order by each node's place in the walk (walk.ts walkPath). An accept call names its
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
// A document whose own text did not change while an imported one did (othersPlan) runs again its
// containers' checks and those of the units whose references lead into a changed document.
//
// test/language/incremental-link.test.ts validates after every random edit and compares every
// diagnostic with a fresh build's, as test/language/incremental-validation.test.ts does after
// token, line and imported-file edits.
import { GrammarAST, isAstNode } from 'langium';
import type { AstNode, CstNode, LangiumDocument, LangiumDocuments, Reference, ValidationAcceptor, ValidationOptions } from 'langium';
import type { DiagnosticRelatedInformation, Range } from 'vscode-languageserver-types';
import { exportsByRoot } from '../scope/scope-computation.js';
import { inPlaceParses, itemSplices, replacements, tokenPatches, type ItemSplice, type TokenPatch } from '../workspace/incremental-parse.js';
import { pushChildren } from './walk.js';

type Severity = Parameters<ValidationAcceptor>[0];
type Info = Parameters<ValidationAcceptor>[2];

/** One accept call of a check. */
export interface Accepted {
    severity: Severity;
    message: string;
    info: Info;
}

/** The accept calls of check `check` (position in its node type's list) on `node`. */
export interface Entry {
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
    /** Non-empty entries, in the order they were accepted. */
    entries: Entry[];
    /** Which units read other documents through their references (undefined: not known). */
    foreign?: ForeignUnits;
    /** The tree's in-place parses when it was checked (incremental-parse.ts inPlaceParses). */
    parses: number;
}

/**
 * The units (never containers: those run again anyway) holding a reference that resolved into
 * another document, by that document's URI, or that did not resolve.
 */
export interface ForeignUnits {
    into: Map<string, Set<AstNode>>;
    unresolved: Set<AstNode>;
}

/** Each reference of the document held in a unit, with that unit (containers' own are left out); undefined when one cannot be followed. */
function referencesOfUnits(document: LangiumDocument): Array<[AstNode, Reference]> | undefined {
    const held: Array<[AstNode, Reference]> = [];
    for (const reference of document.references) {
        if (!('ref' in reference)) return undefined;
        const container = (reference.$refNode as { astNode?: AstNode } | undefined)?.astNode;
        if (!container) return undefined;
        const unit = unitOf(container);
        if (unit) held.push([unit, reference]);
    }
    return held;
}

/** The document's ForeignUnits as it is linked now; undefined when a reference cannot be followed. */
export function foreignUnits(document: LangiumDocument): ForeignUnits | undefined {
    const root = document.parseResult.value;
    const foreign: ForeignUnits = { into: new Map(), unresolved: new Set() };
    const held = referencesOfUnits(document);
    if (!held) return undefined;
    for (const [unit, reference] of held) {
        const target = reference.ref;
        if (!target) {
            foreign.unresolved.add(unit);
            continue;
        }
        let targetRoot: AstNode = target;
        while (targetRoot.$container) targetRoot = targetRoot.$container;
        if (targetRoot === root) continue;
        const uri = targetRoot.$document?.uri.toString();
        if (uri === undefined) return undefined;
        (foreign.into.get(uri) ?? foreign.into.set(uri, new Set()).get(uri)!).add(unit);
    }
    return foreign;
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

/**
 * How the positions of the last validation's text map to the current one: a position up to
 * `from` stays; one strictly between `from` and `oldEnd` is gone (inside a patched token, or
 * among spliced-out items); one at or after `oldEnd` moves to `newEnd` and on by the same
 * amount (the characters after it on `oldEnd`'s line by the column's change, the lines after by
 * the line's change).
 */
export interface Move {
    from: { line: number; character: number };
    oldEnd: { line: number; character: number };
    newEnd: { line: number; character: number };
}

/** What to check again: the containers and the units reaching the changed ones; undefined when the whole tree must be checked. */
export interface Plan {
    newText: string;
    move: Move;
    containers: AstNode[];
    units: AstNode[];
    /** Functions whose own checks, and those of their parts, run again, but not their functions' (they read their siblings). */
    tops: AstNode[];
    /** Items were spliced in or out: lines may have moved, and nodes may have left the tree. */
    splice?: ItemSplice;
    /** The document's ForeignUnits now, when the plan worked it out. */
    foreign?: ForeignUnits;
}

function moveOfPatch(patch: TokenPatch): Move {
    return {
        from: { line: patch.line, character: patch.startCharacter },
        oldEnd: { line: patch.line, character: patch.oldEndCharacter },
        newEnd: { line: patch.line, character: patch.oldEndCharacter + patch.delta },
    };
}

/** Every container of the tree: the Model, its platforms and SoCs, and their host bridges. */
function containersOf(root: AstNode): AstNode[] {
    const containers: AstNode[] = [root];
    for (const element of (root as unknown as { elements?: AstNode[] }).elements ?? []) {
        containers.push(element);
        for (const item of (element as unknown as { items?: AstNode[] }).items ?? []) if (item.$type === 'HostBridge') containers.push(item);
    }
    return containers;
}

/**
 * The edges "unit holding a reference → unit it resolves to" of the document (`to` undefined: a
 * container); undefined when a reference cannot be followed. References into other documents
 * are left out (those are unchanged), and so are a container's own (containers run again anyway).
 */
function referenceEdges(document: LangiumDocument, root: AstNode, unresolved?: (from: AstNode, text: string) => void): Array<[AstNode, AstNode | undefined]> | undefined {
    const edges: Array<[AstNode, AstNode | undefined]> = [];
    const held = referencesOfUnits(document);
    if (!held) return undefined;
    for (const [from, reference] of held) {
        unresolved?.(from, reference.$refText);
        const target = reference.ref;
        if (!target) continue;
        let targetRoot: AstNode = target;
        while (targetRoot.$container) targetRoot = targetRoot.$container;
        if (targetRoot !== root) continue; // other documents are unchanged
        edges.push([from, unitOf(target)]);
    }
    return edges;
}

/** `dirty`, grown by every unit holding a reference into a dirty unit (or one of `read`) or to a container, to a fixed point. */
function closeOver(dirty: Set<AstNode>, edges: ReadonlyArray<[AstNode, AstNode | undefined]>, read?: ReadonlySet<AstNode>): void {
    for (let changed = true; changed; ) {
        changed = false;
        for (const [from, to] of edges) {
            if (dirty.has(from)) continue;
            if (to === undefined || dirty.has(to) || read?.has(to)) {
                dirty.add(from);
                changed = true;
            }
        }
    }
}

/** The host bridge directly in a container (a platform or SoC) holding `node`, or undefined. */
function hostBridgeOf(node: AstNode): AstNode | undefined {
    let bridge: AstNode | undefined = node;
    while (bridge && bridge.$type !== 'HostBridge') bridge = bridge.$container;
    if (!bridge || !bridge.$container || !CONTAINERS.has(bridge.$container.$type)) return undefined;
    return bridge;
}

export function planFor(document: LangiumDocument, record: ValidationRecord | undefined, documents: LangiumDocuments, options: ValidationOptions): Plan | undefined {
    const root = document.parseResult.value;
    if (!record || record.root !== root || record.optionsKey !== optionsKey(options)) return undefined;
    const text = textOf(document);
    if (text !== undefined && text === record.text) return othersPlan(document, record, documents, root, text);
    const patch = tokenPatches.get(root);
    if (patch) return patchPlan(document, record, documents, root, patch, text);
    const splice = itemSplices.get(root);
    if (splice) return splicePlan(document, record, documents, root, splice, text);
    return undefined;
}

function patchPlan(document: LangiumDocument, record: ValidationRecord, documents: LangiumDocuments, root: AstNode, patch: TokenPatch, text: string | undefined): Plan | undefined {
    if (patch.oldText !== record.text || patch.newText !== text || patch.name || !patch.holder) return undefined;
    // A reference's text (what it resolves to) is as much a change of names as a name.
    if (GrammarAST.isCrossReference((patch.leaf.grammarSource as AstNode | undefined)?.$container)) return undefined;
    // The host bridge holding the patch, and the unit in it (a child of the host bridge).
    const bridge = hostBridgeOf(patch.holder);
    if (!bridge) return undefined;
    const patched = unitOf(patch.holder);
    // Siblings read a function's own tokens and its direct parts (address, kind, bus numbers, ARI,
    // flags), and functions read their host bridge's parts (bus range, segment): a patch in those
    // is one in the whole host bridge.
    const whole = !patched || patched.$container !== bridge || patched.$type !== 'PciFunction' || patch.holder === patched || patch.holder.$container === patched;
    if (!sameOthers(documents, document, record.others)) return undefined;
    const edges = referenceEdges(document, root);
    if (!edges) return undefined;
    const dirty = new Set<AstNode>(whole ? childrenOf(bridge) : [patched!]);
    closeOver(dirty, edges);
    return { newText: patch.newText, move: moveOfPatch(patch), containers: containersOf(root), units: [...dirty], tops: [] };
}

/** A move that leaves every position where it is (the document's own text did not change). */
const NO_MOVE: Move = { from: { line: Number.MAX_SAFE_INTEGER, character: 0 }, oldEnd: { line: Number.MAX_SAFE_INTEGER, character: 0 }, newEnd: { line: Number.MAX_SAFE_INTEGER, character: 0 } };

/**
 * The document's own text is as it was, other documents changed: an imported file was edited and
 * this one, which imports it, is validated again after its references into it were linked again.
 * What a check of one of its units reads in another document it reads through a reference (the
 * checks that read the hardware a platform includes from a SoC are the Platform's, a container's:
 * platformHardware, socIncludes), so the units that run again are those holding a reference that
 * resolved into a changed document in the last pass or does now, or did not resolve then or now
 * (it may resolve to what the change declares), and, to a fixed point, every unit whose references
 * lead into one of those or to a container. A document added or removed validates whole.
 */
function othersPlan(document: LangiumDocument, record: ValidationRecord, documents: LangiumDocuments, root: AstNode, text: string): Plan | undefined {
    // The same text, but re-parsed since (edited and edited back before a validation): other nodes.
    if (!record.foreign || record.parses !== (inPlaceParses.get(root) ?? 0)) return undefined;
    const changed: string[] = [];
    let count = 0;
    for (const other of documents.all) {
        if (other === document) continue;
        count++;
        const uri = other.uri.toString();
        const before = record.others.get(uri);
        if (before === undefined) return undefined;
        if (before !== (textOf(other) ?? '')) changed.push(uri);
    }
    if (count !== record.others.size) return undefined;
    const now = foreignUnits(document);
    const edges = now && referenceEdges(document, root);
    if (!now || !edges) return undefined;
    const dirty = new Set<AstNode>([...record.foreign.unresolved, ...now.unresolved]);
    for (const uri of changed) for (const units of [record.foreign.into.get(uri), now.into.get(uri)]) for (const unit of units ?? []) dirty.add(unit);
    closeOver(dirty, edges);
    return { newText: text, move: NO_MOVE, containers: containersOf(root), units: [...dirty], tops: [], foreign: now };
}

/** Every `name` declared in the subtrees of `nodes` (CST children: items, and hidden leaves without one). */
function namesIn(nodes: readonly CstNode[], into: Set<string>): void {
    for (const cst of nodes) {
        const item = cst.astNode;
        if (!item || cst.hidden) continue;
        const stack: AstNode[] = [item];
        while (stack.length > 0) {
            const node = stack.pop()!;
            const name = (node as { name?: unknown }).name;
            if (typeof name === 'string') into.add(name);
            pushChildren(node, stack);
        }
    }
}

/**
 * The nodes of the tree declaring one of `names`: from the exports of this build (every node with
 * a non-empty name, scope-computation.ts), which at 10k functions is a list to scan rather than
 * some 100k nodes to walk; by the walk when the exports are not this tree's as it is now, or a name
 * is empty (those are not exported).
 */
function declarationsOf(root: AstNode, names: ReadonlySet<string>): AstNode[] {
    const exported = exportsByRoot.get(root);
    if (exported && replacements.get(root)?.length === 0 && !names.has('')) {
        return exported.filter((d) => names.has(d.name) && d.node !== undefined).map((d) => d.node!);
    }
    const found: AstNode[] = [];
    const stack: AstNode[] = [root];
    while (stack.length > 0) {
        const node = stack.pop()!;
        const name = (node as { name?: unknown }).name;
        if (typeof name === 'string' && names.has(name)) found.push(node);
        pushChildren(node, stack);
    }
    return found;
}

/**
 * After an item splice inside a host bridge H. When only functions directly in H were spliced in
 * or out: the new functions run again with everything below them, and the other functions
 * directly in H run their own checks and their parts' again (a function directly in a host bridge
 * reads its siblings' own tokens and parts: busOf → firstWrittenBus, bus ranges; the functions
 * below it read only their own parents'). Otherwise (a line of H's own, a bus range or a window,
 * which every function reads) every unit of H runs again. In both cases so does every unit
 * holding a reference whose text is a name declared in the spliced items (it may now resolve
 * elsewhere, or at all), every unit declaring such a name (it may have been, or become, what those
 * references mean: a function's check reads the IOMMU device scopes that name it), and, to a
 * fixed point, every unit whose references lead into a changed unit or a function directly in H.
 * The other findings are replayed with their positions moved; one whose message quotes a line
 * after the splice would quote a stale line (document-validator.ts gives up then).
 */
function splicePlan(document: LangiumDocument, record: ValidationRecord, documents: LangiumDocuments, root: AstNode, splice: ItemSplice, text: string | undefined): Plan | undefined {
    if (splice.oldText !== record.text || splice.newText !== text) return undefined;
    const bridge = hostBridgeOf(splice.block);
    if (!bridge) return undefined;
    if (!sameOthers(documents, document, record.others)) return undefined;
    const names = new Set<string>();
    namesIn(splice.removed, names);
    namesIn(splice.added, names);
    const onlyFunctions = splice.block === bridge && [...splice.removed, ...splice.added].every((cst) => cst.hidden || cst.astNode?.$type === 'PciFunction');
    const siblings = childrenOf(bridge);
    const dirty = new Set<AstNode>();
    const tops: AstNode[] = [];
    if (onlyFunctions) {
        for (const cst of splice.added) if (!cst.hidden && cst.astNode) dirty.add(cst.astNode);
        for (const sibling of siblings) if (sibling.$type === 'PciFunction') tops.push(sibling);
    } else {
        for (const sibling of siblings) dirty.add(sibling);
    }
    const edges = referenceEdges(document, root, (from, refText) => {
        if (names.has(refText)) dirty.add(from);
    });
    if (!edges) return undefined;
    if (names.size > 0) for (const node of declarationsOf(root, names)) {
        const unit = unitOf(node);
        if (unit) dirty.add(unit);
    }
    // What leads into a function directly in H is dirty too (it reads that function's siblings).
    closeOver(dirty, edges, new Set(tops));
    return {
        newText: splice.newText,
        move: { from: splice.gapStart, oldEnd: splice.gapEnd, newEnd: splice.newGapEnd },
        containers: containersOf(root),
        units: [...dirty],
        tops: tops.filter((top) => !dirty.has(top)),
        splice,
    };
}

/** Where an old position is now: moved by `move`, or undefined when it was inside what changed. */
function movePlace(p: Range['start'], move: Move): Range['start'] | undefined {
    if (p.line < move.from.line || (p.line === move.from.line && p.character <= move.from.character)) return p;
    if (p.line < move.oldEnd.line || (p.line === move.oldEnd.line && p.character < move.oldEnd.character)) return undefined;
    if (p.line === move.oldEnd.line) return { line: move.newEnd.line, character: p.character - move.oldEnd.character + move.newEnd.character };
    const lines = move.newEnd.line - move.oldEnd.line;
    return lines === 0 ? p : { line: p.line + lines, character: p.character };
}

function shiftRange(range: Range, move: Move): Range | undefined {
    const start = movePlace(range.start, move);
    const end = movePlace(range.end, move);
    if (!start || !end) return undefined;
    return start === range.start && end === range.end ? range : { start, end };
}

/** The accept call as it is after the patch or splice, or undefined when a range it computed cannot be moved. */
export function shiftCall(call: Accepted, change: TokenPatch | Move, uri: string): Accepted | undefined {
    const patch = 'delta' in change ? moveOfPatch(change) : change;
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
