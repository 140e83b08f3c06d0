// Re-parsing only what an edit changed. A keystroke in a 10k-function platform used to re-parse
// the whole 500 KB document (about 400 ms and most of the garbage behind the GC pauses); here the
// smallest enclosing block (a function, a bridge, a host bridge, a top-level declaration…) is
// parsed again with its own grammar rule and spliced into the old tree, and everything after it
// is shifted. An edit inside one token that leaves it a token of the same kind patches that
// token and the AST value it holds in place. An edit between the items of a block (a function
// added to a host bridge, a line removed) parses only the items it touched and their neighbours
// (`spliceItems`, with its own argument below).
//
// Why the result equals a full parse of the new text (test/language/incremental-parse.test.ts
// checks it with thousands of random edits). Only an error-free document is updated, and only
// into an error-free one (any error, rejection or doubt: full parse), so the parser's error
// recovery and the keyword-as-name retry (parse-guard.ts) never come into play. Then:
// - Lexing. The text before the block and after it is unchanged. The block's first token and
//   the whitespace after it, and its closing `}`, are outside the edit. No token of this grammar
//   can run from before the block into it except a string or a comment, and those end (at an
//   unchanged closing quote, `*/` or line end) before the block as they did; `}` ends every token
//   that could reach it, and a string or comment reaching past the block's end would end
//   unterminated in the block's own text, a lexer error. So the full text's tokens are the old
//   tokens before the block, the block text's tokens, and the old tokens after it.
// - Parsing. Every choice between alternatives in this grammar is decided by the next token
//   alone, and the block's first token is unchanged, so the full parser enters the block's rule
//   at the same place in the same state. A rule whose text ends with `}` stops there, so the
//   block's rule consumes exactly the block's tokens, as the rule-entry parse did (which reports
//   any token left over), and the parser continues after it as it did before.
// - The tree. Comments before the block's first token are attached outside it by Langium's CST
//   builder, those inside it inside it, whether parsed alone or in the full text.
import { AstUtils, GrammarAST, type AstNode, type CstNode, type LangiumCoreServices, type LangiumDocument, type ParseResult } from 'langium';
import { CompositeCstNodeImpl, DefaultLangiumDocumentFactory, DocumentState, type LangiumSharedCoreServices, type LeafCstNode } from 'langium';
import type { Cancellation } from 'langium';
import { inputRejection, MAX_DOCUMENT_CHARS, MAX_NESTING, nestingBeyond } from '../parse-guard.js';
import type { Model } from '../generated/ast.js';

/** How an update was made: patched in one token, a block re-parsed, or the whole text. */
export type ReparseKind = 'token' | 'items' | 'block' | 'full';

/** Blocks larger than this share of the document are parsed with the whole document. */
const LARGEST_SHARE = 0.25;

// Langium's CST node classes keep their positions in these fields (langium/lib/parser/cst-node-builder.js).
interface LeafFields {
    _offset: number;
    _length: number;
    _startLine: number;
    _startColumn: number;
    _endLine: number;
    _endColumn: number;
}
interface CompositeFields {
    content: CstNode[];
    container?: CompositeFields;
    _rangeCache: unknown;
    _astNode: AstNode | undefined;
    grammarSource: unknown;
}
interface RootFields extends CompositeFields {
    _text: string;
}

/**
 * Every number written into a leaf goes through `smi`. Langium stores positions as small integers
 * (`toSmi` in its CST builder): one value computed here as a heap number (V8 can box the result of
 * arithmetic over numbers read from object literals) turns the leaf class's field into a double
 * field, and V8 then migrates every leaf of the document on its next access: the first item splice
 * after opening a 1k-function platform took 15 ms in `shiftAfter` instead of 0.6, and each leaf
 * kept 16 bytes more per number. Positions stay far below 2^31 (MAX_DOCUMENT_CHARS).
 */
const smi = (value: number): number => value | 0;

