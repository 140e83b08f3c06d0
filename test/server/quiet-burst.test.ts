// The quiet period through the real server over stdio (server/simulation/quiet.ts): a burst of
// edits gets its language diagnostics at once, and its simulation is prepared (lowered, posted to
// a worker) once, for the last text, when the edit stream pauses. The quiet period is set to an
// hour, so it never ends by itself during the test; the save ends it (an event, not a time).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { board, writeFixtures, type FixtureDir } from './fixtures.js';
import { messageOf, REPO, TestClient, type Published, WAIT } from './lsp-client.js';
import type { ServerStatsResult } from '../../server/protocol.js';

const simulated = (d: Diagnostic) => (d.data as { source?: string } | undefined)?.source === 'simulation';
const simulatedWith = (p: Published, memory: string) => p.diagnostics.some((d) => messageOf(d) === `fake: simulated platform board with memory ${memory}`);

describe('quiet period before a background run (stand-in engine)', () => {
    let fx: FixtureDir;
    let client: TestClient;

    beforeAll(async () => {
        fx = writeFixtures();
        // Only the board simulates, so the counts below are the board's: the lonely platform's
        // unresolved reference has Langium re-validate it after every edit of another file.
        fs.rmSync(fx.lonelyPath);
        client = TestClient.start({ PCIPLAT_ENGINE_MODULE: path.join(REPO, 'test', 'server', 'fixtures', 'fake-engine.mjs') });
        await client.initialize(fx.ws, { simulationWorkers: 1, simulationQuietMs: 3_600_000 });
    });

    afterAll(async () => {
        await client?.stop();
        fx?.remove();
    });

    it('simulates an opened file at once: opening is not an edit', async () => {
        await client.open(fx.boardUri, board('opened'), 1);
        const p = await client.waitForDiagnostics(fx.boardUri, (p) => simulatedWith(p, 'opened'), WAIT, 'the simulation of the opened text');
        expect(p.version).toBe(1);
        const stats = await client.request<ServerStatsResult>('pciplat/serverStats', {});
        expect(stats).toMatchObject({ lowerings: 1, scheduled: 1, quietDeferred: 0 });
    });

    it('a burst of edits publishes language diagnostics, then lowers and posts once, for the last text, when editing pauses', async () => {
        const before = await client.request<ServerStatsResult>('pciplat/serverStats', {});
        for (let i = 1; i <= 10; i++) await client.change(fx.boardUri, board(`burst_${i}`, `  kvm { vm v { assign missing_${i} } }\n`), 1 + i);
        // The last edit's language diagnostics, with the last simulation's findings kept beside them.
        const language = await client.waitForDiagnostics(fx.boardUri, (p) => p.version === 11, WAIT, 'the language diagnostics of the last edit');
        expect(language.diagnostics.filter((d) => d.code === 'LANG-UNRESOLVED').map(messageOf)).toEqual([expect.stringContaining('missing_10')]);
        expect(language.diagnostics.filter(simulated).map(messageOf)).toContain('fake: simulated platform board with memory opened');
        // Nothing lowered or posted while the edit stream has not paused.
        const waiting = await client.request<ServerStatsResult>('pciplat/serverStats', {});
        expect(waiting.lowerings - before.lowerings).toBe(0);
        expect(waiting.scheduled - before.scheduled).toBe(0);
        expect(waiting.quietDeferred - before.quietDeferred).toBeGreaterThanOrEqual(1);
        // The save ends the quiet period: one lowering, one job, one result, for the last text.
        await client.save(fx.boardUri);
        const done = await client.waitForDiagnostics(fx.boardUri, (p) => simulatedWith(p, 'burst_10'), WAIT, 'the simulation of the last edit');
        expect(done.version).toBe(11);
        const after = await client.request<ServerStatsResult>('pciplat/serverStats', {});
        expect(after.lowerings - before.lowerings).toBe(1);
        expect(after.scheduled - before.scheduled).toBe(1);
        expect(after.replaced - before.replaced).toBe(0);
        expect(after.completed - before.completed).toBe(1);
        expect(after.delivered - before.delivered).toBe(1);
        expect(after.dropped - before.dropped).toBe(0);
        // No intermediate text's result was ever published.
        const memories = client.published
            .filter((p) => p.uri === fx.boardUri)
            .flatMap((p) => p.diagnostics.filter(simulated).map((d) => /with memory (\w+)$/.exec(messageOf(d))?.[1]))
            .filter((m): m is string => m !== undefined);
        expect([...new Set(memories)]).toEqual(['opened', 'burst_10']);
    });
});
