// pciplat/exportTargets and pciplat/export over stdio with a real LSP client: the exports that
// apply to a platform, the same text the CLI writes, and bad input (refused error findings
// unless forced, a format that takes no domain) as the CLI words it. Needs the compiled server.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportResult, ExportTargetsResult } from '../../server/protocol.js';
import { fileUri, REPO, TestClient } from './lsp-client.js';

describe('pciplat/export', () => {
    let client: TestClient;
    let ws: string;
    const uri = (file: string) => fileUri(path.join(ws, file));

    beforeAll(async () => {
        if (!fs.existsSync(path.join(REPO, 'out', 'server', 'main.js'))) throw new Error('compile the server first: npx tsc -p tsconfig.json');
        ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-export-ws-'));
        fs.cpSync(path.join(REPO, 'examples'), ws, { recursive: true });
        client = TestClient.start();
        await client.initialize(ws, { systemPciIds: false });
    });

    afterAll(async () => {
        await client?.stop();
        if (ws) fs.rmSync(ws, { recursive: true, force: true });
    });

    it('lists the exports that apply to a platform, one per guest where a format takes one', async () => {
        const r = await client.request<ExportTargetsResult>('pciplat/exportTargets', { uri: uri('arm-server.pciplat') });
        expect(r.platform).toBe('armsrv');
        expect(r.targets.map((t) => [t.format, t.domain ?? t.vm ?? ''].join(' ').trim())).toEqual(['groups', 'tree', 'qemu', 'dts', 'dts web', 'dts ml', 'dtso', 'xl web', 'xl ml']);
        const x86 = await client.request<ExportTargetsResult>('pciplat/exportTargets', { uri: uri('vfio-desktop.pciplat') });
        expect(x86.targets.map((t) => [t.format, t.domain ?? t.vm ?? ''].join(' ').trim())).toEqual(['groups', 'tree', 'qemu', 'qemu win11', 'libvirt win11']);
    });

    it('answers with the text the CLI writes, a file name and a language', async () => {
        const r = await client.request<ExportResult>('pciplat/export', { uri: uri('arm-server.pciplat'), format: 'xl', domain: 'web' });
        expect(r).toMatchObject({ platform: 'armsrv', format: 'xl', fileName: 'armsrv.web.cfg', language: 'plaintext', errors: 0 });
        expect(r.text).toBe(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'export', 'xl', 'arm-server.web.cfg'), 'utf8'));
    });

    it('exports nothing from a platform with error findings unless forced', async () => {
        const refused = await client.request<ExportResult>('pciplat/export', { uri: uri('embedded-arm.pciplat'), format: 'groups' });
        expect(refused).toMatchObject({ text: null, errors: 1, message: 'platform edgeio has 1 error finding; nothing exported (export anyway with `force`)' });
        const forced = await client.request<ExportResult>('pciplat/export', { uri: uri('embedded-arm.pciplat'), format: 'groups', force: true });
        expect(forced.text).toMatch(/^IOMMU Group 0:\n\t/);
    });

    it('refuses what does not apply, naming what exists', async () => {
        await expect(client.request('pciplat/export', { uri: uri('arm-server.pciplat'), format: 'libvirt', domain: 'web' })).rejects.toThrow('export libvirt does not take --domain: it exports a KVM VM (--vm)');
        await expect(client.request('pciplat/export', { uri: uri('arm-server.pciplat'), format: 'pdf' })).rejects.toThrow("unknown export format 'pdf'; formats: groups, tree, qemu, dts, dtso, libvirt, xl");
    });
});