function isComposite(node: CstNode): node is CstNode & { content: CstNode[] } {
    return Array.isArray((node as { content?: unknown }).content);
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b;

/** The edit as the common prefix and suffix of the two texts leave it: old [start, oldEnd) became new [start, newEnd). */
export function textChange(oldText: string, newText: string): { start: number; oldEnd: number; newEnd: number } {
    const shorter = Math.min(oldText.length, newText.length);
    let start = 0;
    while (start < shorter && oldText.charCodeAt(start) === newText.charCodeAt(start)) start++;
    let tail = 0;
    while (tail < shorter - start && oldText.charCodeAt(oldText.length - 1 - tail) === newText.charCodeAt(newText.length - 1 - tail)) tail++;
    return { start, oldEnd: oldText.length - tail, newEnd: newText.length - tail };
}

/**
 * A pure insertion or deletion placed where it falls between tokens: the same edit can be put at
 * any position of a run over which the text before it repeats the end of the inserted (or
 * deleted) text, and the longest common prefix takes the rightmost, which puts a line inserted
 * before another line's first token after that token's first letter (inserting `    rc-endpoint
 * …\n` before `    root-port` reads as inserting `c-endpoint …\n    r` after its `r`), so the item
 * splice parsed the root port again. Of those positions this takes the rightmost at a line's
 * start, else the rightmost after a space or tab, else the leftmost: the insertion then starts
 * where the item before ends.
 */
export function slideLeft(oldText: string, newText: string, change: { start: number; oldEnd: number; newEnd: number }): { start: number; oldEnd: number; newEnd: number } {
    const { start, oldEnd, newEnd } = change;
    // The texts whose characters must repeat: the inserted text (in newText) or the deleted one (in oldText).
    let last: (k: number) => number;
    if (oldEnd === start && newEnd > start) last = (k) => newText.charCodeAt(newEnd - 1 - k);
    else if (newEnd === start && oldEnd > start) last = (k) => oldText.charCodeAt(oldEnd - 1 - k);
    else return change;
    let lineStart = -1;
    let afterSpace = -1;
    let k = 0;
    for (;;) {
        const before = oldText.charCodeAt(start - k - 1);
        if (lineStart < 0 && before === 0x0a) lineStart = k;
        if (afterSpace < 0 && (before === 0x20 || before === 0x09)) afterSpace = k;
        if (lineStart >= 0 || start - k <= 0 || before !== last(k)) break;
        k++;
    }
    const by = lineStart >= 0 ? lineStart : afterSpace >= 0 ? afterSpace : k;
    return { start: start - by, oldEnd: oldEnd - by, newEnd: newEnd - by };
}

function firstLeaf(node: CstNode): LeafCstNode | undefined {
    let current: CstNode | undefined = node;
    while (current && isComposite(current)) current = current.content.find((c) => !c.hidden);
    return current as LeafCstNode | undefined;
}

function lastLeaf(node: CstNode): LeafCstNode | undefined {
    let current: CstNode | undefined = node;
    while (current && isComposite(current)) {
        const content: CstNode[] = current.content;
        let next: CstNode | undefined;
        for (let i = content.length - 1; i >= 0; i--) {
            if (!content[i]!.hidden) {
                next = content[i];
                break;
            }
        }
        current = next;
    }
    return current as LeafCstNode | undefined;
}

/** The grammar rule that parses `node` alone, when it can be re-parsed and spliced in. */
function blockRule(node: AstNode): string | undefined {
    const cst = node.$cstNode;
    if (!cst || !node.$container || !node.$containerProperty) return undefined;
    const call = cst.grammarSource;
    if (!GrammarAST.isRuleCall(call)) return undefined;
    const rule = call.rule.ref;
    if (!GrammarAST.isParserRule(rule) || rule.fragment || rule.dataType !== undefined) return undefined;
    // The node hangs directly below its container's CST node (no other node's in between).
    const parentCst = (cst as unknown as CompositeFields).container;
    if (!parentCst || findAst(parentCst) !== node.$container) return undefined;
    const last = lastLeaf(cst);
    if (!last || last.text !== '}') return undefined;
    return rule.name;
}

function findAst(node: CompositeFields | undefined): AstNode | undefined {
    while (node) {
        if (node._astNode) return node._astNode;
        node = node.container;
    }
    return undefined;
}

/** Shifts a leaf from a sub-parse's coordinates (starting at 0:0) to where its text starts. */
function place(leaf: LeafFields, offset: number, line: number, column: number): void {
    leaf._offset = smi(leaf._offset + offset);
    if (leaf._startLine === 0) leaf._startColumn = smi(leaf._startColumn + column);
    if (leaf._endLine === 0) leaf._endColumn = smi(leaf._endColumn + column);
    leaf._startLine = smi(leaf._startLine + line);
    leaf._endLine = smi(leaf._endLine + line);
}

/** The last leaf of `node`, hidden or not. */
function lastAny(node: CstNode): CstNode {
    let current = node;
    while (isComposite(current) && current.content.length > 0) current = current.content[current.content.length - 1]!;
    return current;
}

/** The first leaf of `node`, hidden or not. */
function firstAny(node: CstNode): CstNode {
    let current = node;
    while (isComposite(current) && current.content.length > 0) current = current.content[0]!;
    return current;
}

/**
 * Moves every leaf at or after `from` (old coordinates) by the edit's shift, and drops the cached
 * ranges of the composite nodes that hold such leaves. Subtrees wholly before `from` are skipped.
 */
function shiftAfter(root: CstNode, from: number, delta: number, oldLine: number, oldColumn: number, newLine: number, newColumn: number): void {
    const lineDelta = smi(newLine - oldLine);
    const columnDelta = smi(newColumn - oldColumn);
    const move = (leaf: LeafFields) => {
        leaf._offset = smi(leaf._offset + delta);
        if (leaf._startLine === oldLine) leaf._startColumn = smi(leaf._startColumn + columnDelta);
        if (leaf._endLine === oldLine) leaf._endColumn = smi(leaf._endColumn + columnDelta);
        leaf._startLine = smi(leaf._startLine + lineDelta);
        leaf._endLine = smi(leaf._endLine + lineDelta);
    };
    // Wholly after `from`: every leaf moves, no test needed.
    const after: CstNode[] = [];
    const mixed: CstNode[] = [root];
    while (mixed.length > 0) {
        const node = mixed.pop()!;
        if (!isComposite(node)) {
            if (node.offset >= from) move(node as unknown as LeafFields);
            continue;
        }
        if (node.content.length === 0 || lastAny(node).end <= from) continue;
        (node as unknown as CompositeFields)._rangeCache = undefined;
        for (const child of node.content) {
            if (firstAny(child).offset >= from) after.push(child);
            else mixed.push(child);
        }
    }
    while (after.length > 0) {
        const node = after.pop()!;
        if (isComposite(node)) {
            (node as unknown as CompositeFields)._rangeCache = undefined;
            for (const child of node.content) after.push(child);
        } else {
            move(node as unknown as LeafFields);
        }
    }
}

/** The innermost node holding old [start, end), and its ancestors, innermost first. */
function enclosing(root: CstNode, start: number, end: number): AstNode[] {
    const path: AstNode[] = [];
    let current: CstNode = root;
    for (;;) {
        if (!isComposite(current)) break;
        const own = (current as unknown as CompositeFields)._astNode;
        if (own && path[path.length - 1] !== own) path.push(own);
        let next: CstNode | undefined;
        for (const child of current.content) {
            if (child.hidden || !isComposite(child)) continue;
            if (child.offset <= start && end <= child.end) {
                next = child;
                break;
            }
        }
        if (!next) break;
        current = next;
    }
    return path.reverse();
}

/** The leaf (hidden or not) whose text holds old [start, end), if one does. */
function leafAt(root: CstNode, start: number, end: number): LeafCstNode | undefined {
    let current: CstNode = root;
    for (;;) {
        if (!isComposite(current)) return current.offset <= start && end <= current.end ? (current as LeafCstNode) : undefined;
        let next: CstNode | undefined;
        for (const child of current.content) {
            const first = firstAny(child);
            if (first.offset > start) break;
            if (end <= lastAny(child).end) {
                next = child;
                break;
            }
        }
        if (!next) return undefined;
        current = next;
    }
}

/** The AST value a leaf gives, and where it goes: `node[property]`, or its `index`th element. */
function tokenTarget(leaf: LeafCstNode): { node: AstNode; property: string; index?: number; datatype: boolean } | undefined {
    const feature = leaf.grammarSource;
    let holder: CstNode = leaf;
    let datatype = false;
    let call: unknown = feature;
    const parent = (leaf as unknown as CompositeFields).container as unknown as CstNode | undefined;
    if (!parent) return undefined;
    if (!(GrammarAST.isRuleCall(feature) && GrammarAST.isAssignment(feature.$container))) {
        // A token that is the whole of a data type rule's value (`name=Name` with Name ← ID).
        if (!GrammarAST.isRuleCall(feature) || !isComposite(parent) || parent.content.filter((c) => !c.hidden).length !== 1) return undefined;
        const rule = (parent.grammarSource as GrammarAST.RuleCall | undefined);
        if (!GrammarAST.isRuleCall(rule) || !GrammarAST.isParserRule(rule.rule.ref) || rule.rule.ref.dataType === undefined) return undefined;
        holder = parent;
        call = rule;
        datatype = true;
    }
    const assignment: unknown = (call as GrammarAST.RuleCall).$container;
    if (!GrammarAST.isAssignment(assignment) || assignment.operator === '?=') return undefined;
    const owner = (holder as unknown as CompositeFields).container;
    const node = owner?._astNode;
    if (!owner || !node || findAst(owner) !== node) return undefined;
    const value = (node as unknown as Record<string, unknown>)[assignment.feature];
    if (assignment.operator === '=') return typeof value === 'string' ? { node, property: assignment.feature, datatype } : undefined;
    // `+=`: the element's place among the node's tokens assigned to the same property.
    if (!Array.isArray(value)) return undefined;
    let index = 0;
    for (const sibling of owner.content) {
        if (sibling === holder) return typeof value[index] === 'string' ? { node, property: assignment.feature, index, datatype } : undefined;
        const holderOf: unknown = (sibling.grammarSource as { $container?: unknown } | undefined)?.$container;
        if (GrammarAST.isAssignment(holderOf) && holderOf.feature === assignment.feature) index++;
    }
    return undefined;
}

const hasBreak = (text: string) => text.includes('\n') || text.includes('\r');

/**
 * An edit inside one token that leaves it one token of the same type: the token's text and the
 * value it gives are patched and the rest shifted. The token stands between whitespace (or the
 * text's ends) before and after, so no neighbouring token can change with it; the parser sees the
 * same token types, so it takes the same path, and only this token's value differs.
 */
function patchToken(services: Services, root: CstNode, oldText: string, newText: string, change: { start: number; oldEnd: number; newEnd: number }): boolean {
    const leaf = leafAt(root, change.start, change.oldEnd);
    if (!leaf) return false;
    const delta = change.newEnd - change.oldEnd;
    const image = newText.slice(leaf.offset, leaf.end + delta);
    if (image.length === 0 || hasBreak(image) || hasBreak(leaf.text) || image.includes('\u0000')) return false;
    const before = leaf.offset === 0 ? 0x20 : oldText.charCodeAt(leaf.offset - 1);
    const after = leaf.end === oldText.length ? 0x20 : oldText.charCodeAt(leaf.end);
    if (!isSpace(before) || !isSpace(after)) return false;
    const lexed = services.parser.Lexer.tokenize(image);
    const tokens = [...lexed.tokens, ...(lexed.hidden ?? [])];
    if (lexed.errors.length > 0 || tokens.length !== 1 || tokens[0]!.image !== image || tokens[0]!.tokenType !== leaf.tokenType) return false;
    const target = leaf.hidden ? undefined : tokenTarget(leaf);
    if (!leaf.hidden && !target) return false;
    const fields = leaf as unknown as LeafFields;
    const oldEnd = leaf.end;
    const line = fields._endLine;
    const column = fields._endColumn;
    lastPatch = {
        oldText,
        newText,
        leaf,
        holder: target?.node ?? findAst((leaf as unknown as CompositeFields).container),
        name: target?.property === 'name',
        line,
        startCharacter: fields._startColumn,
        oldEndCharacter: column,
        delta,
    };
    shiftAfter(root, oldEnd, delta, line, column, line, column + delta);
    fields._length = smi(fields._length + delta);
    fields._endColumn = smi(fields._endColumn + delta);
    (root as unknown as RootFields)._text = newText;
    for (let c = (leaf as unknown as CompositeFields).container; c; c = c.container) c._rangeCache = undefined;
    if (target) {
        const converted = services.parser.ValueConverter.convert(image, leaf);
        const value = target.datatype ? String(converted) : converted;
        const record = target.node as unknown as Record<string, unknown>;
        if (target.index === undefined) record[target.property] = value;
        else (record[target.property] as unknown[])[target.index] = value;
        // A name is what the export index holds: the node's entry is made again.
        if (target.property === 'name') recordReplacement(root, target.node);
    }
    return true;
}

/**
 * A subtree replaced in place: `removed` (detached, or the same node when a name was patched) by
 * `added`; or, where items of a block were spliced in or out (`spliceItems`), one side only.
 */
export interface TokenPatch {
    /** The text before the patch and after it (the root's text, by identity). */
    oldText: string;
    newText: string;
    /** The patched leaf (the same object before and after). */
    leaf: LeafCstNode;
    /** The AST node whose value the token gives (for a hidden leaf, the node holding it). */
    holder: AstNode | undefined;
    /** The token is a name (what the export index and references see). */
    name: boolean;
    /** Where the old token was: one line, [startCharacter, oldEndCharacter); later characters on that line move by `delta`. */
    line: number;
    startCharacter: number;
    oldEndCharacter: number;
    delta: number;
}

let lastPatch: TokenPatch | undefined;

/**
 * The token patch that made a tree's current text, per root, when the latest update of that
 * tree was one (any other update removes it): incremental validation
 * (language/validation/incremental-validation.ts) reuses what the patch cannot have changed.
 */
/**
 * How many times each tree was re-parsed in place: the same root, other nodes or values below it
 * (validation reuses a pass only for the tree it checked: incremental-validation.ts othersPlan).
 */
export const inPlaceParses = new WeakMap<AstNode, number>();

export const tokenPatches = new WeakMap<AstNode, TokenPatch>();

export interface Replacement {
    removed?: AstNode;
    added?: AstNode;
}

/** A line and character of a text. */
export interface Place {
    line: number;
    character: number;
}

/**
 * An item splice that made a tree's current text (`spliceItems`): the items of `block` in the old
 * text between `gapStart` (the end of the item before, or the `{`) and `gapEnd` (the start of the
 * item after, or the `}`) were replaced by `added`; everything from `gapEnd` on moved to `newGapEnd`
 * (old positions before `gapStart` are unchanged, those strictly between are gone).
 */
export interface ItemSplice {
    oldText: string;
    newText: string;
    block: AstNode;
    /** The CST children taken out and put in (items and hidden leaves). */
    removed: readonly CstNode[];
    added: readonly CstNode[];
    gapStart: Place;
    gapEnd: Place;
    newGapEnd: Place;
}

/** The item splice that made a tree's current text, per root, when the latest update was one. */
export const itemSplices = new WeakMap<AstNode, ItemSplice>();

/**
 * The replacements made in a tree since a listener (the export index) last looked, per root; a
 * root absent here is not followed (a full parse makes a new root, so its listener starts over).
 */
export const replacements = new WeakMap<AstNode, Replacement[]>();

/** Counts item splices, which move the indices (and so the paths) of later siblings; other updates keep every kept node's path. */
export const indexEpoch = { count: 0 };

/** The same, for the linker (language/scope/linker.ts): the replacements since the tree was last linked. */
export const linkReplacements = new WeakMap<AstNode, Replacement[]>();

function record(root: AstNode, replacement: Replacement): void {
    replacements.get(root)?.push(replacement);
    linkReplacements.get(root)?.push(replacement);
}

function recordReplacement(root: CstNode, node: AstNode): void {
    const model = (root as unknown as CompositeFields)._astNode;
    if (model) record(model, { removed: node, added: node });
}

interface Services {
    parser: LangiumCoreServices['parser'];
}

/**
 * Brings `model` (parsed from `oldText`) up to `newText` in place when that is provably what a
 * full parse would give; returns how, or undefined when the caller must parse the whole text.
 */
export function reparseInPlace(services: Services, result: ParseResult<AstNode>, oldText: string, newText: string): ReparseKind | undefined {
    const model = result.value as Model;
    if (result.lexerErrors.length > 0 || result.parserErrors.length > 0 || inputRejection(model)) return undefined;
    if (newText.length > MAX_DOCUMENT_CHARS) return undefined;
    const root = model.$cstNode;
    if (!root || (root as unknown as RootFields)._text !== oldText) return undefined;
    const change = textChange(oldText, newText);
    tokenPatches.delete(model);
    itemSplices.delete(model);
    lastPatch = undefined;
    if (patchToken(services, root, oldText, newText, change)) {
        if (lastPatch) tokenPatches.set(model, lastPatch);
        lastPatch = undefined;
        return 'token';
    }
    const delta = change.newEnd - change.oldEnd;
    const candidates = enclosing(root, change.start, change.oldEnd);
    const between = slideLeft(oldText, newText, change);
    for (const node of candidates) {
        const rule = blockRule(node);
        if (!rule) continue;
        if (spliceItems(services, root, model, node, newText, between)) return 'items';
        const cst = node.$cstNode!;
        const first = firstLeaf(cst)!;
        const close = lastLeaf(cst)!;
        // The first token and the whitespace after it, and the closing `}`, stay as they were.
        if (change.start <= first.end || !isSpace(oldText.charCodeAt(first.end))) continue;
        if (change.oldEnd > close.offset) continue;
        const start = first.offset;
        const oldEnd = close.end;
        const newEnd = oldEnd + delta;
        if (newEnd - start > newText.length * LARGEST_SHARE) return undefined;
        const text = newText.slice(start, newEnd);
        if (text.includes('\u0000')) return undefined;
        let depth = 0;
        for (let a = node.$container; a; a = a.$container) depth++;
        if (nestingBeyond(text, MAX_NESTING - depth)) return undefined;
        const sub = services.parser.LangiumParser.parse(text, { rule }) as ParseResult<AstNode>;
        // A block that no longer parses alone may still be part of a larger one that does (an
        // inserted `} endpoint x at 01.0 {` splits a function in two): try the enclosing block.
        if (sub.lexerErrors.length > 0 || sub.parserErrors.length > 0 || inputRejection(sub.value as Model)) continue;
        const value = sub.value;
        const subRoot = value.$cstNode as unknown as CompositeFields;
        const subClose = lastLeaf(value.$cstNode!);
        if (!subClose || subClose.text !== '}' || subClose.end !== text.length) continue;
        splice(root, node, value, subRoot, newText, { start, oldEnd, delta, close });
        record(model, { removed: node, added: value });
        return 'block';
    }
    return undefined;
}

/** The `'{'` and `'}'` of a rule ending `'{' (a+=A | b+=B | …)* '}'`, when it does. */
function itemLoop(rule: GrammarAST.ParserRule): { open: GrammarAST.Keyword; close: GrammarAST.Keyword; calls: Set<unknown> } | undefined {
    if (loops.has(rule)) return loops.get(rule);
    let found: ReturnType<typeof itemLoop>;
    const body = rule.definition;
    if (GrammarAST.isGroup(body) && !body.cardinality && body.elements.length >= 3) {
        const [open, loop, close] = body.elements.slice(-3);
        const choices = GrammarAST.isAlternatives(loop) ? loop.elements : [loop!];
        const calls = new Set<unknown>();
        const each = choices.every((c) => {
            if (!GrammarAST.isAssignment(c) || c.operator !== '+=' || c.cardinality || !GrammarAST.isRuleCall(c.terminal)) return false;
            const target = c.terminal.rule.ref;
            if (!GrammarAST.isParserRule(target) || target.fragment || target.dataType !== undefined) return false;
            calls.add(c.terminal);
            return true;
        });
        if (GrammarAST.isKeyword(open) && open.value === '{' && !open.cardinality && GrammarAST.isKeyword(close) && close.value === '}' && !close.cardinality && loop!.cardinality === '*' && each) {
            found = { open, close, calls };
        }
    }
    loops.set(rule, found);
    return found;
}
const loops = new Map<GrammarAST.ParserRule, ReturnType<typeof itemLoop>>();

/** Line and column of `offset` in `text` (lines end at `\n`; the caller refuses `\r`). */
function lineColumn(text: string, offset: number): { line: number; column: number } {
    let line = 0;
    let last = -1;
    for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
        line++;
        last = i;
    }
    return { line, column: offset - last - 1 };
}

