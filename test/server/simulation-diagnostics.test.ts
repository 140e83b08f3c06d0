// Simulation findings as diagnostics, through the real server over stdio with a stand-in engine
// (fixtures/fake-engine.mjs: the real engine plus findings derived from the text, and a delay so
// that edits overlap running simulations): findings land on the right file (also the imported
// one) with related information, merged with Langium's diagnostics into one publish per URI, and
// a burst of quick edits ends with diagnostics for the last text only.
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic, Hover, InlayHint, MarkupContent } from 'vscode-languageserver-protocol';
import { board, positionOf, writeFixtures, type FixtureDir } from './fixtures.js';
import { messageOf, REPO, TestClient, type Published, WAIT } from './lsp-client.js';
import type { AddressMapResult, ServerStatsResult } from '../../server/protocol.js';

const DELAY_MS = 150;
/** The injected simulation time limit of the time-limit test. */
const TIME_LIMIT_MS = 3000;

const simulated = (d: Diagnostic) => (d.data as { source?: string } | undefined)?.source === 'simulation';
/** The stand-in engine's own findings (the real engine it wraps may add findings of its own). */
const fake = (d: Diagnostic) => simulated(d) && messageOf(d).startsWith('fake: ');
const simulatedWith = (p: Published, memory: string) => p.diagnostics.some((d) => messageOf(d) === `fake: simulated platform board with memory ${memory}`);

