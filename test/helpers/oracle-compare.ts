// Comparing a simulation with what real Linux did (the oracle's devices.json), field by field:
// shared by the hand-written oracle platforms (test/fabric/oracle.test.ts, keyed by name) and
// the imported ones (test/import/oracle-import.test.ts, keyed by segment:bus:device.function).
import type { FunctionResult, SimulationResult } from '../../src/engine/result.js';

export interface Range {
    start: string;
    end: string;
}

export const hex = (v: bigint | undefined) => (v === undefined ? undefined : `0x${v.toString(16)}`);

/** Groups as sorted lists of sorted members, so the numbering does not matter. */
export const sets = (groups: string[][]) => groups.map((g) => [...g].sort().join(' ')).sort();

export function bdfOf(f: Pick<FunctionResult, 'segment' | 'bus' | 'device' | 'fn'>): string {
    const h = (v: bigint | undefined, n: number) => (v === undefined ? '??' : v.toString(16).padStart(n, '0'));
    return `${h(f.segment, 4)}:${h(f.bus, 2)}:${h(f.device, 2)}.${f.fn.toString(16)}`;
}

/** A function's BARs and ROM as Linux prints them (inclusive ranges), limited to the indices Linux lists. */
export function resourcesOf(r: FunctionResult | undefined, indices: number[]) {
    return {
        bars: (r?.bars ?? [])
            .filter((b) => indices.includes(b.index))
            .map((b) => ({ index: b.index, start: hex(b.address), end: hex(b.address === undefined ? undefined : b.address + b.size - 1n) })),
        rom: r?.rom?.address === undefined ? null : { start: hex(r.rom.address), end: hex(r.rom.address + r.rom.size - 1n) },
    };
}

/** A bridge's bus numbers and windows as Linux reports them. */
export function bridgeOf(r: FunctionResult | undefined) {
    const bridge = r?.bridge;
    const windows = Object.fromEntries((bridge?.windows ?? []).map((w) => [w.window, { start: hex(w.start), end: hex(w.end) }]));
    return { secondary: Number(bridge?.secondary), subordinate: Number(bridge?.subordinate), windows };
}

/** The groups of a simulation with members named by `name`. */
export function groupSets(result: SimulationResult, name: (member: string) => string): string[] {
    return sets(result.groups.map((g) => g.members.map(name)));
}
