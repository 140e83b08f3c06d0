// The pieces that keep the server responsive on big platforms (see docs/language-server.md) must
// not change what it computes: lowering in slices gives lowerPlatform's model, the platform sent
// to a worker in parts is the platform, and completion on a skeleton of the prefix offers what
// completion on the whole prefix offers. In-process, no server.
import { DocumentState, EmptyFileSystem, URI, type LangiumDocument } from 'langium';
import { DefaultCompletionProvider } from 'langium/lsp';
import { describe, expect, it } from 'vitest';
import type { CompletionList } from 'vscode-languageserver';
import { isPlatform, type Model } from '../../language/generated/ast.js';
import { lowerModel } from '../../language/lower/lower-platform.js';
import { completionPrefix, PciplatCompletionProvider } from '../../server/completion.js';
import { ServerContext } from '../../server/context.js';
import { createPciplatLspServices } from '../../server/services.js';
import { lowerPlatformSliced } from '../../server/simulation/lower-sliced.js';
import { DOMAIN_PART_SIZE, flattenPlatform, parts, unflattenPlatform } from '../../server/simulation/messages.js';
import { generatePlatform } from '../bench/generate-platform.mjs';
import { buildTexts } from '../helpers/workspace.js';
import { board, SOC } from './fixtures.js';
import { BARS, GROUP_SPLIT, KVM_GROUP, MULTIFUNCTION } from './quick-fix-fixtures.js';

/** Host bridges with root ports, switches and endpoints three levels deep, and a Xen block. */
function nested(rootPorts: number): string {
    const out = ['platform nested {', '  arch arm64', '  smmu smmu0 v3 at 0x2000_0000', '  host-bridge hb0 segment 0 {', '    ecam at 0x3000_0000 size 256M', '    window mem32 at 0x4000_0000 size 512M', '    iommu-map rid 0x0 count 0x10000 -> smmu0 0x0'];
    for (let r = 0; r < rootPorts; r++) {
        out.push(`    root-port rp${r} at 00:${(r + 1).toString(16).padStart(2, '0')}.0 {`, '      acs sv rr cr uf', `      switch-upstream up${r} at 00.0 {`);
        for (let d = 0; d < 4; d++) {
            out.push(`        downstream-port dp${r}_${d} at ${d.toString(16).padStart(2, '0')}.0 {`);
            out.push(`          endpoint ep${r}_${d} at 00.0 vendor 0x8086 device 0x1572 { bar 0 mem64 prefetch size 1M  sriov total-vfs 2 num-vfs 2 offset 0x8 stride 1 { vf-bar 0 mem64 prefetch size 64K } }`);
            out.push(`          endpoint fn${r}_${d} at 00.1 { bar 0 mem32 size 16K }`, '        }');
        }
        out.push('      }', '    }');
    }
    out.push('  }', '  xen {', `    domain g { memory 1G  assign ep0_0 }`, '  }', '}', '');
    return out.join('\n');
}

async function lowered(files: Record<string, string>): Promise<Model> {
    const { roots } = await buildTexts(files);
    return roots[0]!.parseResult.value as Model;
}

describe('lowering in slices', () => {
    const cases: [string, Record<string, string>][] = [
        ['a board importing a SoC', { 'ws/board.pciplat': board(), 'outside/soc.pciplat': SOC }],
        ['nested bridges, SR-IOV, Xen', { 'n.pciplat': nested(12) }],
        ['quick-fix platforms', { 'a.pciplat': GROUP_SPLIT }],
        ['x86 with KVM', { 'k.pciplat': KVM_GROUP }],
        ['written BARs', { 'b.pciplat': BARS }],
        ['multi-function devices', { 'm.pciplat': MULTIFUNCTION }],
    ];
    for (const [what, files] of cases) {
        it(`gives lowerPlatform's model: ${what}`, async () => {
            const model = await lowered(files);
            const expected = lowerModel(model);
            expect(expected.length).toBeGreaterThan(0);
            let pauses = 0;
            for (const [i, node] of model.elements.filter(isPlatform).entries()) {
                // A zero budget: a pause after every function.
                const sliced = await lowerPlatformSliced(node, async () => (pauses++, true), 0);
                expect(sliced).toEqual(expected[i]);
            }
            expect(pauses).toBeGreaterThan(0);
        });
    }

    it('stops when the pause says the result is no longer wanted', async () => {
        const model = await lowered({ 'n.pciplat': nested(4) });
        expect(await lowerPlatformSliced(model.elements.filter(isPlatform)[0]!, async () => false, 0)).toBeUndefined();
    });

    it('sends a platform in parts that rebuild it exactly', async () => {
        const [platform] = lowerModel(await lowered({ 'n.pciplat': nested(30) }));
        const { skeleton, functions, domains } = flattenPlatform(platform!);
        expect(skeleton.hostBridges[0]!.functions).toEqual([]);
        const chunks = parts(functions, 7);
        expect(chunks.length).toBeGreaterThan(1);
        // As the worker gets them: cloned, one part at a time.
        const rebuilt = unflattenPlatform(structuredClone(skeleton), chunks.flatMap((c) => structuredClone(c)), structuredClone(domains));
        expect(rebuilt).toEqual(platform);
    });

    it('sends the Xen domains in parts too, and rebuilds them in order', async () => {
        // The bench's platform: every NIC given to one of its Xen domains.
        const [platform] = lowerModel(await lowered({ 'g.pciplat': generatePlatform(1000).text }));
        const { skeleton, functions, domains } = flattenPlatform(platform!);
        expect(skeleton.xen?.domains).toEqual([]);
        expect(domains.length).toBeGreaterThan(DOMAIN_PART_SIZE);
        const chunks = parts(domains, DOMAIN_PART_SIZE);
        const rebuilt = unflattenPlatform(structuredClone(skeleton), structuredClone(functions), chunks.flatMap((c) => structuredClone(c)));
        expect(rebuilt).toEqual(platform);
        expect(rebuilt.xen?.domains.map((d) => d.name)).toEqual(platform!.xen?.domains.map((d) => d.name));
    });
});

