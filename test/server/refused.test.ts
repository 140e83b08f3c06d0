// A device its domain was refused, in the editor: the hover says it is not that domain's and why,
// with a link to the failure, and the domain's lens marks it refused instead of listing it as
// assigned. Through the real server (needs `npx tsc -p tsconfig.json`).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeLens, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { positionOf } from './fixtures.js';
import { fileUri, poll, REPO, TestClient, WAIT } from './lsp-client.js';

const TEXT = `platform ridxen {
  arch arm64
  memory dram at 0x80_0000_0000 size 1G
  smmu smmu0 v3 at 0x2000_0000 stream-id-bits 16
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x100 -> smmu0 0x0
    rc-endpoint a0 at 00:01.0 { bar 0 mem32 size 4K }
    root-port rp0 at 00:02.0 { endpoint far0 at 01:00.0 { bar 0 mem32 size 4K } }
  }
  xen {
    profile arm-design
    domain g { memory 1G  assign a0 far0 }
  }
}
`;

describe('a refused device in the editor', () => {
    let root: string;
    let uri: string;
    let client: TestClient;

    beforeAll(async () => {
        if (!fs.existsSync(path.join(REPO, 'out', 'server', 'main.js'))) throw new Error('compile the server first: npx tsc -p tsconfig.json');
        root = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-refused-'));
        const file = path.join(root, 'refused.pciplat');
        fs.writeFileSync(file, TEXT);
        uri = fileUri(file);
        client = TestClient.start();
        await client.initialize(root, { systemPciIds: false });
        await client.open(uri, TEXT, 1);
    });

    afterAll(async () => {
        await client?.stop();
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    const hover = async (needle: string) => {
        const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(TEXT, needle, 1) });
        return h ? (h.contents as MarkupContent).value : '';
    };

    it('the domain lens counts it refused, not assigned', async () => {
        const lenses = await poll(async () => {
            const all = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
            return all.some((l) => l.command?.title.includes('refused')) ? all : undefined;
        }, WAIT, 'a domain lens with the simulation result');
        const lens = lenses.find((l) => l.range.start.line === positionOf(TEXT, 'domain g').line && l.command?.title.includes('device'))!;
        expect(lens.command!.title).toBe('1 device assigned, 1 refused: a0 00:01.0, far0 01:00.0 (refused)');
    });

    it('the hover says the device is not the domain\'s, why, and links to the failure', async () => {
        const text = await poll(async () => {
            const h = await hover('far0 at');
            return h.includes('not owned by') ? h : undefined;
        }, WAIT, 'a hover with the simulation result');
        const line = positionOf(TEXT, 'far0 at').line + 1;
        expect(text).toContain('- **owner**: `dom0`');
        expect(text).toContain(
            `- **not owned by g**: far0 (0000:01:00.0, RID 0x100) gets no StreamID: no iommu-map entry of pcie0 covers RID 0x100; PHYSDEVOP_pci_device_add fails with -ENODEV, so Xen does not know the device, its DMA hits no stream-table entry and aborts, and it cannot be assigned ([XEN-NO-STREAMID, line ${line}](${uri}#L${line}))`,
        );
        // The device the domain got: owned by it, no refusal.
        const a0 = await hover('a0 at');
        expect(a0).toContain('- **owner**: `g`');
        expect(a0).not.toContain('not owned by');
    });
});
