// The last completed simulation of every platform: what hover, code lenses and the custom
// requests answer from. An entry is replaced only by a newer completed run for the latest text;
// a document that stops parsing keeps its entries (a syntax error does not wipe them).
import type { FunctionResult } from '../../src/engine/result.js';
import type { SimulationResult } from '../../src/engine/result.js';
import type { Platform } from '../../src/model/platform.js';

export interface StoredResult {
    key: string;
    /** The document declaring the platform. */
    uri: string;
    platformName: string;
    /** The lowered model the run simulated (to relate result entries to declarations). */
    platform: Platform;
    result: SimulationResult;
    /** Document versions (import closure) the result was computed for. */
    versions: Record<string, number>;
    millis: number;
    completedAt: number;
}

export class ResultStore {
    private readonly byKey = new Map<string, StoredResult>();
    private readonly listeners: ((entry: StoredResult) => void)[] = [];

    set(entry: StoredResult): void {
        this.byKey.set(entry.key, entry);
        for (const listener of this.listeners) listener(entry);
    }

    get(key: string): StoredResult | undefined {
        return this.byKey.get(key);
    }

    delete(key: string): void {
        this.byKey.delete(key);
    }

    /** Results of platforms declared in `uri`. */
    declaredIn(uri: string): StoredResult[] {
        return [...this.byKey.values()].filter((e) => e.uri === uri);
    }

    /** Results whose import closure contains `uri` (the file itself first, then importers). */
    seeing(uri: string): StoredResult[] {
        const all = [...this.byKey.values()].filter((e) => e.uri === uri || uri in e.versions);
        return all.sort((a, b) => Number(b.uri === uri) - Number(a.uri === uri));
    }

    /** The function results the document sees, by name (its own platforms' results first). */
    functionsSeenBy(uri: string): Map<string, FunctionResult> {
        const results = new Map<string, FunctionResult>();
        for (const entry of this.seeing(uri)) {
            for (const f of entry.result.functions ?? []) if (!results.has(f.name)) results.set(f.name, f);
        }
        return results;
    }

    all(): StoredResult[] {
        return [...this.byKey.values()];
    }

    onDidChange(listener: (entry: StoredResult) => void): void {
        this.listeners.push(listener);
    }
}