/** How often an item splice kept the item after the edit as it was, and how often it parsed it again (the equivalence test reads it). */
export const spliceStats = { nextKept: 0, nextParsed: 0 };

/**
 * The grammar element `element` is the last thing its rule can match: no element of the rule can
 * follow it (each group holding it ends with it, none of them repeats) and the rule is not a
 * fragment (whose call sites are not known here).
 */
function lastInRule(element: unknown): boolean {
    let current = element as GrammarAST.AbstractElement | undefined;
    while (current) {
        if (current.cardinality === '*' || current.cardinality === '+') return false;
        const parent: unknown = current.$container;
        if (GrammarAST.isParserRule(parent)) return !parent.fragment && parent.definition === current;
        if (GrammarAST.isGroup(parent)) {
            if (parent.elements[parent.elements.length - 1] !== current) return false;
        } else if (!GrammarAST.isAlternatives(parent) && !GrammarAST.isAssignment(parent)) {
            return false;
        }
        current = parent as GrammarAST.AbstractElement;
    }
    return false;
}

/**
 * A sub-parse's items end where the loop's head is reached again, whatever token follows: the
 * last item (before only whitespace and the block's closing `}`) ends with a token that is, on
 * the way up to the item, in every CST node the last element its rule can match (a function's
 * closing `}`, the last number of an `msi-map`), so no token after the item can be taken into it.
 * With no item in the edited text that is the item before it (`itemBefore`), or the `{`.
 */
