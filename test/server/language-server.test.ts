// The real language server over stdio, driven by a real LSP client (vscode-languageserver-
// protocol), with the real engine: workspace build, imports outside the workspace, hover, code
// lenses, document symbols, custom requests, refresh requests, last good results kept across a
// syntax error, and bad input. Needs the compiled server: `npx tsc -p tsconfig.json`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeLens, DocumentSymbol, Hover, MarkupContent, TextEdit } from 'vscode-languageserver-protocol';
import { board, positionOf, SOC, writeFixtures, type FixtureDir } from './fixtures.js';
import { applyEdits, fileUri, messageOf, poll, REPO, TestClient, WAIT } from './lsp-client.js';
import { CODES, type FindingCode } from '../../src/findings/codes.js';

const ENGINE_LAYERS = new Set(['fabric', 'hypervisor', 'scenario']);
import type { AddressMapResult, SimulateResult, TopologyResult } from '../../server/protocol.js';


function hoverText(hover: Hover | null): string {
    if (!hover) return '';
    const contents = hover.contents as MarkupContent;
    return contents.value;
}

describe('pciplat language server (real engine)', () => {
    let fx: FixtureDir;
    let client: TestClient;
    let boardText: string;
    let capabilities: Record<string, unknown>;

    beforeAll(async () => {
        if (!fs.existsSync(path.join(REPO, 'out', 'server', 'main.js'))) throw new Error('compile the server first: npx tsc -p tsconfig.json');
        fx = writeFixtures();
        client = TestClient.start();
        // The bundled PCI ID subset only, whatever the machine has installed.
        capabilities = ((await client.initialize(fx.ws, { systemPciIds: false })) as { capabilities: Record<string, unknown> }).capabilities;
        boardText = board();
        await client.open(fx.boardUri, boardText, 1);
    });

    afterAll(async () => {
        await client?.stop();
        fx?.remove();
    });

    it('announces its features', () => {
        expect(capabilities).toMatchObject({
            hoverProvider: true,
            documentSymbolProvider: true,
            foldingRangeProvider: true,
            documentFormattingProvider: true,
            codeLensProvider: { resolveProvider: false },
            inlayHintProvider: { resolveProvider: false },
            definitionProvider: true,
            referencesProvider: true,
        });
        // The run command is the client's: the server must not claim it.
        expect(JSON.stringify(capabilities.executeCommandProvider ?? {})).not.toContain('pciplat.runSimulation');
    });

    it('validates the workspace on the initial build (a file never opened gets its diagnostics)', async () => {
        const published = await client.waitForDiagnostics(fx.lonelyUri, (p) => p.diagnostics.length > 0, WAIT, 'diagnostics of lonely.pciplat');
        expect(published.diagnostics.map((d) => d.code)).toContain('LANG-UNRESOLVED');
        expect(messageOf(published.diagnostics[0]!)).toContain('nosuch');
    });

    it('loads the imported SoC file outside the workspace folder and links against it', async () => {
        const soc = await client.waitForDiagnostics(fx.socUri, () => true, WAIT, 'a publish for the imported soc file');
        expect(soc.diagnostics).toEqual([]);
        const own = await client.waitForDiagnostics(fx.boardUri, (p) => p.version === 1, WAIT, 'board diagnostics for version 1');
        // `soc base`, `smmu0` and `gits0` resolve only through the import.
        expect(own.diagnostics.filter((d) => d.code === 'LANG-UNRESOLVED' || d.code === 'LANG-IMPORT-NOT-FOUND')).toEqual([]);
    });

    it('hovers a function with SBDF, RID, BARs and PCI ID names from the last simulation', async () => {
        const position = positionOf(boardText, 'nic0 at', 1);
        // The simulation runs in the background: poll until the hover shows its result.
        const text = await poll(async () => {
            const value = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: fx.boardUri }, position }));
            return value.includes('SBDF') ? value : undefined;
        }, WAIT, 'a hover with simulation results');
        expect(text).toContain('**endpoint nic0**');
        // The IOMMU group and its members come first, right under the title.
        const group = text.split('\n').find((l) => l.startsWith('**IOMMU group'));
        expect(group).toMatch(/^\*\*IOMMU group \d+\*\*: (alone in its group|with [\w.\[\], ]+)$/);
        expect(text.indexOf('**IOMMU group')).toBeLessThan(text.indexOf('SBDF'));
        expect(text).toContain('SBDF `0000:01:00.0`');
        expect(text).toContain('RID `0x100`');
        expect(text).toContain('Intel Corporation — 82576 Gigabit Network Connection');
        expect(text).toContain('Ethernet controller');
        expect(text).toMatch(/\| 0 \| mem64 prefetch \| 128 KiB \|/);
        expect(text).toMatch(/\| 3 \| mem64 \| 16 KiB \| `0x40100000` \|/);
        // Linux's ACS table knows the 82576: its functions do no peer-to-peer with each other.
        expect(text).toMatch(/^IOMMU group \d+$/m);
        expect(text).toContain("- `acs-isolated` from Linux's `pci_quirk_mf_endpoint_acs` — Linux's pci_quirk_mf_endpoint_acs matches 8086:10c9: the vendor verified that its functions do no peer-to-peer with each other");
    });

    it('hovers host bridges, SMMUs (also through a reference), map entries and domains', async () => {
        const hover = async (needle: string, offset = 0) =>
            hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: fx.boardUri }, position: positionOf(boardText, needle, offset) }));
        const hb = await hover('pcie0 segment', 1);
        expect(hb).toContain('**host-bridge pcie0**');
        expect(hb).toContain('ECAM (device tree) `0x30000000` size 256 MiB');
        expect(hb).toMatch(/2 declared functions, 2 after enumeration/);
        // `smmu0` in the iommu-map is a reference to the SoC's SMMU in the imported file.
        const smmu = await hover('-> smmu0', 4);
        expect(smmu).toContain('**smmu smmu0**');
        expect(smmu).toContain('SMMUv3 at `0x40000000`');
        expect(smmu).toContain('pcie0: RID `0x0..0xffff` → StreamID `0x0..0xffff`');
        expect(smmu).toContain('soc_pcie: RID `0x0..0xfff` → StreamID `0x10000..0x10fff`');
        const its = await hover('-> gits0', 4);
        expect(its).toContain('**its gits0**');
        const entry = await hover('iommu-map rid', 2);
        expect(entry).toContain('**iommu-map entry** of host-bridge pcie0');
        expect(entry).toContain('nic0 RID `0x100` → StreamID `0x100`');
        const domain = await hover('guest1 {', 1);
        expect(domain).toContain('**domain guest1**');
        expect(domain).toContain('memory 2 GiB');
        expect(domain).toContain('nic0 `0000:01:00.0`');
    });

    it('offers run lenses on platforms and scenarios and summary lenses on host bridges and domains', async () => {
        const lenses = await poll(async () => {
            const all = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: fx.boardUri } });
            return all.some((l) => l.command?.title.includes('not simulated yet')) ? undefined : all;
        }, WAIT, 'code lenses with simulation results');
        const titles = lenses.map((l) => l.command?.title);
        expect(titles).toContain('▶ Run simulation');
        expect(titles).toContain('▶ Run scenario bringup');
        // The background run plays the written scenario too and says what it found.
        expect(titles.some((t) => /^bringup: (plays without findings|\d+ errors?, \d+ warnings?)$/.test(t ?? ''))).toBe(true);
        const run = lenses.find((l) => l.command?.title === '▶ Run simulation')!;
        expect(run.command!.command).toBe('pciplat.runSimulation');
        expect(run.command!.arguments).toEqual([{ uri: fx.boardUri, platform: 'board' }]);
        expect(run.range.start.line).toBe(positionOf(boardText, 'board "').line);
        expect(titles.some((t) => /^2 functions · (no findings|\d+ findings?( \(\d+ errors?\))?)$/.test(t ?? ''))).toBe(true);
        expect(titles).toContain('1 device: nic0 01:00.0');
    });

    it('gives the topology as document symbols', async () => {
        const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: fx.boardUri } });
        const platform = symbols.find((s) => s.name === 'board')!;
        expect(platform.detail).toBe('platform · arm64');
        const hb = platform.children!.find((s) => s.name === 'pcie0')!;
        const rp0 = hb.children!.find((s) => s.name === 'rp0')!;
        expect(rp0.detail).toBe('root-port · 0000:00:01.0');
        expect(rp0.children!.map((c) => `${c.name} ${c.detail}`)).toEqual(['nic0 endpoint · 0000:01:00.0']);
        expect(platform.children!.map((c) => c.name)).toEqual(expect.arrayContaining(['base', 'dram', 'xen', 'bringup']));
    });

    it('hovers a function declared in the imported SoC file with the importing platform\'s result', async () => {
        const hover = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: fx.socUri }, position: positionOf(SOC, 'sdev at', 1) }));
        expect(hover).toContain('**endpoint sdev**');
        expect(hover).toContain('*platform board — simulated in');
        expect(hover).toContain('SBDF `0001:01:00.0`');
        expect(hover).toContain('Red Hat, Inc.');
    });

    it('formats the document (indentation only)', async () => {
        const uri = fx.boardUri.replace('board.pciplat', 'unformatted.pciplat');
        await client.open(uri, 'soc messy {\n      uart u0 at 0x1000 size 4K   \n}', 1);
        const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
        expect(applyEdits('soc messy {\n      uart u0 at 0x1000 size 4K   \n}', edits)).toBe('soc messy {\n  uart u0 at 0x1000 size 4K\n}\n');
    });

    it('folds multi-line blocks', async () => {
        const ranges = await client.request<{ startLine: number; endLine: number }[]>('textDocument/foldingRange', { textDocument: { uri: fx.boardUri } });
        expect(ranges.some((r) => r.startLine === positionOf(boardText, 'host-bridge pcie0').line)).toBe(true);
    });

    it('answers pciplat/simulate with the CLI JSON document', async () => {
        const result = await client.request<SimulateResult>('pciplat/simulate', { uri: fx.boardUri });
        expect(result.platform).toBe('board');
        expect(result.profile).toBe('arm-design');
        expect(result.uri).toBe(fx.boardUri);
        expect(result.versions[fx.boardUri]).toBe(1);
        expect(result.versions[fx.socUri]).toBeTypeOf('number');
        const nic0 = result.functions.find((f) => f.name === 'nic0')!;
        expect(nic0).toMatchObject({ kind: 'endpoint', sbdf: '0000:01:00.0', rid: '0x100' });
        expect(nic0.bars.find((b) => b.index === 3)).toMatchObject({ size: '0x4000', address: '0x40100000' });
        const withScenario = await client.request<SimulateResult>('pciplat/simulate', { uri: fx.boardUri, scenario: 'bringup', profile: 'arm-upstream' });
        expect(withScenario).toMatchObject({ scenario: 'bringup', profile: 'arm-upstream' });
        await expect(client.request('pciplat/simulate', { uri: fx.boardUri, platform: 'nope' })).rejects.toThrow("declares no platform 'nope'; its platforms: board");
        await expect(client.request('pciplat/simulate', { uri: fx.boardUri, scenario: 'nope' })).rejects.toThrow("platform board has no scenario 'nope'; its scenarios: bringup");
        await expect(client.request('pciplat/simulate', { uri: fx.boardUri, profile: 'hyper-v' })).rejects.toThrow("unknown profile 'hyper-v'");
    });

    it('publishes the engine\'s findings as simulation diagnostics on the files they point into', async () => {
        const result = await client.request<SimulateResult>('pciplat/simulate', { uri: fx.boardUri });
        const engine = result.findings.filter((f) => ENGINE_LAYERS.has(CODES[f.code as FindingCode]?.layer ?? 'language'));
        // Whatever the engine finds (the fabric layer currently flags a written BAR below a root
        // port without a window), the same finding is in the published diagnostics of its file.
        for (const f of engine) {
            const uri = fileUri(path.resolve(path.dirname(fx.boardPath), f.file!));
            const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.some((d) => d.code === f.code && d.range.start.line === f.line! - 1 && messageOf(d) === f.message), WAIT, `${f.code} published on ${uri}`);
            const d = published.diagnostics.find((x) => x.code === f.code && messageOf(x) === f.message)!;
            expect(d.data).toMatchObject({ source: 'simulation', platform: 'board' });
            expect(d.relatedInformation?.length ?? 0).toBe(f.related.length);
        }
    });

    it('answers pciplat/addressMap with memory, ECAM, windows and BARs', async () => {
        const map = await client.request<AddressMapResult>('pciplat/addressMap', { uri: fx.boardUri });
        const regions = map.platforms[0]!.regions;
        expect(map.platforms[0]!.simulated).toBe(true);
        const find = (name: string) => regions.find((r) => r.name === name);
        expect(find('dram')).toMatchObject({ kind: 'memory', base: '0x100000000', size: '0x100000000', end: '0x1ffffffff' });
        expect(find('pcie0.ecam')).toMatchObject({ kind: 'ecam', base: '0x30000000', size: '0x10000000' });
        expect(find('soc_pcie.ecam')).toMatchObject({ kind: 'ecam', base: '0x830000000' });
        expect(find('pcie0.window1')).toMatchObject({ kind: 'host-window', space: 'mem64', prefetchable: true, base: '0x8000000000', pciBase: '0x8000000000' });
        expect(find('nic0.bar3')).toMatchObject({ kind: 'bar', base: '0x40100000', size: '0x4000', origin: 'written', owner: 'function nic0' });
        expect(find('smmu0')).toMatchObject({ kind: 'smmu', base: '0x40000000' });
        const bases = regions.map((r) => BigInt(r.base));
        expect([...bases].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(bases);
        // Placed by the engine (then a region with origin `placed`), or listed apart as unplaced.
        const bar0 = find('nic0.bar0');
        if (bar0) expect(bar0).toMatchObject({ kind: 'bar', size: '0x20000', origin: 'placed' });
        else expect(map.platforms[0]!.unplaced.map((u) => u.name)).toContain('nic0.bar0');
    });

    it('answers pciplat/topology with host bridges, functions, SBDFs and names', async () => {
        const topology = await client.request<TopologyResult>('pciplat/topology', { uri: fx.boardUri });
        const platform = topology.platforms[0]!;
        expect(platform).toMatchObject({ name: 'board', arch: 'arm64', simulated: true });
        expect(platform.hostBridges.map((h) => h.name)).toEqual(['soc_pcie', 'pcie0']);
        const pcie0 = platform.hostBridges[1]!;
        expect(pcie0).toMatchObject({ segment: '0x0', busRange: ['0x0', '0xff'] });
        const rp0 = pcie0.functions[0]!;
        expect(rp0).toMatchObject({ name: 'rp0', kind: 'root-port', sbdf: '0000:00:01.0' });
        expect(rp0.children[0]).toMatchObject({ name: 'nic0', sbdf: '0000:01:00.0', rid: '0x100', vendor: '0x8086', vendorName: 'Intel Corporation', deviceName: '82576 Gigabit Network Connection' });
        const sdev = platform.hostBridges[0]!.functions[0]!.children[0]!;
        expect(sdev).toMatchObject({ name: 'sdev', sbdf: '0001:01:00.0', vendorName: 'Red Hat, Inc.' });
        expect(sdev.loc?.uri).toBe(fx.socUri);
        // The view by group: every group of the last simulation in id order, with its members'
        // SBDFs, exactly the simulation's groups.
        const simulated = await client.request<SimulateResult>('pciplat/simulate', { uri: fx.boardUri });
        const expected = [...((simulated as unknown as { groups: { id: number; members: string[] }[] }).groups)].sort((a, b) => a.id - b.id);
        expect(platform.groups.map((g) => ({ id: g.id, members: g.members.map((m) => m.name) }))).toEqual(expected.map((g) => ({ id: g.id, members: g.members })));
        expect(platform.groups.length).toBeGreaterThan(0);
        const nicGroup = platform.groups.find((g) => g.members.some((m) => m.name === 'nic0'))!;
        expect(nicGroup.members.find((m) => m.name === 'nic0')).toMatchObject({ kind: 'endpoint', sbdf: '0000:01:00.0', owner: 'guest1' });
        expect(nicGroup.members.find((m) => m.name === 'nic0')!.loc?.uri).toBe(fx.boardUri);
        await expect(client.request('pciplat/topology', {})).rejects.toThrow('needs a `uri`');
    });

    it('asks the client to refresh lenses, inlay hints and semantic tokens after new results', async () => {
        const methods = await client.waitFor(() => {
            const seen = new Set(client.serverRequests.map((r) => r.method));
            return seen.size === 3 ? seen : undefined;
        }, WAIT, 'refresh requests');
        expect([...methods].sort()).toEqual(['workspace/codeLens/refresh', 'workspace/inlayHint/refresh', 'workspace/semanticTokens/refresh']);
    });

    it('keeps the last good results across a syntax error', async () => {
        const broken = boardText.replace('  xen {', '  xen { ((( !!');
        await client.change(fx.boardUri, broken, 2);
        const published = await client.waitForDiagnostics(fx.boardUri, (p) => p.version === 2, WAIT, 'diagnostics of the broken text');
        expect(published.diagnostics.some((d) => d.code === 'LANG-SYNTAX')).toBe(true);
        const hover = hoverText(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: fx.boardUri }, position: positionOf(broken, 'nic0 at', 1) }));
        expect(hover).toContain('SBDF `0000:01:00.0`');
        expect(hover).toContain('before your latest edits');
        const topology = await client.request<TopologyResult>('pciplat/topology', { uri: fx.boardUri });
        expect(topology.platforms[0]!.simulated).toBe(true);
        // Fixed again: fresh results, no syntax errors.
        await client.change(fx.boardUri, boardText, 3);
        const fixed = await client.waitForDiagnostics(fx.boardUri, (p) => p.version === 3, WAIT, 'diagnostics of the fixed text');
        expect(fixed.diagnostics.filter((d) => d.code === 'LANG-SYNTAX')).toEqual([]);
    });

    it('survives bad input: binary text, an empty file, a hover past the end, unknown documents', async () => {
        const junk = `${fx.ws}/junk.pciplat`.replace(/\\/g, '/');
        const junkUri = `file://${junk.startsWith('/') ? '' : '/'}${junk}`;
        await client.open(junkUri, 'platform x { \u0000\u0001 host-bridge {{{{ ]]]] "unterminated', 1);
        const published = await client.waitForDiagnostics(junkUri, () => true, WAIT, 'diagnostics of junk');
        expect(published.diagnostics.length).toBeGreaterThan(0);
        const emptyUri = junkUri.replace('junk', 'empty');
        await client.open(emptyUri, '', 1);
        await client.waitForDiagnostics(emptyUri, () => true, WAIT, 'diagnostics of empty');
        expect(await client.request('textDocument/hover', { textDocument: { uri: emptyUri }, position: { line: 40, character: 99 } })).toBeNull();
        await expect(client.request('pciplat/addressMap', { uri: 'file:///does/not/exist.pciplat' })).rejects.toThrow();
        await client.change(junkUri, 'platform', 2);
        await client.waitForDiagnostics(junkUri, (p) => p.version === 2, WAIT, 'diagnostics of junk v2');
        expect(client.alive).toBe(true);
        expect(client.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack traces
    });

    it('publishes the SoC file once per change, with the language findings of its latest text', async () => {
        // Editing the imported file (opened now) re-validates the importer as well.
        const socWithError = SOC.replace('its gits0', 'its gits0 at 0x1 device-id-bits 20\n  its gits0');
        await client.open(fx.socUri, socWithError, 5);
        const soc = await client.waitForDiagnostics(fx.socUri, (p) => p.version === 5, WAIT, 'soc diagnostics v5');
        expect(soc.diagnostics.map((d) => d.code)).toContain('LANG-DUPLICATE-NAME');
    });
});
