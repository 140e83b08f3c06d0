// The incremental linking (language/scope/linker.ts, language/workspace/index-manager.ts) must
// give what a full rebuild gives. Seeded random edits (random-edits.ts) are applied one after
// another to a platform and to the file it imports, each followed by the builder's update, as
// the language server runs it after a keystroke; after each, every document is compared with a
// fresh build of the same texts: its references in order (container, property, text, target or
// error message), its entries of the reference index (source, target, range) and its
// diagnostics. An edit that breaks the text is undone (itself an edit to compare).
//
// INCREMENTAL_LINK_EDITS=5000 npx vitest run test/language/incremental-link.test.ts  runs more.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmptyFileSystem, URI, type AstNode, type LangiumDocument, type LangiumSharedCoreServices } from 'langium';
import { describe, expect, it } from 'vitest';
import { createPciplatServices, type PciplatServices } from '../../language/pciplat-module.js';
import type { PciplatLinker } from '../../language/scope/linker.js';
import { edit, random } from './random-edits.js';
import { openIncremental } from './incremental-workspace.js';
import { validationRuns } from '../../language/validation/incremental-validation.js';

const repo = path.join(__dirname, '..', '..');
/** Workspaces: the files (the first imports the others, where it does), under /mem as laid out. */
const workspaces = [
    ['examples/arm-server.pciplat', 'examples/soc/n1server.pciplat'],
    ['test/fixtures/checks/imports.workspace/main.pciplat', 'test/fixtures/checks/imports.workspace/soc.pciplat'],
    ['test/fixtures/parse/kitchen-sink.pciplat'],
    ['examples/vfio-desktop.pciplat'],
    ['examples/x86-pvh.pciplat'],
];
const EDITS = Number(process.env.INCREMENTAL_LINK_EDITS ?? 300);

type Services = { shared: LangiumSharedCoreServices; Pciplat: PciplatServices };

function describeReferences(document: LangiumDocument, services: Services): string[] {
    const locator = services.Pciplat.workspace.AstNodeLocator;
    return document.references.map((ref) => {
        const owner = (ref as unknown as { node: AstNode }).node;
        const property = (ref as unknown as { property: string }).property;
        const where = `${locator.getAstNodePath(owner)}.${property} ${ref.$refText} @${ref.$refNode?.offset}`;
        if (ref.error) return `${where} error: ${ref.error.message}`;
        const target = (ref as { ref?: AstNode }).ref;
        if (!target) return `${where} unresolved`;
        let root = target;
        while (root.$container) root = root.$container;
        const uri = (root as { $document?: LangiumDocument }).$document?.uri.toString();
        const detached = (root as { $document?: LangiumDocument }).$document?.parseResult.value !== root ? ' DETACHED' : '';
        return `${where} -> ${uri}#${locator.getAstNodePath(target)}${detached}`;
    });
}

function referenceIndex(document: LangiumDocument, services: Services): string[] {
    const index = (services.shared.workspace.IndexManager as unknown as { referenceIndex: Map<string, { sourcePath: string; targetUri: URI; targetPath: string; segment: { offset: number; end: number; range: { start: { line: number; character: number } } }; local: boolean }[]> }).referenceIndex;
    return (index.get(document.uri.toString()) ?? []).map(
        (d) => `${d.sourcePath} -> ${d.targetUri.toString()}#${d.targetPath} ${d.segment.offset}-${d.segment.end} ${d.segment.range.start.line}:${d.segment.range.start.character} ${d.local}`,
    );
}

function diagnosticsText(document: LangiumDocument): string[] {
    const at = (r: { start: { line: number; character: number }; end: { line: number; character: number } }) => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
    return (document.diagnostics ?? []).map((d) => `${at(d.range)} ${d.severity} ${String(d.code)} ${d.message}${(d.relatedInformation ?? []).map((r) => ` [${r.location.uri} ${at(r.location.range)} ${r.message}]`).join('')}`);
}

describe('incremental linking equals a full rebuild', () => {
    it(`after ${EDITS} random edits, each followed by an update`, async () => {
        let edits = 0;
        const runsBefore = { ...validationRuns };
        const perWorkspace = Math.ceil(EDITS / workspaces.length);
        const links = { incremental: 0, full: 0 };
        for (const [index, files] of workspaces.entries()) {
            const next = random(0x2d + index);
            const dir = path.dirname(files[0]!);
            const uris = files.map((f) => URI.file(path.join('/mem', path.relative(dir, f))));
            const texts = new Map(files.map((f, i) => [uris[i]!.toString(), fs.readFileSync(path.join(repo, f), 'utf8')]));
            const bases = new Map(texts);
            const { services: incremental } = await openIncremental(uris, texts);
            const linker = incremental.Pciplat.references.Linker as PciplatLinker;
            const fresh = createPciplatServices(EmptyFileSystem);

            const compare = async (step: number, changed: URI) => {
                await incremental.shared.workspace.DocumentBuilder.update([changed], []);
                const freshDocuments = fresh.shared.workspace.LangiumDocuments;
                for (const uri of uris) if (freshDocuments.hasDocument(uri)) freshDocuments.deleteDocument(uri);
                const others = uris.map((uri) => {
                    const document = fresh.shared.workspace.LangiumDocumentFactory.fromString(texts.get(uri.toString())!, uri);
                    freshDocuments.addDocument(document);
                    return document;
                });
                await fresh.shared.workspace.DocumentBuilder.build(others, { validation: true });
                for (const [i, uri] of uris.entries()) {
                    const got = incremental.shared.workspace.LangiumDocuments.getDocument(uri)!;
                    const want = others[i]!;
                    const file = files[i];
                    expect({ file, step, references: describeReferences(got, incremental) }).toEqual({ file, step, references: describeReferences(want, fresh) });
                    expect({ file, step, index: referenceIndex(got, incremental) }).toEqual({ file, step, index: referenceIndex(want, fresh) });
                    expect({ file, step, diagnostics: diagnosticsText(got) }).toEqual({ file, step, diagnostics: diagnosticsText(want) });
                }
                edits++;
            };
            for (let step = 0; step < perWorkspace; step++) {
                // Mostly the importing platform, now and then an imported file.
                const which = uris.length > 1 && next() < 0.3 ? 1 + Math.floor(next() * (uris.length - 1)) : 0;
                const key = uris[which]!.toString();
                const previous = texts.get(key)!;
                texts.set(key, edit(previous, next));
                const before = { ...linker.stats };
                await compare(step, uris[which]!);
                links.incremental += linker.stats.incremental - before.incremental;
                links.full += linker.stats.full - before.full;
                const parsed = incremental.shared.workspace.LangiumDocuments.getDocument(uris[which]!)!.parseResult;
                if (parsed.parserErrors.length > 0 || parsed.lexerErrors.length > 0 || next() < 0.02) {
                    texts.set(key, next() < 0.1 ? bases.get(key)! : previous);
                    await compare(step, uris[which]!);
                }
            }
        }
        const runs = { incremental: validationRuns.incremental - runsBefore.incremental, whole: validationRuns.whole - runsBefore.whole };
        console.log(`incremental linking: ${edits} updates compared; links ${JSON.stringify(links)}; validation ${JSON.stringify(runs)}`);
        // The comparison means something only if many links and validations took the incremental way.
        expect(links.incremental).toBeGreaterThan(edits * 0.2);
        expect(runs.incremental).toBeGreaterThan(edits * 0.02);
    }, 600_000);
});
