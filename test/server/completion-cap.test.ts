// Completion of names in a big scope: what was typed filters the candidates before any item is
// made, and at most MAX_COMPLETION_ITEMS come back (keywords first, then names in scope order),
// marked incomplete so that the client asks again as the user types. In-process, no server.
import { EmptyFileSystem, URI, type LangiumDocument } from 'langium';
import { DefaultCompletionProvider } from 'langium/lsp';
import type { CompletionList } from 'vscode-languageserver';
import { describe, expect, it } from 'vitest';
import { MAX_COMPLETION_ITEMS, type PciplatCompletionProvider } from '../../server/completion.js';
import { ServerContext } from '../../server/context.js';
import { createPciplatLspServices } from '../../server/services.js';

function platform(functions: number, domain: string): string {
    const lines = ['platform big {', '  arch arm64', '  host-bridge hb {', '    ecam at 0x3000_0000 size 256M', '    window mem32 at 0x4000_0000 size 512M'];
    for (let i = 0; i < functions; i++) lines.push(`    rc-endpoint e${i} at ${(i >> 5).toString(16).padStart(2, '0')}:${(i % 32).toString(16).padStart(2, '0')}.0 { bar 0 mem32 size 4K }`);
    lines.push('  }', '  xen {', `    domain d { ${domain} }`, '  }', '}', '');
    return lines.join('\n');
}

async function open(text: string): Promise<{ doc: LangiumDocument; ours: PciplatCompletionProvider; langium: DefaultCompletionProvider }> {
    const { shared, Pciplat } = createPciplatLspServices({ ...EmptyFileSystem }, new ServerContext());
    const doc = shared.workspace.LangiumDocumentFactory.fromString(text, URI.file('/mem/cap.pciplat'));
    shared.workspace.LangiumDocuments.addDocument(doc);
    await shared.workspace.DocumentBuilder.build([doc], { validation: false });
    return { doc, ours: Pciplat.lsp.CompletionProvider as PciplatCompletionProvider, langium: new DefaultCompletionProvider(Pciplat) };
}

const at = (doc: LangiumDocument, needle: string, offset: number) => {
    const text = doc.textDocument.getText();
    return { textDocument: { uri: doc.uri.toString() }, position: doc.textDocument.positionAt(text.lastIndexOf(needle) + offset) };
};
const labels = (list: CompletionList | undefined) => (list?.items ?? []).map((i) => i.label);
const names = (list: CompletionList | undefined) => (list?.items ?? []).filter((i) => i.sortText === '0').map((i) => i.label);

describe('completion of names in a big scope', () => {
    it('answers the first names in scope order, after the keywords, capped and incomplete', async () => {
        // More names than the cap, fewer matching ones: filtered before the cap applies.
        const { doc, ours, langium } = await open(platform(300, 'assign e1'));
        const params = at(doc, 'assign e1', 'assign '.length);
        const list = await ours.getCompletion(doc, params);
        expect(list?.isIncomplete).toBe(true);
        expect(list?.items.length).toBe(MAX_COMPLETION_ITEMS);
        const full = await langium.getCompletion(doc, params);
        const keywords = (full?.items ?? []).filter((i) => i.sortText !== '0').map((i) => i.label);
        expect(labels(list)).toEqual([...keywords, ...Array.from({ length: MAX_COMPLETION_ITEMS - keywords.length }, (_, i) => `e${i}`)]);
        // The same items Langium's whole list gives, cut the same way.
        expect(list?.items).toEqual([...(full?.items ?? []).filter((i) => i.sortText !== '0'), ...(full?.items ?? []).filter((i) => i.sortText === '0')].slice(0, MAX_COMPLETION_ITEMS));
    });

    it('filters by what was typed: exactly the names that match, in scope order, and the matching keywords', async () => {
        // More names than the cap, fewer matching ones: filtered before the cap applies.
        const { doc, ours, langium } = await open(platform(300, 'assign e1'));
        const params = at(doc, 'assign e1', 'assign e1'.length);
        const list = await ours.getCompletion(doc, params);
        // Langium's fuzzy match: `e` at the start of the name, then `1` anywhere after it.
        const expected = Array.from({ length: 300 }, (_, i) => `e${i}`).filter((name) => name.slice(1).includes('1'));
        expect(expected.length).toBe(138);
        expect(expected.length).toBeLessThan(MAX_COMPLETION_ITEMS);
        expect(300).toBeGreaterThan(MAX_COMPLETION_ITEMS);
        expect(names(list)).toEqual(expected);
        expect(list?.items).toEqual((await langium.getCompletion(doc, params))?.items);
    });
});