function endsAtLoopHead(content: readonly CstNode[], open: number, close: number, text: string, itemBefore: boolean): boolean {
    let last = close - 1;
    while (last > open && content[last]!.hidden) last--;
    if (last === open) return !itemBefore && text.slice(content[open]!.end, content[close]!.offset).trim() === '';
    const item = content[last]!;
    if (!isComposite(item) || content.slice(last + 1, close).some((c) => c.hidden)) return false;
    if (text.slice(lastAny(item).end, content[close]!.offset).trim() !== '') return false;
    const leaf = lastLeaf(item);
    if (!leaf || leaf !== lastAny(item)) return false;
    for (let n: CstNode = leaf; n !== item; ) {
        if (!lastInRule(n.grammarSource)) return false;
        const parent = (n as unknown as CompositeFields).container as unknown as CstNode | undefined;
        if (!parent) return false;
        n = parent;
    }
    return true;
}

/**
 * An edit between the items of a block (`host-bridge … { a b c }`), that adds, removes or changes
 * whole items: the items it touched and their neighbours are parsed again with the block's rule,
 * in a text made of the block's header, the item before the edit, the edited text, the item after
 * it and the closing `}`; the new items are put in the block, the rest of the tree kept and shifted.
 *
 * Why that equals a full parse. The block's rule ends `'{' (x+=X | y+=Y | …)* '}'`: after `{` and
 * after each item the parser is at the loop's head, where the next token alone chooses. The item
 * before the edit (or the `{`) and the one after it (or the `}`) are unchanged and parsed again
 * with the edited text between them, followed by the same token as in the full text, or `}`,
 * which ends the last copy exactly where that item ended before: each copy must span the text it
 * spanned, so the parse of the edited text starts and ends at the loop's head as the full parse
 * does. The header before the `{` is unchanged text. Lexing: the texts joined are whole tokens
 * with the whitespace between them; a string or comment cannot run past a copy's end (it would
 * end the sub-parse with a lexer error). Property order: Langium's nodes list the properties
 * first assigned in the text first, in that order, so the splice is refused unless the order of
 * first assignments among the block's items stays the same.
 */
