// Delta debugging (Zeller's ddmin) of a failing input: drop ever smaller parts of the main file
// (lines first, then tokens) and of the other files while the failure keeps its signature, within
// a budget of runs. Also: the files a case needs (its imports, transitively) so that a saved case
// replays without the corpus.
import * as path from 'node:path';
import type { FuzzInput } from './mutate.js';
import { tokenize } from './tokens.js';

export type Predicate = (candidate: FuzzInput) => Promise<boolean>;

export interface Budget {
    /** Runs left. */
    runs: number;
    /** performance.now() after which minimization stops. */
    deadline: number;
}

function spent(budget: Budget): boolean {
    return budget.runs <= 0 || performance.now() > budget.deadline;
}

async function ddmin(units: string[], join: (u: string[]) => string, test: (text: string) => Promise<boolean>, budget: Budget): Promise<string[]> {
    let n = 2;
    while (units.length >= 2 && !spent(budget)) {
        const size = Math.ceil(units.length / n);
        let reduced = false;
        for (let start = 0; start < units.length && !spent(budget); start += size) {
            const complement = [...units.slice(0, start), ...units.slice(start + size)];
            budget.runs--;
            if (await test(join(complement))) {
                units = complement;
                n = Math.max(n - 1, 2);
                reduced = true;
                break;
            }
        }
        if (!reduced) {
            if (n >= units.length) break;
            n = Math.min(n * 2, units.length);
        }
    }
    return units;
}

async function minimizeFile(input: FuzzInput, file: string, fails: Predicate, budget: Budget): Promise<FuzzInput> {
    const withText = (text: string): FuzzInput => ({ ...input, files: { ...input.files, [file]: text } });
    const test = (text: string) => fails(withText(text));
    let text = input.files[file] ?? '';
    text = (await ddmin(text.split('\n'), (u) => u.join('\n'), test, budget)).join('\n');
    const tokens = tokenize(text).map((t) => t.text);
    if (tokens.length <= 5000) text = (await ddmin(tokens, (u) => u.join(''), test, budget)).join('');
    return withText(text);
}

/** The smallest input found that still `fails` (its signature), within `budget`. */
export async function minimize(input: FuzzInput, fails: Predicate, budget: Budget): Promise<FuzzInput> {
    let current = input;
    // Files other than the main one can often go entirely.
    for (const file of Object.keys(current.files)) {
        if (file === current.main || spent(budget)) continue;
        const { [file]: _, ...rest } = current.files;
        const without = { ...current, files: rest };
        budget.runs--;
        if (await fails(without)) current = without;
    }
    for (const file of [current.main, ...Object.keys(current.files).filter((f) => f !== current.main)]) {
        if (spent(budget)) break;
        current = await minimizeFile(current, file, fails, budget);
    }
    return current;
}

/** The input's files plus every corpus file they import, transitively (relative paths). */
export function selfContained(input: FuzzInput, corpus: ReadonlyMap<string, string>): FuzzInput {
    const files: Record<string, string> = { ...input.files };
    const queue = Object.keys(files);
    while (queue.length > 0) {
        const file = queue.shift()!;
        for (const m of (files[file] ?? '').matchAll(/\bimport\s+"([^"\n]*)"/g)) {
            const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!));
            if (target in files) continue;
            const text = corpus.get(target);
            if (text === undefined) continue;
            files[target] = text;
            queue.push(target);
        }
    }
    return { ...input, files };
}