describe('completion on a skeleton of the prefix', () => {
    async function document(text: string): Promise<{ doc: LangiumDocument; ours: PciplatCompletionProvider; langium: DefaultCompletionProvider }> {
        const { shared, Pciplat } = createPciplatLspServices({ ...EmptyFileSystem }, new ServerContext());
        const doc = shared.workspace.LangiumDocumentFactory.fromString(text, URI.file('/mem/big.pciplat'));
        shared.workspace.LangiumDocuments.addDocument(doc);
        await shared.workspace.DocumentBuilder.build([doc], { validation: false });
        return { doc, ours: Pciplat.lsp.CompletionProvider as PciplatCompletionProvider, langium: new DefaultCompletionProvider(Pciplat) };
    }

    const labels = (list: CompletionList | undefined) => (list?.items ?? []).map((i) => `${i.label}:${i.kind}`).sort();

    it('cuts the complete statements before the cursor, keeping the one right before it', async () => {
        const text = nested(10);
        const { doc } = await document(text);
        const offset = text.indexOf('endpoint fn9_3 at 00.1 {') + 'endpoint fn9_3 at 00.1 { '.length;
        const prefix = completionPrefix(doc, offset)!;
        expect(prefix.length).toBeLessThan(offset / 4);
        expect(prefix).toContain('platform nested {');
        expect(prefix).toContain('root-port rp9 at 00:0a.0 {');
        expect(prefix).toContain('root-port rp8 at 00:09.0 {'); // the statement right before, at each level
        expect(prefix).toContain('endpoint ep9_3 at 00.0');
        expect(prefix).not.toContain('rp7');
        expect(prefix).toContain('dp9_2');
        expect(prefix).not.toContain('dp9_1');
        expect(prefix.endsWith('endpoint fn9_3 at 00.1 { ')).toBe(true);
    });

    it('offers the same items as completion on the whole prefix, wherever the cursor is', async () => {
        const text = nested(12) + 'platform second {\n  xen {\n    domain h { assign ep3_1  }\n  }\n  scenario s {\n    boot\n    assign  \n  }\n}\n';
        const { doc, ours, langium } = await document(text);
        const cursors = [
            text.indexOf('endpoint fn11_3 at 00.1 {') + 'endpoint fn11_3 at 00.1 { '.length, // a function body
            text.indexOf('endpoint fn11_3 at 00.1 { bar 0 mem32 size 16K') + 'endpoint fn11_3 at 00.1 { bar 0 mem32 size 16K '.length, // after a BAR (`at` may follow)
            text.indexOf('endpoint fn7_2 at 00.1 { bar 0 ') + 'endpoint fn7_2 at 00.1 { bar 0 '.length, // a BAR's kind
            text.indexOf('downstream-port dp11_3') - 8, // between functions of a switch
            text.indexOf('  xen {\n    domain g'), // a platform's statements
            text.indexOf('assign ep0_0') + 'assign '.length, // names
            text.indexOf('assign ep3_1') + 'assign ep3_1 '.length,
            text.indexOf('    assign  \n') + '    assign '.length, // a scenario step
            text.length - 1,
        ];
        for (const offset of cursors) {
            expect(offset).toBeGreaterThan(4096);
            const position = doc.textDocument.positionAt(offset);
            const params = { textDocument: { uri: doc.uri.toString() }, position };
            const expected = labels(await langium.getCompletion(doc, params));
            expect(labels(await ours.getCompletion(doc, params)), `at ${position.line}:${position.character}`).toEqual(expected);
            expect(expected.length).toBeGreaterThan(0);
        }
    });
});

describe('an edited imported file', () => {
    it('is validated (and so published) before the platforms that import it', async () => {
        const { shared } = createPciplatLspServices({ ...EmptyFileSystem }, new ServerContext());
        const texts = new Map<string, string>([
            [URI.file('/mem/ws/board.pciplat').toString(), board()],
            [URI.file('/mem/outside/soc.pciplat').toString(), SOC],
        ]);
        const factory = shared.workspace.LangiumDocumentFactory as unknown as { getUpdatedText: (d: LangiumDocument) => Promise<string> };
        factory.getUpdatedText = async (d) => texts.get(d.uri.toString())!;
        const documents = [...texts.entries()].map(([uri, text]) => {
            const document = shared.workspace.LangiumDocumentFactory.fromString(text, URI.parse(uri));
            shared.workspace.LangiumDocuments.addDocument(document);
            return document;
        });
        await shared.workspace.DocumentBuilder.build(documents, { validation: true });
        const order: string[] = [];
        shared.workspace.DocumentBuilder.onDocumentPhase(DocumentState.Validated, (d) => void order.push(d.uri.path));
        const soc = URI.file('/mem/outside/soc.pciplat');
        texts.set(soc.toString(), SOC.replace('stream-id-bits 20', 'stream-id-bits 21'));
        await shared.workspace.DocumentBuilder.update([soc], []);
        expect(order).toEqual(['/mem/outside/soc.pciplat', '/mem/ws/board.pciplat']);
    });
});