function spliceItems(services: Services, root: CstNode, model: AstNode, node: AstNode, newText: string, change: { start: number; oldEnd: number; newEnd: number }): boolean {
    const cst = node.$cstNode as CstNode & { content: CstNode[] };
    const call = cst.grammarSource;
    if (!GrammarAST.isRuleCall(call)) return false;
    // The rule of the node's own type (a call of `HardwareItem: HostBridge | …` builds no node of its own).
    const grammar = AstUtils.getContainerOfType(call, GrammarAST.isGrammar);
    const rule = grammar?.rules.find((r) => r.name === node.$type);
    if (!rule || !GrammarAST.isParserRule(rule)) return false;
    const loop = itemLoop(rule);
    if (!loop) return false;
    // The composite holding the rule's own elements: below the call of an unassigned rule (`HardwareItem`) it is nested.
    let body: CstNode & { content: CstNode[] } = cst;
    for (;;) {
        const visible = body.content.filter((c) => !c.hidden);
        if (visible.length !== 1 || !isComposite(visible[0]!) || body.content.length !== 1) break;
        body = visible[0]! as CstNode & { content: CstNode[] };
    }
    const content = body.content;
    const open = content.findIndex((c) => !c.hidden && c.grammarSource === loop.open);
    let close = content.length - 1;
    while (close >= 0 && content[close]!.hidden) close--;
    if (open < 0 || close <= open || content[close]!.grammarSource !== loop.close) return false;
    // Between `{` and `}` only items of this block (and hidden leaves).
    for (let k = open + 1; k < close; k++) {
        const child = content[k]!;
        if (child.hidden) continue;
        if (!isComposite(child) || !loop.calls.has(child.grammarSource) || (child as unknown as CompositeFields)._astNode?.$container !== node) return false;
    }
    // The item before the edit (or `{`) and the one after it (or `}`).
    let i = -1;
    for (let k = open; k < close; k++) if (!content[k]!.hidden && lastAny(content[k]!).end <= change.start) i = k;
    if (i < 0) return false;
    let j = -1;
    for (let k = i + 1; k <= close; k++) {
        if (!content[k]!.hidden && firstAny(content[k]!).offset >= change.oldEnd) {
            j = k;
            break;
        }
    }
    if (j < 0) return false;
    for (let k = i + 1; k < j; k++) if (!content[k]!.hidden && !(firstAny(content[k]!).offset >= lastAny(content[i]!).end)) return false;
    const delta = change.newEnd - change.oldEnd;
    const segmentStart = i === open ? content[open]!.end : firstAny(content[i]!).offset;
    const header = newText.slice(firstLeaf(cst)!.offset, content[open]!.end);
    const separator = i === open ? '' : ' ';
    const at = header.length + separator.length;
    let depth = 0;
    for (let a = node.$container; a; a = a.$container) depth++;
    /** The block's rule over `header item-before edited-text [item-after] }`, when that parses cleanly. */
    const parseItems = (segmentEnd: number, withNext: boolean) => {
        const text = `${header}${separator}${newText.slice(segmentStart, segmentEnd + delta)}${withNext ? ' ' : ''}}`;
        if (text.length > newText.length * LARGEST_SHARE || text.includes('\u0000') || text.includes('\r')) return undefined;
        if (nestingBeyond(text, MAX_NESTING - depth)) return undefined;
        const sub = services.parser.LangiumParser.parse(text, { rule: rule.name }) as ParseResult<AstNode>;
        if (sub.lexerErrors.length > 0 || sub.parserErrors.length > 0 || inputRejection(sub.value as Model)) return undefined;
        const subCst = sub.value.$cstNode as (CstNode & { content: CstNode[] }) | undefined;
        if (!subCst || !isComposite(subCst) || subCst.offset !== 0 || subCst.end !== text.length) return undefined;
        const subContent = subCst.content;
        const subOpen = subContent.findIndex((c) => !c.hidden && c.grammarSource === loop.open);
        let subClose = subContent.length - 1;
        while (subClose >= 0 && subContent[subClose]!.hidden) subClose--;
        if (subOpen < 0 || subClose <= subOpen || subContent[subClose]!.grammarSource !== loop.close) return undefined;
        return { text, sub, subContent, subOpen, subClose };
    };
    // The item after the edit need not be parsed again when the edited text ends with an item
    // whose last token nothing in its rule can follow (or, with no item in it, the item before
    // ends so, or the `{` came before): the parser is then back at the loop's head, where the next
    // token alone chooses, as it was before that item in the old parse (see the argument above).
    // The item after can be large (a root port holding a switch and its endpoints); the edited
    // text is usually a line.
    let parsed: ReturnType<typeof parseItems>;
    let withNext = j !== close;
    if (withNext) {
        parsed = parseItems(firstAny(content[j]!).offset, false);
        if (parsed && endsAtLoopHead(parsed.subContent, parsed.subOpen, parsed.subClose, parsed.text, i !== open)) {
            withNext = false;
            spliceStats.nextKept++;
        } else {
            parsed = undefined;
            spliceStats.nextParsed++;
        }
    }
    parsed ??= parseItems(j === close ? firstAny(content[close]!).offset : lastAny(content[j]!).end, withNext);
    if (!parsed) return false;
    const { text, sub, subContent, subOpen, subClose } = parsed;
    // The copies of the neighbouring items span exactly their old text.
    let from = subOpen;
    if (i !== open) {
        from = subContent.findIndex((c, k) => k > subOpen && !c.hidden);
        const copy = subContent[from]!;
        if (!isComposite(copy) || firstAny(copy).offset !== at || lastAny(copy).end - at !== lastAny(content[i]!).end - segmentStart) return false;
    }
    let to = subClose;
    if (withNext) {
        to = subClose - 1;
        while (to > subOpen && subContent[to]!.hidden) to--;
        const copy = subContent[to]!;
        const length = lastAny(content[j]!).end - firstAny(content[j]!).offset;
        if (to <= from || !isComposite(copy) || lastAny(copy).end !== text.length - 2 || lastAny(copy).end - firstAny(copy).offset !== length) return false;
    }
    const fresh = subContent.slice(from + 1, to);
    for (const child of fresh) if (!child.hidden && (!isComposite(child) || !loop.calls.has(child.grammarSource) || !(child as unknown as CompositeFields)._astNode)) return false;
    const removedCst = content.slice(i + 1, j);
    // The order in which item properties are first assigned, before and after.
    const firstOrder = (children: readonly CstNode[]) => {
        const seen: string[] = [];
        for (const child of children) {
            const item = isComposite(child) ? (child as unknown as CompositeFields)._astNode : undefined;
            const property = item?.$containerProperty;
            if (item && (item.$container === node || item.$container === sub.value) && property && !seen.includes(property)) seen.push(property);
        }
        return seen.join(' ');
    };
    const after = [...content.slice(0, i + 1), ...fresh, ...content.slice(j)];
    if (firstOrder(content) !== firstOrder(after)) return false;

    // Positions: what follows the edited text moves by the edit (old coordinates), then the new children are placed.
    const gapEnd = firstAny(content[j]!);
    const gapEndFields = gapEnd as unknown as LeafFields;
    const base = i === open ? { line: (content[open] as unknown as LeafFields)._endLine, column: (content[open] as unknown as LeafFields)._endColumn } : { line: (firstAny(content[i]!) as unknown as LeafFields)._startLine, column: (firstAny(content[i]!) as unknown as LeafFields)._startColumn };
    const subStart = lineColumn(text, at);
    const toReal = (p: { line: number; column: number }) => ({ line: p.line - subStart.line + base.line, column: p.line === subStart.line ? p.column - subStart.column + base.column : p.column });
    const newGapEnd = toReal(lineColumn(text, at + (gapEnd.offset + delta - segmentStart)));
    const gapStartFields = (i === open ? content[open]! : lastAny(content[i]!)) as unknown as LeafFields;
    const splice_: ItemSplice = {
        oldText: (root as unknown as RootFields)._text,
        newText,
        block: node,
        removed: content.slice(i + 1, j),
        added: fresh,
        gapStart: { line: gapStartFields._endLine, character: gapStartFields._endColumn },
        gapEnd: { line: gapEndFields._startLine, character: gapEndFields._startColumn },
        newGapEnd: { line: newGapEnd.line, character: newGapEnd.column },
    };
    shiftAfter(root, gapEnd.offset, delta, gapEndFields._startLine, gapEndFields._startColumn, newGapEnd.line, newGapEnd.column);
    const leaves: CstNode[] = [...fresh];
    while (leaves.length > 0) {
        const n = leaves.pop()!;
        if (isComposite(n)) {
            (n as unknown as CompositeFields)._rangeCache = undefined;
            leaves.push(...n.content);
            continue;
        }
        const leaf = n as unknown as LeafFields;
        const start = toReal({ line: leaf._startLine, column: leaf._startColumn });
        const end = toReal({ line: leaf._endLine, column: leaf._endColumn });
        leaf._offset = smi(leaf._offset + segmentStart - at);
        leaf._startLine = smi(start.line);
        leaf._startColumn = smi(start.column);
        leaf._endLine = smi(end.line);
        leaf._endColumn = smi(end.column);
    }
    content.splice(i + 1, j - i - 1, ...fresh);
    for (const child of fresh) (child as unknown as CompositeFields).container = body as unknown as CompositeFields;
    (root as unknown as RootFields)._text = newText;
    for (let c: CompositeFields | undefined = body as unknown as CompositeFields; c; c = c.container) c._rangeCache = undefined;
    // The AST: old items out, new ones in, indices renumbered.
    const record_ = node as unknown as Record<string, AstNode[]>;
    const touched = new Set<string>();
    const removed: AstNode[] = [];
    for (const child of removedCst) {
        const item = isComposite(child) ? (child as unknown as CompositeFields)._astNode : undefined;
        if (!item || child.hidden) continue;
        const list = record_[item.$containerProperty!]!;
        list.splice(list.indexOf(item), 1);
        touched.add(item.$containerProperty!);
        removed.push(item);
    }
    const added: AstNode[] = [];
    for (const child of fresh) {
        const item = isComposite(child) ? (child as unknown as CompositeFields)._astNode : undefined;
        if (!item || child.hidden) continue;
        const property = item.$containerProperty!;
        const list = (record_[property] ??= []);
        const offset = child.offset;
        let index = list.findIndex((x) => (x.$cstNode?.offset ?? 0) > offset);
        if (index < 0) index = list.length;
        list.splice(index, 0, item);
        (item as { $container: AstNode }).$container = node;
        touched.add(property);
        added.push(item);
    }
    for (const property of touched) record_[property]!.forEach((item, index) => ((item as { $containerIndex?: number }).$containerIndex = index));
    indexEpoch.count++;
    itemSplices.set(model, splice_);
    for (const item of removed) record(model, { removed: item });
    for (const item of added) record(model, { added: item });
    return true;
}

