// Hovers before any simulation result: the platform under the cursor is lowered on the spot and
// that model is kept for the next hover on the same text only. In-process, no server.
import { EmptyFileSystemProvider, URI, type LangiumDocument } from 'langium';
import { describe, expect, it } from 'vitest';
import { ServerContext } from '../../server/context.js';
import { createPciplatLspServices } from '../../server/services.js';

const files = new Map<string, string>();

class MemoryFileSystem extends EmptyFileSystemProvider {
    override async readFile(uri?: URI): Promise<string> {
        const text = uri && files.get(uri.toString());
        if (text === undefined) throw new Error(`no file ${uri?.toString()}`);
        return text;
    }
}

const platform = (name: string, size: string) => `platform ${name} {\n  arch arm64\n  host-bridge hb_${name} {\n    rc-endpoint nic_${name} at 00:01.0 vendor 0x8086 device 0x1572 class 0x020000 { bar 0 mem64 size ${size} }\n  }\n}\n`;

describe('hover before the first simulation', () => {
    it('shows the model of the platform under the cursor, for the text as it is now', async () => {
        const { shared, Pciplat } = createPciplatLspServices({ fileSystemProvider: () => new MemoryFileSystem() }, new ServerContext());
        const uri = URI.file('/mem/two.pciplat');
        files.set(uri.toString(), platform('a', '1M') + platform('b', '2M'));
        const document: LangiumDocument = await shared.workspace.LangiumDocuments.getOrCreateDocument(uri);
        await shared.workspace.DocumentBuilder.build([document], { validation: false });
        const hover = async (needle: string) => {
            const text = document.textDocument.getText();
            const position = document.textDocument.positionAt(text.indexOf(needle) + 1);
            const result = await Pciplat.lsp.HoverProvider!.getHoverContent(document, { textDocument: { uri: uri.toString() }, position });
            return JSON.stringify(result?.contents ?? '');
        };
        const a = await hover('nic_a');
        expect(a).toContain('rc-endpoint nic_a');
        expect(a).toContain('1 MiB');
        expect(await hover('nic_a')).toBe(a);
        const b = await hover('nic_b');
        expect(b).toContain('rc-endpoint nic_b');
        expect(b).toContain('2 MiB');
        expect(b).not.toContain('1 MiB');
        // An edit: the next hover lowers the new text.
        files.set(uri.toString(), platform('a', '4M') + platform('b', '2M'));
        await shared.workspace.DocumentBuilder.update([uri], []);
        const edited = await hover('nic_a');
        expect(edited).toContain('4 MiB');
        expect(edited).not.toContain('1 MiB');
    });
});
