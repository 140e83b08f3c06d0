// pciplat/import through the real language server over stdio (a real LSP client): the oracle's
// flat topology (its machine.dts and a sysfs snapshot built from its linux.txt, as on the
// machine) imported into a temporary folder; the written file parses and checks clean, an
// existing output is refused without `force`, and a bad source gives its coded finding at its
// file and line with nothing written. Needs the compiled server: `npx tsc -p tsconfig.json`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult } from '../../server/protocol.js';
import { snapshotFromDump } from '../helpers/sysfs-snapshot.js';
import { fileUri, REPO, TestClient } from './lsp-client.js';

const flat = path.join(REPO, 'test', 'fixtures', 'import', 'flat', 'dt');

describe('pciplat/import', () => {
    let client: TestClient;
    let ws: string;
    let sysfs: string;

    beforeAll(async () => {
        if (!fs.existsSync(path.join(REPO, 'out', 'server', 'main.js'))) throw new Error('compile the server first: npx tsc -p tsconfig.json');
        ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-import-lsp-'));
        sysfs = snapshotFromDump(fs.readFileSync(path.join(flat, 'linux.txt'), 'utf8'), path.join(ws, 'sysfs'));
        client = TestClient.start();
        await client.initialize(ws, { systemPciIds: false });
    });

    afterAll(async () => {
        await client?.stop();
        if (ws) fs.rmSync(ws, { recursive: true, force: true });
    });

    it('writes the platform of a device tree and a sysfs snapshot, which checks clean, and returns its URI', async () => {
        const output = path.join(ws, 'board.pciplat');
        const result = await client.request<ImportResult>('pciplat/import', { dt: fileUri(path.join(flat, 'machine.dts')), sysfs: fileUri(sysfs), output: fileUri(output) });
        expect(result).toMatchObject({ uri: fileUri(output), exists: false, errors: 0, message: 'wrote board.pciplat (platform board)' });
        expect(result.findings).toEqual([]);
        const text = fs.readFileSync(output, 'utf8');
        expect(text).toMatch(/^platform board /m);
        // Sources beside the output are named relative to it, as on the command line; others by their path.
        expect(text).toContain(`// Imported by pciplat import from --dt ${path.join(flat, 'machine.dts')} --sysfs sysfs.`);
        // No temporary file is left beside it.
        expect(fs.readdirSync(ws).sort()).toEqual(['board.pciplat', 'sysfs']);
        // The server knows the written file: the same check as the editor's.
        const simulated = await client.request<{ findings: { code: string; severity: string }[] }>('pciplat/simulate', { uri: fileUri(output) });
        expect(simulated.findings.filter((f) => f.severity === 'error')).toEqual([]);
    });

    it('refuses to overwrite an existing output without force, and overwrites it with force', async () => {
        const output = path.join(ws, 'kept.pciplat');
        fs.writeFileSync(output, '// mine\n');
        const params = { dt: path.join(flat, 'machine.dts'), sysfs, output };
        const refused = await client.request<ImportResult>('pciplat/import', params);
        expect(refused).toEqual({ uri: null, exists: true, findings: [], errors: 0, message: 'kept.pciplat exists; nothing written (overwrite it with `force`)' });
        expect(fs.readFileSync(output, 'utf8')).toBe('// mine\n');

        const forced = await client.request<ImportResult>('pciplat/import', { ...params, force: true, name: 'qemu_flat' });
        expect(forced).toMatchObject({ uri: fileUri(output), exists: false, errors: 0, message: 'wrote kept.pciplat (platform qemu_flat)' });
        expect(fs.readFileSync(output, 'utf8')).toMatch(/^platform qemu_flat /m);
    });

    it('gives a bad source its coded finding at its file and line, and writes nothing', async () => {
        const lines = fs.readFileSync(path.join(flat, 'lspci.txt'), 'utf8').split('\n');
        const garbled = path.join(ws, 'garbled.txt');
        fs.writeFileSync(garbled, [...lines.slice(0, 9), 'Segmentation fault (core dumped)', ...lines.slice(9)].join('\n'));
        const output = path.join(ws, 'bad.pciplat');
        const result = await client.request<ImportResult>('pciplat/import', { dt: fileUri(path.join(flat, 'machine.dts')), lspci: fileUri(garbled), output: fileUri(output) });
        const message = "'Segmentation fault (core dumped)' is not an lspci function line (BB:DD.F class [cccc]: vendor device [vvvv:dddd])";
        expect(result).toEqual({
            uri: null,
            exists: false,
            errors: 1,
            findings: [{ code: 'IMPORT-LSPCI-SYNTAX', severity: 'error', message, uri: fileUri(garbled), line: 10, loc: { uri: fileUri(garbled), range: { start: { line: 9, character: 0 }, end: { line: 9, character: 0 } } } }],
            message: `nothing written: garbled.txt:10: IMPORT-LSPCI-SYNTAX ${message}`,
        });
        expect(fs.existsSync(output)).toBe(false);
    });

    it('answers bad params with a one-line error, not a crash', async () => {
        const output = fileUri(path.join(ws, 'x.pciplat'));
        await expect(client.request('pciplat/import', { output })).rejects.toThrow('import needs at least one input (`dt`, `acpi`, `mcfg`, `madt`, `iort`, `dmar`, `dsdt`, `ivrs`, `sysfs`, `lspci`)');
        await expect(client.request('pciplat/import', { dt: 'machine.dts', output })).rejects.toThrow('`dt` must be a file: URI or an absolute path (got machine.dts)');
        await expect(client.request('pciplat/import', { dt: path.join(ws, 'missing.dts'), output })).rejects.toThrow('cannot read');
        // The server still answers.
        const again = await client.request<ImportResult>('pciplat/import', { dt: fileUri(path.join(flat, 'machine.dts')), output: fileUri(path.join(ws, 'dtonly.pciplat')) });
        expect(again.uri).toBe(fileUri(path.join(ws, 'dtonly.pciplat')));
    });
});
