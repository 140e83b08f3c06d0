// Which documents an update links and validates again (server/workspace.ts `shouldRelink`): a
// document with an unresolved reference only when a file of its import closure changed, or a file
// it imports appeared or went; Langium's own rule relinked it after any change anywhere, and the server
// then simulated it again too. In-process, over files on disk, with the server's services.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DocumentState, URI, type LangiumDocument } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServerContext } from '../../server/context.js';
import { createPciplatLspServices } from '../../server/services.js';

const BOARD = `platform board {
  arch arm64
  memory dram at 0x1_0000_0000 size 4G
}
`;

const PARTS = (endpoint: string) => `soc parts {
  host-bridge hb segment 1 {
    ecam at 0x8_3000_0000 size 16M
    bus-range 0x00..0x0f
    window mem32 at 0x5000_0000 size 256M
    root-port rp at 00:01.0 {
      endpoint ${endpoint} at 01:00.0 vendor 0x1af4 device 0x1041 { bar 0 mem64 size 16K }
    }
  }
}
`;

/**
 * A platform assigning `wanted`, a name it can only find in the file it imports; no other
 * reference of it points into that file (Langium's own test relinks a document whose
 * references point into a changed file).
 */
const LONELY = (imports: string, wanted: string) => `import "${imports}"

platform lonely {
  arch arm64
  xen {
    domain d { assign ${wanted} }
  }
}
`;

describe('relinking a document with an unresolved reference', () => {
    let dir: string;
    let services: ReturnType<typeof createPciplatLspServices>;
    /** URI → how many times it was validated. */
    let validated: Map<string, number>;

    const uriOf = (name: string) => URI.file(path.join(dir, name));
    const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
    const document = (name: string) => services.shared.workspace.LangiumDocuments.getDocument(uriOf(name))!;
    const codes = (doc: LangiumDocument) => (doc.diagnostics ?? []).map((d) => `${String(d.code)} ${d.message}`);
    const validations = (name: string) => validated.get(uriOf(name).toString()) ?? 0;

    async function open(...names: string[]): Promise<void> {
        const workspace = services.shared.workspace;
        const docs = [];
        for (const name of names) docs.push(await workspace.LangiumDocuments.getOrCreateDocument(uriOf(name)));
        await workspace.DocumentBuilder.build(docs, { validation: true });
    }

    /** Rewrites a file on disk and tells the builder, as a file watcher does; or deletes it. */
    async function changed(name: string, text: string | undefined): Promise<void> {
        if (text === undefined) fs.rmSync(path.join(dir, name));
        else write(name, text);
        await services.shared.workspace.DocumentBuilder.update(text === undefined ? [] : [uriOf(name)], text === undefined ? [uriOf(name)] : []);
    }

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-relink-'));
        services = createPciplatLspServices({ ...NodeFileSystem }, new ServerContext());
        validated = new Map();
        services.shared.workspace.DocumentBuilder.onDocumentPhase(DocumentState.Validated, (doc) => {
            validated.set(doc.uri.toString(), (validated.get(doc.uri.toString()) ?? 0) + 1);
        });
    });

    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The board, the SoC file declaring `sdev`, and lonely assigning `wanted` from it, built: lonely's validations so far. */
    async function unresolved(wanted: string): Promise<number> {
        write('board.pciplat', BOARD);
        write('parts.pciplat', PARTS('sdev'));
        write('lonely.pciplat', LONELY('parts.pciplat', wanted));
        await open('board.pciplat', 'lonely.pciplat');
        expect(codes(document('lonely.pciplat'))).toContainEqual(expect.stringMatching(new RegExp(`^LANG-UNRESOLVED .*${wanted}`)));
        return validations('lonely.pciplat');
    }

    it('leaves it alone when a file outside its import closure changes', async () => {
        const before = await unresolved('nosuch');
        await changed('board.pciplat', BOARD.replace('dram', 'ram'));
        expect(validations('board.pciplat')).toBe(2);
        expect(validations('lonely.pciplat')).toBe(before);
        expect(codes(document('lonely.pciplat'))).toContainEqual(expect.stringMatching(/^LANG-UNRESOLVED .*nosuch/));
    });

    it('links it again when a file it imports declares the name', async () => {
        const before = await unresolved('nic');
        await changed('parts.pciplat', PARTS('nic'));
        expect(validations('lonely.pciplat')).toBe(before + 1);
        expect(codes(document('lonely.pciplat')).filter((c) => c.startsWith('LANG-UNRESOLVED'))).toEqual([]);
    });

    it('links it again when the file it imports goes', async () => {
        const before = await unresolved('nosuch');
        await changed('parts.pciplat', undefined);
        expect(validations('lonely.pciplat')).toBe(before + 1);
        expect(codes(document('lonely.pciplat'))).toContainEqual(expect.stringMatching(/^LANG-IMPORT-NOT-FOUND .*parts\.pciplat/));
    });

    it('links it again when the file it imports appears', async () => {
        write('board.pciplat', BOARD);
        write('lonely.pciplat', LONELY('later.pciplat', 'nic'));
        await open('board.pciplat', 'lonely.pciplat');
        expect(codes(document('lonely.pciplat'))).toEqual(expect.arrayContaining([expect.stringMatching(/^LANG-IMPORT-NOT-FOUND /), expect.stringMatching(/^LANG-UNRESOLVED .*nic/)]));
        await changed('later.pciplat', PARTS('nic'));
        expect(codes(document('lonely.pciplat')).filter((c) => c.startsWith('LANG-UNRESOLVED') || c.startsWith('LANG-IMPORT-NOT-FOUND'))).toEqual([]);
    });
});
