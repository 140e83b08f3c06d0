// The incremental re-parse (language/workspace/incremental-parse.ts) must give exactly what a full
// parse of the same text gives. Seeded random edits (a character changed inside a token, text
// inserted or deleted, a line copied or a block added) are applied one after another to the
// example platforms and the fixture that uses every keyword; after each edit the updated tree is
// compared with a fresh parse: every CST node (offsets, line/column ranges, token types, grammar
// elements, containers) and every AST node (type, properties, references' text, containment,
// its CST node). After every edit (INCREMENTAL_DIAGNOSTICS_EVERY=n: every n edits) both documents
// are linked and validated and their diagnostics compared. An edit that breaks the text is undone (itself an edit to compare).
//
// INCREMENTAL_EDITS=20000 npx vitest run test/language/incremental-parse.test.ts  runs more.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cancellation, EmptyFileSystem, URI, type AstNode, type AstNodeDescription, type CstNode, type LangiumDocument } from 'langium';
import { describe, expect, it } from 'vitest';
import { createPciplatServices } from '../../language/pciplat-module.js';
import { spliceStats, type PciplatDocumentFactory, type ReparseKind } from '../../language/workspace/incremental-parse.js';
import { edit, random } from './random-edits.js';
import { validationRuns } from '../../language/validation/incremental-validation.js';

const repo = path.join(__dirname, '..', '..');
const files = [
    'examples/arm-server.pciplat',
    'examples/embedded-arm.pciplat',
    'examples/vfio-desktop.pciplat',
    'examples/x86-pvh.pciplat',
    'examples/soc/n1server.pciplat',
    'test/fixtures/parse/kitchen-sink.pciplat',
];
const EDITS = Number(process.env.INCREMENTAL_EDITS ?? 500);
// Diagnostics after every update by default: an update right after a token patch is the one the
// validation takes incrementally (language/validation/incremental-validation.ts).
const DIAGNOSTICS_EVERY = Number(process.env.INCREMENTAL_DIAGNOSTICS_EVERY ?? 1);

/** Everything a full parse determines, as lines of text; grammar elements by identity. */
function serialize(root: AstNode, ids: Map<unknown, number>): string[] {
    const id = (o: unknown) => {
        if (o === undefined) return '-';
        let v = ids.get(o);
        if (v === undefined) ids.set(o, (v = ids.size));
        return String(v);
    };
    const out: string[] = [];
    const cstIds = new Map<CstNode, number>();
    const walk = (node: CstNode, container: CstNode | undefined, depth: number) => {
        cstIds.set(node, cstIds.size);
        const r = node.range;
        const where = `${node.offset}+${node.length} ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
        const contained = node.container === container ? '' : ' BAD-CONTAINER';
        const content = (node as { content?: CstNode[] }).content;
        if (content) {
            const own = (node as { _astNode?: AstNode })._astNode;
            out.push(`${' '.repeat(depth)}C ${where} g${id(node.grammarSource)} ast:${own ? own.$type : '-'}${contained}`);
            for (const child of content) walk(child, node, depth + 1);
        } else {
            const leaf = node as CstNode & { tokenType: { name: string } };
            out.push(`${' '.repeat(depth)}L ${where} ${leaf.tokenType.name} ${leaf.hidden} g${id(node.grammarSource)} ${JSON.stringify(node.text)}${contained}`);
        }
    };
    if (!root.$cstNode) return [`no tree: ${JSON.stringify((root as { $rejected?: unknown }).$rejected)}`];
    walk(root.$cstNode, undefined, 0);
    const astIds = new Map<AstNode, number>();
    const visit = (node: AstNode) => {
        astIds.set(node, astIds.size);
        const parts = [`A${astIds.get(node)} ${node.$type} in ${node.$container ? astIds.get(node.$container) : '-'}.${node.$containerProperty ?? '-'}[${node.$containerIndex ?? '-'}] cst ${node.$cstNode ? cstIds.get(node.$cstNode) : '-'}`];
        if (node.$cstNode && (node.$cstNode as { _astNode?: AstNode })._astNode !== node && node.$container) parts.push('CST-NOT-LINKED');
        const children: AstNode[] = [];
        for (const [key, value] of Object.entries(node)) {
            if (key.startsWith('$')) continue;
            const one = (v: unknown): string => {
                if (v && typeof v === 'object' && '$type' in v) {
                    children.push(v as AstNode);
                    return `node`;
                }
                if (v && typeof v === 'object' && '$refText' in v) {
                    const ref = v as { $refText: string; $refNode?: CstNode };
                    return `ref(${ref.$refText} @${ref.$refNode ? cstIds.get(ref.$refNode) : '-'})`;
                }
                return `${typeof v}:${String(v)}`;
            };
            parts.push(`${key}=${Array.isArray(value) ? `[${value.map(one).join(',')}]` : one(value)}`);
        }
        out.push(parts.join(' '));
        for (const child of children) visit(child);
    };
    visit(root);
    return out;
}

function exported(d: AstNodeDescription): string {
    const segment = (g: { offset: number; end: number; range: { start: { line: number; character: number }; end: { line: number; character: number } } } | undefined) =>
        g ? `${g.offset}-${g.end} ${g.range.start.line}:${g.range.start.character}-${g.range.end.line}:${g.range.end.character}` : '-';
    return `${d.name} ${d.type} ${d.path} ${d.documentUri.toString()} name ${segment(d.nameSegment)} node ${segment(d.selectionSegment)}`;
}

function diagnosticsText(document: LangiumDocument): string[] {
    return (document.diagnostics ?? []).map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${String(d.code)} ${d.message}`);
}

