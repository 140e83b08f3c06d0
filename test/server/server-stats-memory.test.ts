// pciplat/serverStats reports the server's memory, and with `collectGarbage` on a server under
// --expose-gc (as the soak starts it) collects the idle simulation workers' heaps and the
// server thread's first, so that RSS is compared without garbage waiting; without --expose-gc it
// says that it could not. It also reports the allocator setting the process started with
// (server/process-env.ts), as the VS Code client and the soak start it and as a bare start leaves it.
import { afterEach, describe, expect, it } from 'vitest';
import { MMAP_THRESHOLD_BYTES, serverProcessEnv } from '../../server/process-env.js';
import type { ServerStatsResult } from '../../server/protocol.js';
import { board, writeFixtures, type FixtureDir } from './fixtures.js';
import { TestClient, WAIT } from './lsp-client.js';

describe('pciplat/serverStats memory', () => {
    let fx: FixtureDir | undefined;
    let client: TestClient | undefined;

    afterEach(async () => {
        await client?.stop();
        fx?.remove();
        client = undefined;
        fx = undefined;
    });

    /** A server that simulated the board once (so that its one worker is started and idle). */
    async function simulatedOnce(env: Record<string, string>): Promise<TestClient> {
        fx = writeFixtures();
        client = TestClient.start(env);
        await client.initialize(fx.ws, { simulationWorkers: 1 });
        await client.open(fx.boardUri, board('dram'), 1);
        const c = client;
        await c.waitFor(() => (c.statuses.some((s) => s.params.state === 'idle' && s.params.platforms > 0) ? true : undefined), WAIT, 'the first simulation');
        return c;
    }

    it('collects in the idle worker and the server thread under --expose-gc', async () => {
        const c = await simulatedOnce({ ...serverProcessEnv({}), NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() });
        const stats = await c.request<ServerStatsResult>('pciplat/serverStats', { collectGarbage: true }, WAIT);
        expect(stats.memory.mallocMmapThreshold).toBe(String(MMAP_THRESHOLD_BYTES));
        expect(stats.memory.collected).toBe(true);
        expect(stats.memory.workersCollected).toBe(1);
        expect(stats.memory.rssBytes).toBeGreaterThan(stats.memory.heapUsedBytes);
        expect(stats.memory.heapUsedBytes).toBeGreaterThan(0);
        // The heap spaces of the server thread, of the worker that collected and of the relay thread.
        for (const spaces of [stats.memory.heapSpaces, stats.memory.workerHeapSpaces, stats.memory.relayHeapSpaces]) expect(spaces.old_space).toBeGreaterThan(0);
        // Not asked: no collection.
        const plain = await c.request<ServerStatsResult>('pciplat/serverStats', {}, WAIT);
        expect(plain.memory).toMatchObject({ collected: false, workersCollected: 0, workerHeapSpaces: {}, relayHeapSpaces: {} });
    });

    it('says it collected nothing when the server has no gc()', async () => {
        const c = await simulatedOnce({ NODE_OPTIONS: (process.env.NODE_OPTIONS ?? '').replace(/--expose-gc/g, '') });
        const stats = await c.request<ServerStatsResult>('pciplat/serverStats', { collectGarbage: true }, WAIT);
        expect(stats.memory).toMatchObject({ collected: false, workersCollected: 0, mallocMmapThreshold: process.env.MALLOC_MMAP_THRESHOLD_ ?? null });
    });
});

describe('serverProcessEnv', () => {
    it('fixes glibc\'s mmap threshold at 128 KiB for the server process', () => {
        expect(serverProcessEnv({ PATH: '/usr/bin' })).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072' });
    });

    it('keeps a threshold the user set', () => {
        expect(serverProcessEnv({ MALLOC_MMAP_THRESHOLD_: '65536' })).toEqual({});
    });
});