describe('simulation diagnostics (stand-in engine)', () => {
    let fx: FixtureDir;
    let client: TestClient;

    beforeAll(async () => {
        fx = writeFixtures();
        client = TestClient.start({
            PCIPLAT_ENGINE_MODULE: path.join(REPO, 'test', 'server', 'fixtures', 'fake-engine.mjs'),
            PCIPLAT_FAKE_ENGINE_DELAY_MS: String(DELAY_MS),
        });
        await client.initialize(fx.ws, { simulationWorkers: 1 });
    });

    afterAll(async () => {
        await client?.stop();
        fx?.remove();
    });

    it('publishes simulation findings on the declaring and on the imported file, merged with language findings', async () => {
        // An unresolved reference (language) and the stand-in's findings (simulation) in one file.
        const text = board('merged', '  kvm { vm v { assign missing_fn } }\n');
        await client.open(fx.boardUri, text, 1);
        const own = await client.waitForDiagnostics(fx.boardUri, (p) => p.version === 1 && p.diagnostics.some(fake), WAIT, 'board diagnostics with simulation findings');
        const codes = own.diagnostics.map((d) => d.code);
        expect(codes).toContain('LANG-UNRESOLVED'); // Langium's, still there next to the simulation's
        const platformFinding = own.diagnostics.find(fake)!;
        expect(platformFinding).toMatchObject({ source: 'pciplat', severity: 3, message: 'fake: simulated platform board with memory merged' });
        expect(platformFinding.range.start.line).toBe(2); // the platform's name
        // The imported SoC file (outside the workspace) gets the finding about its host bridge.
        const soc = await client.waitForDiagnostics(fx.socUri, (p) => p.diagnostics.some(fake), WAIT, 'soc diagnostics with simulation findings');
        const hb = soc.diagnostics.find(fake)!;
        expect(messageOf(hb)).toBe('fake: host bridge soc_pcie (imported) is simulated by platform board');
        expect(hb.severity).toBe(2);
        expect(hb.range.start).toEqual({ line: 4, character: 14 });
        expect(hb.relatedInformation).toEqual([{ location: { uri: fx.boardUri, range: { start: { line: 2, character: 9 }, end: { line: 2, character: 14 } } }, message: 'platform board includes it' }]);
    });

    it('shows placed BAR addresses as inlay hints and in the address map', async () => {
        const text = board('merged', '  kvm { vm v { assign missing_fn } }\n');
        const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: fx.boardUri }, range: { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } } });
        const bar0 = positionOf(text, 'bar 0 mem64 prefetch size 128K');
        const map = await client.request<AddressMapResult>('pciplat/addressMap', { uri: fx.boardUri });
        // Placed by the engine, or by the stand-in when the engine does not place it.
        const placed = map.platforms[0]!.regions.find((r) => r.name === 'nic0.bar0')!;
        expect(placed).toMatchObject({ size: '0x20000', origin: 'placed' });
        expect(hints.map((h) => ({ line: h.position.line, label: h.label }))).toEqual([{ line: bar0.line, label: `at ${placed.base}` }]);
        expect(hints[0]!.position.character).toBe(bar0.character + 'bar 0 mem64 prefetch size 128K'.length);
    });

    it('never publishes a URI with only part of its diagnostics once both kinds are known', async () => {
        const before = client.published.length;
        await client.change(fx.boardUri, board('again', '  kvm { vm v { assign missing_fn } }\n'), 2);
        const done = await client.waitForDiagnostics(fx.boardUri, (p) => simulatedWith(p, 'again'), WAIT, 'diagnostics for "again"');
        const mine = client.published.slice(before).filter((p) => p.uri === fx.boardUri);
        // Every publish carries the language finding; the ones before the new simulation result
        // carry the previous simulation finding (merged), none is simulation-only or language-only.
        for (const p of mine) {
            expect(p.diagnostics.some((d) => d.code === 'LANG-UNRESOLVED')).toBe(true);
            expect(p.diagnostics.some(fake)).toBe(true);
        }
        expect(done.version).toBe(2);
    });

    it('a burst of 20 quick edits ends with diagnostics for the last text only', async () => {
        const start = client.published.length;
        const statsBefore = await client.request<ServerStatsResult>('pciplat/serverStats', {});
        // Edits 1-19 name their memory `blocked_N`: the stand-in engine never finishes them, so
        // any result but the last one's would mean a stale run was delivered, and the outcome does
        // not depend on how fast the machine runs the engine. The first edit's run is in the
        // engine (it says so) before the others are sent, so it must be stopped to make way.
        const edit = (i: number) => client.change(fx.boardUri, board(i < 20 ? `blocked_${i}` : `edit_${i}`, `  kvm { vm v { assign missing_${i} } }\n`), 100 + i);
        await edit(1);
        await client.waitForLog('fake: blocking blocked_1');
        for (let i = 2; i <= 20; i++) await edit(i);
        const last = await client.waitForDiagnostics(fx.boardUri, (p) => p.version === 120 && simulatedWith(p, 'edit_20'), WAIT, 'diagnostics for edit 20');
        expect(last.version).toBe(120);
        const messages = last.diagnostics.map(messageOf);
        expect(messages.filter((m) => m.includes('missing_'))).toEqual([expect.stringContaining('missing_20')]);
        expect(messages.filter((m) => m.includes('with memory'))).toEqual(['fake: simulated platform board with memory edit_20']);
        // No result of an edit of the burst but the last was ever published (until edit 20's
        // result, publishes carry the previous test's result, merged with the new language findings).
        const burst = client.published.slice(start).filter((p) => p.uri === fx.boardUri);
        const memories = burst.flatMap((p) => p.diagnostics.filter(simulated).map((d) => /with memory (\w+)$/.exec(messageOf(d))?.[1])).filter((m): m is string => m !== undefined);
        expect([...new Set(memories)]).toEqual(['again', 'edit_20']);
        // Versions never go backwards either.
        const versions = burst.map((p) => p.version ?? 0);
        expect([...versions].sort((a, b) => a - b)).toEqual(versions);
        // Runs for older texts were replaced (queued ones dropped, running ones cancelled in their
        // worker, which stayed: every edit during a run was answered by the same thread).
        const stats = await client.request<ServerStatsResult>('pciplat/serverStats', {});
        expect(stats.replaced).toBeGreaterThan(statsBefore.replaced);
        expect(stats.cancelledInWorker).toBeGreaterThan(statsBefore.cancelledInWorker);
        expect(stats.workersStarted).toBe(statsBefore.workersStarted);
        expect(stats.workersTerminated).toBe(statsBefore.workersTerminated);
        expect(stats.completed - statsBefore.completed).toBeLessThan(stats.scheduled - statsBefore.scheduled);
    });

    it('keeps simulation findings while the text does not parse, and replaces them once it does', async () => {
        await client.change(fx.boardUri, board('broken', '  kvm { vm v { assign missing_b } }\n  ((((\n'), 200);
        const broken = await client.waitForDiagnostics(fx.boardUri, (p) => p.version === 200, WAIT, 'diagnostics of the broken text');
        expect(broken.diagnostics.some((d) => d.code === 'LANG-SYNTAX')).toBe(true);
        expect(broken.diagnostics.filter(simulated).map(messageOf)).toContain('fake: simulated platform board with memory edit_20');
        await client.change(fx.boardUri, board('fixed'), 201);
        const fixed = await client.waitForDiagnostics(fx.boardUri, (p) => simulatedWith(p, 'fixed'), WAIT, 'diagnostics of the fixed text');
        expect(fixed.diagnostics.filter((d) => d.code === 'LANG-SYNTAX' || d.code === 'LANG-UNRESOLVED')).toEqual([]);
    });

    it('answers hovers, lenses and requests from the last result while a simulation runs', async () => {
        const logsBefore = client.logs.length;
        await client.change(fx.boardUri, board('slow'), 240);
        // The stand-in engine never finishes `slow` by itself: answers that arrive while it is in
        // the engine cannot have waited for it.
        await client.waitFor(() => client.logs.slice(logsBefore).find((l) => l.includes('fake: blocking slow')), WAIT, 'the slow simulation in the engine');
        const text = board('slow');
        const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: fx.boardUri }, position: positionOf(text, 'nic0 at', 1) });
        await client.request('textDocument/codeLens', { textDocument: { uri: fx.boardUri } });
        await client.request('pciplat/topology', { uri: fx.boardUri });
        expect((hover?.contents as MarkupContent).value).toContain('before your latest edits');
        expect(client.statuses.at(-1)?.params.state).toBe('running'); // and it still is
        // An edit replaces the running simulation (cancelled in its worker): the next result
        // arrives although `slow` would never end, from the same worker.
        const before = await client.request<ServerStatsResult>('pciplat/serverStats', {});
        await client.change(fx.boardUri, board('fast'), 241);
        await client.waitForDiagnostics(fx.boardUri, (p) => simulatedWith(p, 'fast'), WAIT, 'results of the text after the slow one');
        const after = await client.request<ServerStatsResult>('pciplat/serverStats', {});
        expect(after.cancelledInWorker).toBe(before.cancelledInWorker + 1);
        expect(after.workersStarted).toBe(before.workersStarted);
        expect(client.latest(fx.boardUri)!.diagnostics.some((d) => messageOf(d).includes('memory slow'))).toBe(false);
    });

    it('reports an engine failure as one LANG-INTERNAL diagnostic at the platform, without a stack trace', async () => {
        await client.change(fx.boardUri, board('explode'), 250);
        const failed = await client.waitForDiagnostics(fx.boardUri, (p) => p.version === 250 && p.diagnostics.some((d) => d.code === 'LANG-INTERNAL'), WAIT, 'the failure diagnostic');
        const internal = failed.diagnostics.filter(simulated);
        expect(internal).toHaveLength(1); // only the failure: the engine's findings of the last run are replaced
        expect(internal[0]).toMatchObject({ code: 'LANG-INTERNAL', severity: 1 });
        expect(messageOf(internal[0]!)).toBe(
            'pciplat could not simulate platform board (TypeError: boom: the stand-in engine failed); hovers and lenses show the last successful run. Please report it with the file.',
        );
        expect(client.alive).toBe(true);
        // The next good text simulates again (the worker survived or was replaced).
        await client.change(fx.boardUri, board('recovered'), 251);
        await client.waitForDiagnostics(fx.boardUri, (p) => simulatedWith(p, 'recovered'), WAIT, 'diagnostics after recovery');
    });

    it('removes the findings of a platform that is deleted from the text', async () => {
        await client.change(fx.boardUri, 'import "../outside/soc.pciplat"\n', 300);
        const own = await client.waitForDiagnostics(fx.boardUri, (p) => p.version === 300, WAIT, 'diagnostics without the platform');
        expect(own.diagnostics).toEqual([]);
        const soc = await client.waitForDiagnostics(fx.socUri, (p) => !p.diagnostics.some(simulated), WAIT, 'soc diagnostics without simulation findings');
        expect(soc.diagnostics).toEqual([]);
    });
});