function splice(root: CstNode, old: AstNode, value: AstNode, subRoot: CompositeFields, newText: string, at: { start: number; oldEnd: number; delta: number; close: LeafCstNode }): void {
    const oldCst = old.$cstNode!;
    const startLine = oldCst.range.start.line;
    const startColumn = oldCst.range.start.character;
    // Positions after the block move first (in old coordinates), then the block's own are placed.
    const subLast = lastLeaf(value.$cstNode!) as unknown as LeafFields;
    const newEndLine = startLine + subLast._endLine;
    const newEndColumn = subLast._endLine === 0 ? startColumn + subLast._endColumn : subLast._endColumn;
    const closeFields = at.close as unknown as LeafFields;
    shiftAfter(root, at.oldEnd, at.delta, closeFields._endLine, closeFields._endColumn, newEndLine, newEndColumn);
    const leaves: CstNode[] = [...subRoot.content];
    while (leaves.length > 0) {
        const n = leaves.pop()!;
        if (isComposite(n)) leaves.push(...n.content);
        else place(n as unknown as LeafFields, at.start, startLine, startColumn);
    }
    // The block's composite node, as the full parse builds it around the rule call.
    const composite = new CompositeCstNodeImpl() as unknown as CompositeFields;
    composite.grammarSource = oldCst.grammarSource;
    composite.content = subRoot.content;
    for (const child of composite.content) (child as unknown as CompositeFields).container = composite;
    composite._astNode = value;
    const parentCst = (oldCst as unknown as CompositeFields).container!;
    const index = parentCst.content.indexOf(oldCst);
    parentCst.content[index] = composite as unknown as CstNode;
    composite.container = parentCst;
    (value as { $cstNode?: CstNode }).$cstNode = composite as unknown as CstNode;
    // The AST.
    const container = old.$container! as unknown as Record<string, unknown>;
    const property = old.$containerProperty!;
    const mutable = value as { -readonly [K in keyof AstNode]: AstNode[K] };
    mutable.$container = old.$container;
    mutable.$containerProperty = property;
    if (old.$containerIndex !== undefined) {
        mutable.$containerIndex = old.$containerIndex;
        (container[property] as AstNode[])[old.$containerIndex] = value;
    } else {
        container[property] = value;
    }
    (root as unknown as RootFields)._text = newText;
    for (let c: CompositeFields | undefined = parentCst; c; c = c.container) c._rangeCache = undefined;
}

