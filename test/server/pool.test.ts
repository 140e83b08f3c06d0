// The simulation pool's time limit counts the engine's run only: a worker that is slow to start
// (importing the engine takes seconds on a busy machine) does not make a quick platform time
// out, and a platform that never finishes is still stopped. A tiny limit on deliberately slow
// input, so the outcome does not depend on the machine's speed.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/model/platform.js';
import { WorkerPool } from '../../server/simulation/pool.js';
import { REPO } from './lsp-client.js';

const WORKER = pathToFileURL(path.join(REPO, 'out', 'server', 'simulation', 'worker.js'));
const ENGINE = pathToFileURL(path.join(REPO, 'test', 'server', 'fixtures', 'slow-import-engine.mjs')).href;
const platform = (name: string) => ({ name, hostBridges: [], memory: [] }) as unknown as Platform;

describe('simulation pool time limit', () => {
    let pool: WorkerPool | undefined;
    afterEach(() => {
        pool?.dispose();
        delete process.env.PCIPLAT_SLOW_IMPORT_MS;
    });

    it('does not count the worker start and the engine import against the limit', async () => {
        // The import takes 1.5 s, five times the limit; the simulation itself returns at once.
        process.env.PCIPLAT_SLOW_IMPORT_MS = '1500';
        pool = new WorkerPool({ size: 1, workerUrl: WORKER, engineModule: ENGINE, timeoutMs: 300, memoryMb: 512 });
        const outcome = await pool.submit(platform('quick'), {}).done;
        expect(outcome.kind).toBe('result');
    });

    it('stops a run that exceeds the limit once in the engine, and the next run gets a fresh worker', async () => {
        pool = new WorkerPool({ size: 1, workerUrl: WORKER, engineModule: ENGINE, timeoutMs: 300, memoryMb: 512 });
        const hung = await pool.submit(platform('hang'), {}).done;
        expect(hung.kind).toBe('timeout');
        expect(pool.started).toBe(1);
        const next = await pool.submit(platform('quick'), {}).done;
        expect(next.kind).toBe('result');
        expect(pool.started).toBe(2);
    });

    it('stops a worker that never reaches the engine after the startup ceiling', async () => {
        process.env.PCIPLAT_SLOW_IMPORT_MS = '600000';
        pool = new WorkerPool({ size: 1, workerUrl: WORKER, engineModule: ENGINE, timeoutMs: 60_000, startupMs: 500, memoryMb: 512 });
        const outcome = await pool.submit(platform('quick'), {}).done;
        expect(outcome.kind).toBe('timeout');
    });
});

describe('simulation pool cancellation', () => {
    let pool: WorkerPool | undefined;
    afterEach(() => pool?.dispose());

    it('cancels a run in the engine cooperatively, and the same worker thread delivers the next result', async () => {
        pool = new WorkerPool({ size: 1, workerUrl: WORKER, engineModule: ENGINE, timeoutMs: 600_000, memoryMb: 512 });
        // `block` never ends by itself; it reads its cancellation token.
        const stale = pool.submit(platform('block'), {});
        const thread = await stale.started;
        stale.cancel();
        expect((await stale.done).kind).toBe('cancelled');
        const next = await pool.submit(platform('quick'), {}).done;
        expect(next).toMatchObject({ kind: 'result', threadId: thread });
        expect(pool.started).toBe(1);
        expect(pool.cancelledInWorker).toBe(1);
        expect(pool.terminated).toBe(0);
    });

    it('starts no new worker for five runs cancelled in the engine one after the other', async () => {
        pool = new WorkerPool({ size: 1, workerUrl: WORKER, engineModule: ENGINE, timeoutMs: 600_000, memoryMb: 512 });
        const threads = new Set<number>();
        for (let i = 0; i < 5; i++) {
            const stale = pool.submit(platform('block'), {});
            threads.add(await stale.started);
            stale.cancel();
        }
        const next = await pool.submit(platform('quick'), {}).done;
        expect(next.kind).toBe('result');
        expect(next.kind === 'result' && threads.has(next.threadId)).toBe(true);
        expect(threads.size).toBe(1);
        expect(pool.started).toBe(1);
        expect(pool.cancelledInWorker).toBe(5);
        expect(pool.terminated).toBe(0);
    });

    it('cancels a run whose platform is still being sent, without stopping the worker', async () => {
        pool = new WorkerPool({ size: 1, workerUrl: WORKER, engineModule: ENGINE, timeoutMs: 600_000, memoryMb: 512 });
        const first = await pool.submit(platform('quick'), {}).done;
        expect(first.kind).toBe('result');
        // 3,000 functions travel in six parts, one per turn: cancel after the first turn.
        const big = { name: 'big', memory: [], hostBridges: [{ name: 'hb', functions: Array.from({ length: 3000 }, (_, i) => ({ name: `f${i}`, children: [] })) }] } as unknown as Platform;
        const stale = pool.submit(big, {});
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
        stale.cancel();
        expect((await stale.done).kind).toBe('cancelled');
        const next = await pool.submit(platform('quick'), {}).done;
        expect(next).toMatchObject({ kind: 'result', threadId: first.kind === 'result' ? first.threadId : -1 });
        expect(pool.started).toBe(1);
        expect(pool.terminated).toBe(0);
    });

    it('terminates a worker that does not answer the cancellation within the ceiling, and the next run gets a fresh one', async () => {
        // `hang` ignores its token; a tiny injected ceiling instead of the generous default.
        pool = new WorkerPool({ size: 1, workerUrl: WORKER, engineModule: ENGINE, timeoutMs: 600_000, cancelMs: 200, memoryMb: 512 });
        const stale = pool.submit(platform('hang'), {});
        const thread = await stale.started;
        stale.cancel();
        expect((await stale.done).kind).toBe('cancelled');
        const next = await pool.submit(platform('quick'), {}).done;
        expect(next.kind).toBe('result');
        expect(next.kind === 'result' && next.threadId !== thread).toBe(true);
        expect(pool.started).toBe(2);
        expect(pool.terminated).toBe(1);
        expect(pool.cancelledInWorker).toBe(0);
    });
});