describe('simulation time limit', () => {
    let fx: FixtureDir;
    let client: TestClient;

    beforeAll(async () => {
        fx = writeFixtures();
        client = TestClient.start({ PCIPLAT_ENGINE_MODULE: path.join(REPO, 'test', 'server', 'fixtures', 'fake-engine.mjs') });
        // `hang` never ends by itself; `quick` is a small platform. The limit counts from the call
        // into the engine (not the worker's start), so it only needs to be above what `quick` takes.
        await client.initialize(fx.ws, { simulationWorkers: 1, simulationTimeoutMs: TIME_LIMIT_MS });
    });

    afterAll(async () => {
        await client?.stop();
        fx?.remove();
    });

    it('stops a simulation that runs too long, says so, and simulates the next text', async () => {
        await client.open(fx.boardUri, board('hang'), 1);
        const stopped = await client.waitForDiagnostics(fx.boardUri, (p) => p.diagnostics.some((d) => d.code === 'LANG-INTERNAL'), WAIT, 'the time-limit diagnostic');
        expect(messageOf(stopped.diagnostics.find((d) => d.code === 'LANG-INTERNAL')!)).toMatch(/^pciplat stopped simulating platform board after \d+ s; /);
        await client.change(fx.boardUri, board('quick'), 2);
        await client.waitForDiagnostics(fx.boardUri, (p) => simulatedWith(p, 'quick'), WAIT, 'diagnostics after the time limit');
    });
});