/**
 * Langium's document factory, updating a document's tree in place where the edit allows it.
 * `lastReparse` says how the latest update was made (the equivalence test and benchmarks read it).
 */
export class PciplatDocumentFactory extends DefaultLangiumDocumentFactory {
    lastReparse: ReparseKind | undefined;

    constructor(services: LangiumSharedCoreServices) {
        super(services);
    }

    override async update<T extends AstNode = AstNode>(document: LangiumDocument<T>, cancellationToken: Cancellation.CancellationToken): Promise<LangiumDocument<T>> {
        const oldText = document.parseResult.value.$cstNode?.root.fullText;
        const textDocument = this.textDocuments?.get(document.uri.toString());
        const text = await this.getUpdatedText(document, textDocument, cancellationToken);
        if (textDocument) {
            Object.defineProperty(document, 'textDocument', { value: textDocument });
        } else {
            const getter = this.createTextDocumentGetter(document.uri, text);
            Object.defineProperty(document, 'textDocument', { get: getter });
        }
        if (oldText !== text) {
            const services = this.serviceRegistry.getServices(document.uri);
            const how = oldText === undefined ? undefined : reparseInPlace(services, document.parseResult, oldText, text);
            this.lastReparse = how ?? 'full';
            if (how) inPlaceParses.set(document.parseResult.value, (inPlaceParses.get(document.parseResult.value) ?? 0) + 1);
            if (!how) {
                document.parseResult = (await this.parseAsync(document.uri, text, cancellationToken)) as ParseResult<T>;
                (document.parseResult.value as { $document?: LangiumDocument }).$document = document;
            }
        }
        document.state = DocumentState.Parsed;
        return document;
    }
}
