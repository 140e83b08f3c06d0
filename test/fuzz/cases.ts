// Failing inputs saved as regression cases, one directory each under test/fixtures/fuzz/:
// `case.json` (the command, the failure as found, how it was found) and `files/` (every file the
// input reads, at its path relative to the fuzzer's virtual root, so the case replays alone).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Verdict } from './harness.js';
import type { FuzzInput } from './mutate.js';

export interface CaseRecord {
    /** `pciplat` arguments before the file. */
    args: string[];
    /** The file the command names (relative to files/). */
    main: string;
    failure: Verdict['failure'];
    signature: string;
    /** The evidence when found (trimmed). */
    detail: string;
    found: { seed: number; index: number; mutations: string[]; minimized: boolean; note?: string };
}

export function caseName(verdict: Verdict): string {
    const hash = createHash('sha256').update(verdict.signature ?? '').digest('hex').slice(0, 10);
    return `${verdict.failure}-${hash}`;
}

export function saveCase(dir: string, input: FuzzInput, verdict: Verdict, found: CaseRecord['found']): string {
    const caseDir = path.join(dir, caseName(verdict));
    fs.rmSync(caseDir, { recursive: true, force: true });
    for (const [file, text] of Object.entries(input.files)) {
        const target = path.join(caseDir, 'files', ...file.split('/'));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, text);
    }
    const record: CaseRecord = { args: input.args, main: input.main, failure: verdict.failure, signature: verdict.signature ?? '', detail: (verdict.detail ?? '').slice(0, 2000), found };
    fs.writeFileSync(path.join(caseDir, 'case.json'), JSON.stringify(record, null, 2) + '\n');
    return caseDir;
}

export function loadCase(caseDir: string): { input: FuzzInput; record: CaseRecord } {
    const record = JSON.parse(fs.readFileSync(path.join(caseDir, 'case.json'), 'utf8')) as CaseRecord;
    const files: Record<string, string> = {};
    const root = path.join(caseDir, 'files');
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full);
            else files[path.relative(root, full).split(path.sep).join('/')] = fs.readFileSync(full, 'utf8');
        }
    };
    walk(root);
    return { input: { files, main: record.main, args: record.args, mutations: record.found.mutations }, record };
}

/** The case directories under `dir`. */
export function caseDirs(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'case.json'))).map((e) => path.join(dir, e.name)).sort();
}
