// The engine's cooperative cancellation (src/util/cancellation.ts): a token that reads cancelled
// stops `simulate` with SimulationCancelled at the next safe point (never an ENGINE-INTERNAL
// finding), one that never does changes nothing, and the safe points come often: a token that
// turns cancelled after its first few reads stops the run too.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/engine/simulate.js';
import { isSimulationCancelled, SimulationCancelled, type CancellationToken } from '../../src/util/cancellation.js';
import { platformsFromFile } from '../helpers/platforms.js';

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'arm-server.pciplat');

/** Reads false `reads` times, then true; counts its reads. */
function tokenAfter(reads: number): CancellationToken & { reads: number } {
    return {
        reads: 0,
        get cancelled() {
            return ++this.reads > reads;
        },
    };
}

describe('cooperative cancellation of a simulation', () => {
    it('changes nothing when the token never reads cancelled', async () => {
        const [platform] = await platformsFromFile(EXAMPLE);
        const plain = simulate(platform!, { everyScenario: true });
        const token = { cancelled: false };
        expect(simulate(platform!, { everyScenario: true, cancellation: token })).toEqual(plain);
    });

    it('throws SimulationCancelled, not a finding, when the token reads cancelled', async () => {
        const [platform] = await platformsFromFile(EXAMPLE);
        expect(() => simulate(platform!, { everyScenario: true, cancellation: { cancelled: true } })).toThrow(SimulationCancelled);
    });

    it('checks the token at safe points throughout the run: cancelling after any of them stops it', async () => {
        const [platform] = await platformsFromFile(EXAMPLE);
        const counter = tokenAfter(Number.MAX_SAFE_INTEGER);
        simulate(platform!, { everyScenario: true, cancellation: counter });
        // Every safe point of the whole run (stages, functions, host bridges, scenario steps).
        expect(counter.reads).toBeGreaterThan(20);
        for (const reads of [0, 1, Math.floor(counter.reads / 2), counter.reads - 1]) {
            let thrown: unknown;
            try {
                simulate(platform!, { everyScenario: true, cancellation: tokenAfter(reads) });
            } catch (error) {
                thrown = error;
            }
            expect(isSimulationCancelled(thrown)).toBe(true);
        }
    });
});