describe('incremental re-parse equals a full parse', () => {
    it(`after ${EDITS} random edits`, async () => {
        const kinds: Record<ReparseKind, number> = { token: 0, items: 0, block: 0, full: 0 };
        // Edits from an error-free text to an error-free one: those the incremental path may take.
        let eligible = 0;
        const runsBefore = { ...validationRuns };
        const splicesBefore = { ...spliceStats };
        const perFile = Math.ceil(EDITS / files.length);
        for (const [index, file] of files.entries()) {
            const next = random(0x13 + index);
            const base = fs.readFileSync(path.join(repo, file), 'utf8');
            const incremental = createPciplatServices(EmptyFileSystem);
            const fresh = createPciplatServices(EmptyFileSystem);
            const factory = incremental.shared.workspace.LangiumDocumentFactory as PciplatDocumentFactory;
            const uri = URI.file(path.join('/mem', path.basename(file)));
            let current = base;
            (factory as unknown as { getUpdatedText: () => Promise<string> }).getUpdatedText = async () => current;
            const document = factory.fromString(base, uri);
            incremental.shared.workspace.LangiumDocuments.addDocument(document);
            await incremental.shared.workspace.DocumentBuilder.build([document], { validation: true });
            const clean = (r: { parserErrors: unknown[]; lexerErrors: unknown[]; value: AstNode }) => r.parserErrors.length === 0 && r.lexerErrors.length === 0 && r.value.$cstNode !== undefined;
            const compare = async (step: number) => {
                const wasClean = clean(document.parseResult);
                await factory.update(document, Cancellation.CancellationToken.None);
                kinds[factory.lastReparse ?? 'full']++;
                const freshDocument = fresh.shared.workspace.LangiumDocumentFactory.fromString(current, uri);
                const expected = freshDocument.parseResult;
                if (wasClean && clean(expected)) eligible++;
                const ids = new Map<unknown, number>();
                const got = serialize(document.parseResult.value, ids);
                const want = serialize(expected.value, ids);
                if (got.join('\n') !== want.join('\n')) {
                    // The first differing line, with the text that was parsed, to replay the failure.
                    const at = got.findIndex((line, i) => line !== want[i]);
                    expect({ file, step, how: factory.lastReparse, line: got[at] }).toEqual({ file, step, how: factory.lastReparse, line: want[at] });
                }
                expect(document.parseResult.parserErrors.map((e) => e.message)).toEqual(expected.parserErrors.map((e) => e.message));
                expect(document.parseResult.lexerErrors.length).toBe(expected.lexerErrors.length);
                // The export index, kept across edits (now and then several edits in between).
                if (next() < 0.5) {
                    const got = await incremental.Pciplat.references.ScopeComputation.collectExportedSymbols(document);
                    const want = await fresh.Pciplat.references.ScopeComputation.collectExportedSymbols(freshDocument);
                    expect({ file, step, exports: got.map(exported) }).toEqual({ file, step, exports: want.map(exported) });
                }
                if (step % DIAGNOSTICS_EVERY === 0) {
                    await incremental.shared.workspace.DocumentBuilder.update([uri], []);
                    const other = fresh.shared.workspace.LangiumDocumentFactory.fromString(current, uri);
                    const documents = fresh.shared.workspace.LangiumDocuments;
                    if (documents.hasDocument(uri)) documents.deleteDocument(uri);
                    documents.addDocument(other);
                    await fresh.shared.workspace.DocumentBuilder.build([other], { validation: true });
                    expect({ file, step, diagnostics: diagnosticsText(document) }).toEqual({ file, step, diagnostics: diagnosticsText(other) });
                }
            };
            for (let step = 0; step < perFile; step++) {
                const previous = current;
                current = edit(current, next);
                await compare(step);
                if (document.parseResult.parserErrors.length > 0 || document.parseResult.lexerErrors.length > 0 || next() < 0.02) {
                    current = next() < 0.1 ? base : previous;
                    await compare(step);
                }
            }
        }
        const runs = { incremental: validationRuns.incremental - runsBefore.incremental, whole: validationRuns.whole - runsBefore.whole };
        const splices = { nextKept: spliceStats.nextKept - splicesBefore.nextKept, nextParsed: spliceStats.nextParsed - splicesBefore.nextParsed };
        console.log(`incremental re-parse: ${JSON.stringify(kinds)} of ${eligible} edits between error-free texts; validation ${JSON.stringify(runs)}; item splices ${JSON.stringify(splices)}`);
        if (DIAGNOSTICS_EVERY === 1) expect(runs.incremental).toBeGreaterThan(EDITS * 0.03);
        // The comparison means something only if most edits it could take went the incremental way.
        expect(kinds.block + kinds.items + kinds.token).toBeGreaterThan(eligible * 0.6);
        expect(kinds.items).toBeGreaterThan(0);
        expect(kinds.token).toBeGreaterThan(0);
        // Both ways of an item splice: the item after the edit kept as it was, and parsed again.
        expect(splices.nextKept).toBeGreaterThan(0);
        expect(splices.nextParsed).toBeGreaterThan(0);
    }, 600_000);
});
