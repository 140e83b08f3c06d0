// The extension's bundle works on its own: client/build.mjs builds into a temporary folder, and the
// bundled language server (dist/server/main.js with its worker and engine, no out/ and no
// node_modules next to it) answers a real LSP session over stdio: diagnostics of a file with an
// error, a simulation, the address map and the topology. Also checks the VS Code manifest points
// at files the build produces, and type-checks the extension (client/tsconfig.json).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import type { AddressMapResult, SimulateResult, TopologyResult } from '../../server/protocol.js';
import { BROKEN, EXPECTED_CODES, makeWorkspace } from '../e2e-vscode/workspace.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let FIXTURE: string;

let out: string;
let server: ChildProcessWithoutNullStreams;
let connection: ProtocolConnection;
const published = new Map<string, PublishDiagnosticsParams[]>();

function waitFor<T>(what: string, probe: () => T | undefined, ms = 120_000): Promise<T> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const tick = () => {
            const value = probe();
            if (value !== undefined) return resolve(value);
            if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`));
            setTimeout(tick, 50);
        };
        tick();
    });
}

beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-bundle-'));
    FIXTURE = makeWorkspace(fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-bundle-ws-')));
    const build = spawnSync(process.execPath, [path.join(REPO, 'client', 'build.mjs'), '--outdir', out], { encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    // The bundle must not need the repository: copy it where no node_modules can be found.
    server = spawn(process.execPath, [path.join(out, 'server', 'main.js'), '--stdio'], { cwd: out, stdio: 'pipe' });
    connection = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
        published.set(p.uri, [...(published.get(p.uri) ?? []), p]);
    });
    connection.onRequest('workspace/configuration', () => []);
    connection.onRequest('client/registerCapability', () => null);
    connection.listen();
    await connection.sendRequest('initialize', {
        processId: process.pid,
        rootUri: pathToFileURL(FIXTURE).href,
        workspaceFolders: [{ uri: pathToFileURL(FIXTURE).href, name: 'workspace' }],
        capabilities: { workspace: { configuration: true } },
        initializationOptions: { simulationWorkers: 1, systemPciIds: false },
    });
    await connection.sendNotification('initialized', {});
});

afterAll(() => {
    connection?.dispose();
    server?.kill();
    if (out) fs.rmSync(out, { recursive: true, force: true });
    if (FIXTURE) fs.rmSync(FIXTURE, { recursive: true, force: true });
});

describe('the bundled extension', () => {
    it('type-checks against the VS Code API and the server protocol', () => {
        // The extension is compiled by esbuild, which does not type-check; npm test does it here.
        const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(REPO, 'client', 'tsconfig.json')], { encoding: 'utf8' });
        expect(tsc.stdout + tsc.stderr).toBe('');
        expect(tsc.status).toBe(0);
    });

    it('has every file the manifest names', () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
        expect(pkg.main).toBe('./dist/extension.cjs');
        expect(fs.existsSync(path.join(out, 'extension.cjs'))).toBe(true);
        const grammar = pkg.contributes.grammars[0].path.replace('./dist/', '');
        const merged = JSON.parse(fs.readFileSync(path.join(out, grammar), 'utf8'));
        expect(merged.scopeName).toBe('source.pciplat');
        expect(fs.existsSync(path.join(REPO, pkg.contributes.languages[0].configuration))).toBe(true);
        expect(fs.existsSync(path.join(REPO, pkg.icon))).toBe(true);
        for (const file of ['media/address-map.js', 'media/address-map.css', 'server/simulation/worker.js', 'src/engine/simulate.js']) expect(fs.existsSync(path.join(out, file)), file).toBe(true);
        // The client bundle is CommonJS and leaves `vscode` to the extension host.
        const client = fs.readFileSync(path.join(out, 'extension.cjs'), 'utf8');
        expect(client).toMatch(/require\("vscode"\)/);
        expect(client).toMatch(/exports\.activate|activate:/);
    });

    it('serves diagnostics, simulation, address map and topology from the bundle', async () => {
        const file = path.join(FIXTURE, BROKEN);
        const uri = pathToFileURL(file).href;
        await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'pciplat', version: 1, text: fs.readFileSync(file, 'utf8') } });
        // The deliberate errors: a BAR index out of range (language check) and two overlapping
        // firmware-assigned BARs (simulation), published together.
        const codes = await waitFor('both kinds of diagnostics', () => {
            const last = published.get(uri)?.at(-1);
            const found = new Set(last?.diagnostics.map((d) => String(d.code)));
            return EXPECTED_CODES.every((c) => found.has(c)) ? found : undefined;
        });
        expect([...codes].sort()).toEqual([...EXPECTED_CODES].sort());

        const simulation = await connection.sendRequest<SimulateResult>('pciplat/simulate', { uri });
        expect(simulation.platform).toBe('armsrv');
        expect(simulation.findings.map((f) => f.code)).toContain('PCI-BAR-OVERLAP');

        const map = await connection.sendRequest<AddressMapResult>('pciplat/addressMap', { uri });
        expect(map.platforms[0]!.regions.some((r) => r.kind === 'bar')).toBe(true);

        const topology = await connection.sendRequest<TopologyResult>('pciplat/topology', { uri });
        expect(topology.platforms[0]!.hostBridges[0]!.functions.length).toBeGreaterThan(0);
    });
});
