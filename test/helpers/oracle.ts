// Field-by-field comparison of a simulation with what real Linux did (the oracle fixtures in
// test/fixtures/oracle/): each function returns the simulator's answer and Linux's in one shape,
// so a test can `expect(actual).toEqual(expected)` and a failure shows the fields that differ.
import type { FunctionResult, SimulationResult } from '../../src/engine/result.js';

export interface OracleRange { start: string; end: string }
/** A BAR as the oracle gives it: start and end null when Linux could not assign it. */
export interface OracleBar { index: number; start: string | null; end: string | null }
export interface OracleExpected {
    functions: { name: string; bdf: string; bus: number; bars: OracleBar[]; rom: OracleRange | null; groupAtBoot: number | null }[];
    bridges: { name: string; secondary: number; subordinate: number; windows: Partial<Record<'io' | 'mem' | 'prefetch', OracleRange>> }[];
    groupsAtBoot: string[][];
}

export interface Comparison<T> { actual: T; expected: T }

const hex = (v: bigint | undefined) => (v === undefined ? undefined : `0x${v.toString(16)}`);

export function resultsByName(result: SimulationResult): Map<string, FunctionResult> {
    return new Map(result.functions.map((f) => [f.name, f]));
}

/** `name bdf bus`: the bus each function is on. */
export function busNumbers(expected: OracleExpected, byName: Map<string, FunctionResult>): Comparison<string[]> {
    return {
        actual: expected.functions.map((f) => `${f.name} ${f.bdf} ${byName.get(f.name) && `0000:${byName.get(f.name)!.bus!.toString(16).padStart(2, '0')}`}`),
        expected: expected.functions.map((f) => `${f.name} ${f.bdf} ${f.bdf.slice(0, 7)}`),
    };
}

type BridgeFields = { name: string; secondary: number; subordinate: number; windows: Partial<Record<string, { start?: string; end?: string }>> };

/** Every bridge's secondary and subordinate bus and its open windows. */
export function bridgeWindows(expected: OracleExpected, byName: Map<string, FunctionResult>): Comparison<BridgeFields[]> {
    return {
        actual: expected.bridges.map((b) => {
            const bridge = byName.get(b.name)?.bridge;
            const windows = Object.fromEntries((bridge?.windows ?? []).map((w) => [w.window, { start: hex(w.start), end: hex(w.end) }]));
            return { name: b.name, secondary: Number(bridge?.secondary), subordinate: Number(bridge?.subordinate), windows };
        }),
        expected: expected.bridges.map((b) => ({ name: b.name, secondary: b.secondary, subordinate: b.subordinate, windows: b.windows })),
    };
}

type PlacedFields = { name: string; bars: { index: number; start?: string; end?: string }[]; rom: { start?: string; end?: string } | null };

/** Every BAR Linux reports (VF BARs for VFs) and the ROM, start and end. */
export function barsAndRoms(expected: OracleExpected, byName: Map<string, FunctionResult>): Comparison<PlacedFields[]> {
    return {
        actual: expected.functions.map((f) => {
            const r = byName.get(f.name);
            return {
                name: f.name,
                bars: (r?.bars ?? [])
                    .filter((b) => f.bars.some((e) => e.index === b.index))
                    .map((b) => ({ index: b.index, start: hex(b.address), end: hex(b.address === undefined ? undefined : b.address + b.size - 1n) })),
                rom: r?.rom?.address === undefined ? null : { start: hex(r.rom.address), end: hex(r.rom.address + r.rom.size - 1n) },
            };
        }),
        // A BAR Linux could not assign has start and end null: the simulator must leave it without an address.
        expected: expected.functions.map((f) => ({ name: f.name, bars: f.bars.map((b) => ({ index: b.index, start: b.start ?? undefined, end: b.end ?? undefined })), rom: f.rom && { start: f.rom.start, end: f.rom.end } })),
    };
}

/** The groups as sets of names, order-free. */
export function groupSets(groups: string[][]): string[] {
    return groups.map((g) => [...g].sort().join(' ')).sort();
}
