// pciplat/compare through the real language server over stdio (a real LSP client): the predicted
// IOMMU groups against a real Linux run's (test/fixtures/compare/, from the oracle), with the
// diagnostics the client shows for each function that does not agree, and REAL's own problems.
// Needs the compiled server: `npx tsc -p tsconfig.json`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareResult } from '../../server/protocol.js';
import { fileUri, REPO, TestClient } from './lsp-client.js';

const fixtures = path.join(REPO, 'test', 'fixtures');

describe('pciplat/compare', () => {
    let client: TestClient;
    let ws: string;

    beforeAll(async () => {
        if (!fs.existsSync(path.join(REPO, 'out', 'server', 'main.js'))) throw new Error('compile the server first: npx tsc -p tsconfig.json');
        ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-compare-lsp-'));
        const rootports = fs.readFileSync(path.join(fixtures, 'oracle', 'rootports', 'platform.pciplat'), 'utf8');
        const withAcs = rootports.replace('  uart pl011 at 0x900_0000 size 4K\n', '  uart pl011 at 0x900_0000 size 4K\n  linux { acs enabled }\n');
        // rp2 without its ACS capability: Linux (ACS on) isolates virtio_net0 from rp2, the platform does not.
        const wrong = withAcs.replace(/(root-port rp2 [^\n]*\n[^\n]*\n[^\n]*\n)      acs sv tb rr cr uf dt\n/, '$1');
        expect(wrong).not.toBe(withAcs);
        // ...and rp1 declared with the ID of another QEMU bridge.
        const wrongIds = wrong.replace('root-port rp1 at 00:01.0 vendor 0x1b36 device 0x000c', 'root-port rp1 at 00:01.0 vendor 0x1b36 device 0x000e');
        expect(wrongIds).not.toBe(wrong);
        fs.writeFileSync(path.join(ws, 'good.pciplat'), withAcs);
        fs.writeFileSync(path.join(ws, 'wrong.pciplat'), wrongIds);
        fs.copyFileSync(path.join(fixtures, 'compare', 'rootports-rescan', 'loop.txt'), path.join(ws, 'loop.txt'));
        fs.writeFileSync(path.join(ws, 'garbled.txt'), 'IOMMU Group 0:\n\t00:00.0 Host bridge\n<html>\n');
        client = TestClient.start();
        await client.initialize(ws, { systemPciIds: false });
    });

    afterAll(async () => {
        await client?.stop();
        if (ws) fs.rmSync(ws, { recursive: true, force: true });
    });

    it('reports full agreement on the real groups, from a listing or a snapshot folder', async () => {
        const result = await client.request<CompareResult>('pciplat/compare', { uri: fileUri(path.join(ws, 'good.pciplat')), real: 'loop.txt' });
        expect(result).toMatchObject({ platform: 'qemu_virt_rootports', agreement: true, summaryText: '14 functions: 14 agree, 0 differ, 0 only predicted, 0 only real', problems: [] });
        expect(result.real).toEqual({ uri: fileUri(path.join(ws, 'loop.txt')), form: 'loop', groups: 12, listsUngrouped: false, otherDevices: 0 });
        expect(result.functions.filter((f) => f.code !== undefined)).toEqual([]);

        const snapshot = await client.request<CompareResult>('pciplat/compare', { uri: fileUri(path.join(ws, 'good.pciplat')), real: fileUri(path.join(fixtures, 'compare', 'rootports-rescan', 'sysfs')) });
        expect(snapshot).toMatchObject({ agreement: true, real: { form: 'sysfs', listsUngrouped: true } });
    });

    it('gives each function that disagrees a diagnostic at its name naming both sides, with the listing line and the other members as related', async () => {
        const uri = fileUri(path.join(ws, 'wrong.pciplat'));
        const result = await client.request<CompareResult>('pciplat/compare', { uri, real: 'loop.txt' });
        expect(result.agreement).toBe(false);
        expect(result.summary).toEqual({ functions: 14, agree: 12, differs: 2, onlyPredicted: 0, onlyReal: 0, idsDiffer: 1 });
        expect(result.functions.filter((f) => f.idsDiffer).map((f) => [f.sbdf, f.verdict, f.idsDiffer])).toEqual([
            [
                '0000:00:01.0',
                'agree',
                {
                    real: '1b36:000c',
                    declared: '1b36:000e',
                    code: 'COMPARE-IDS-DIFFER',
                    message: 'the real machine has [1b36:000c] at 0000:00:01.0 (PCI bridge [0604]: Red Hat, Inc. QEMU PCIe Root port [1b36:000c]), but the platform declares rp1 there as [1b36:000e]: it may describe another device',
                },
            ],
        ]);
        const lines = fs.readFileSync(path.join(ws, 'wrong.pciplat'), 'utf8').split('\n');
        const loopUri = fileUri(path.join(ws, 'loop.txt'));
        const shown = result.functions
            .filter((f) => f.code)
            .map((f) => ({
                code: f.code,
                message: f.message,
                at: `${f.loc!.uri === uri ? 'wrong.pciplat' : f.loc!.uri}:${f.loc!.range.start.line + 1} ${lines[f.loc!.range.start.line]!.slice(f.loc!.range.start.character, f.loc!.range.end.character)}`,
                related: f.related!.map((r) => `${r.loc.uri === loopUri ? 'loop.txt' : 'wrong.pciplat'}:${r.loc.range.start.line + 1} ${r.message}`),
            }));
        expect(shown).toEqual([
            {
                code: 'COMPARE-GROUP-DIFFERS',
                message: "the IOMMU group of rp2 (0000:00:02.0) differs from the real machine's: predicted group 1 {0000:00:02.0 rp2, 0000:02:00.0 virtio_net0}, real group 1 {0000:00:02.0 rp2}",
                at: 'wrong.pciplat:45 rp2',
                related: ["loop.txt:4 the real machine's listing: 0000:00:02.0 in group 1", 'wrong.pciplat:50 virtio_net0 (0000:02:00.0): predicted in the same group'],
            },
            {
                code: 'COMPARE-GROUP-DIFFERS',
                message: "the IOMMU group of virtio_net0 (0000:02:00.0) differs from the real machine's: predicted group 1 {0000:00:02.0 rp2, 0000:02:00.0 virtio_net0}, real group 8 {0000:02:00.0 virtio_net0}",
                at: 'wrong.pciplat:50 virtio_net0',
                related: ["loop.txt:24 the real machine's listing: 0000:02:00.0 in group 8", 'wrong.pciplat:45 rp2 (0000:00:02.0): predicted in the same group'],
            },
        ]);
    });

    it("returns REAL's own problems with their codes and lines, comparing nothing", async () => {
        const result = await client.request<CompareResult>('pciplat/compare', { uri: fileUri(path.join(ws, 'good.pciplat')), real: 'garbled.txt' });
        expect(result).toMatchObject({ agreement: false, functions: [] });
        expect(result.problems).toEqual([
            {
                code: 'GROUPS-BAD-LINE',
                message: "line 3 '<html>' is neither an `IOMMU Group N:` line nor a device line",
                loc: { uri: fileUri(path.join(ws, 'garbled.txt')), range: { start: { line: 2, character: 0 }, end: { line: 2, character: 6 } } },
            },
        ]);
    });

    it('refuses a missing REAL or a request without one with a one-line error', async () => {
        const uri = fileUri(path.join(ws, 'good.pciplat'));
        await expect(client.request('pciplat/compare', { uri, real: 'missing.txt' })).rejects.toThrow('cannot read missing.txt (ENOENT)');
        await expect(client.request('pciplat/compare', { uri })).rejects.toThrow("the request needs `real`: the real machine's groups listing or sysfs snapshot folder");
    });
});
