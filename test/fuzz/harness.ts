// Runs one fuzz input exactly as the `pciplat` command would (src/cli/main.ts's runCli with the
// Langium loader: load -> lower -> simulate -> format), in-process, with the files read from
// memory instead of disk, and judges the outcome. A failure is one of:
//   uncaught   the CLI reported an internal error, printed a stack trace, or something threw past it
//   internal   a LANG-INTERNAL or ENGINE-INTERNAL finding (a check or an engine stage threw)
//   oversize   stdout + stderr over the output ceiling (bounded output whatever the input)
//   hang       no answer within the time limit (judged by the pool, see pool.ts)
//   oom        the worker ran out of its heap (judged by the pool)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { createPciplatServices } from '../../language/pciplat-module.js';
import { emptiedServices, langiumLoader } from '../../language/workspace/loader.js';
import { runCli } from '../../src/cli/main.js';
import type { FuzzInput } from './mutate.js';

/** The directory the inputs appear under (never touched on disk). */
export const VIRTUAL_ROOT = '/pciplat-fuzz';

/**
 * Default ceiling on what one input may print (stdout + stderr). Findings must stay bounded
 * whatever the input; a simulation report (`simulate`, text or JSON) lists every function the
 * platform enumerates, which one line (`num-vfs 0xffff`) can make tens of thousands, so it may
 * add PER_FUNCTION_OUTPUT for each function it lists.
 */
export const DEFAULT_MAX_OUTPUT = 8 * 1024 * 1024;
export const PER_FUNCTION_OUTPUT = 2048;

/** Function rows of a simulation report: `"sbdf": "` in JSON, `  name kind SSSS:BB:DD.F` lines in text. */
const FUNCTION_ROW = /"sbdf": "|^ {2}\S+ +\S+ +[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-9a-f]/gm;

export type FailureKind = 'uncaught' | 'internal' | 'oversize' | 'hang' | 'oom';

export interface Verdict {
    /** Undefined: the input was handled well. */
    failure?: FailureKind;
    /** What identifies the failure across inputs (kind, code, the error's words without numbers). */
    signature?: string;
    /** The evidence: the first lines of what was printed, or the error. */
    detail?: string;
    status?: number;
    outputBytes: number;
    millis: number;
}

/** A V8 stack frame: `at fn (file:///x.js:1:2)`, `at /x.js:1:2`, `at node:internal/x:1:2` (not a function named `at`). */
const STACK_TRACE = /\n\s+at (?:\S+ \()?(?:file:\/\/|node:|\/)[^\s()]*:\d+:\d+\)?/;
const INTERNAL = /\b(LANG-INTERNAL|ENGINE-INTERNAL)\b[^\n]*/;

/** Numbers, hex and quoted names out of a message, so that one cause gives one signature. */
export function normalize(message: string): string {
    return message
        .replace(/0x[0-9a-f_]+/gi, 'N')
        .replace(/\d+/g, 'N')
        .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, 'Q')
        .replace(/\bplatform \S+/g, 'platform P')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 200);
}

/** The cause inside an INTERNAL finding's message: `... (TypeError: boom); ...` -> `TypeError: boom`. */
function internalCause(line: string): string {
    const m = /failed (?:on platform \S+|while checking this \S+) \((.*)\)[;.]/.exec(line);
    return m ? m[1]! : line;
}

/** Seeds larger than this stay out of the corpus: one 200 KB seed costs as much as a hundred small ones, and huge counts are a mutation anyway. */
export const MAX_SEED_BYTES = 32 * 1024;

/** The repository's corpus files (examples and fixtures, up to MAX_SEED_BYTES) by path relative to the repository. */
export function loadCorpus(repo: string, dirs = ['examples', 'test/fixtures']): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(path.join(repo, dir), { withFileTypes: true })) {
            const rel = path.posix.join(dir, entry.name);
            if (entry.isDirectory()) walk(rel);
            else if (entry.name.endsWith('.pciplat') && fs.statSync(path.join(repo, rel)).size <= MAX_SEED_BYTES) out.set(rel, fs.readFileSync(path.join(repo, rel), 'utf8'));
        }
    };
    for (const d of dirs) if (fs.existsSync(path.join(repo, d))) walk(d);
    return out;
}

/** One set of language services per thread, emptied before each input (building the parser takes 100 ms+). */
let services: ReturnType<typeof createPciplatServices> | undefined;

/**
 * Runs `input` as `pciplat ARGS MAIN` would. `fresh`: new language services for this input, as
 * a new `pciplat` process has (the fuzzer keeps one set per worker, as the language server does).
 */
export async function runInput(input: FuzzInput, corpus: ReadonlyMap<string, string>, maxOutput = DEFAULT_MAX_OUTPUT, fresh = false): Promise<Verdict> {
    const started = performance.now();
    const rel = (uri: URI) => path.posix.relative(VIRTUAL_ROOT, uri.path);
    const read = (uri: URI) => {
        const key = rel(uri);
        const text = input.files[key] ?? corpus.get(key);
        return text === undefined ? { error: 'missing' as const, detail: 'ENOENT' } : { text };
    };
    const loader = fresh ? langiumLoader(read) : langiumLoader(read, () => emptiedServices((services ??= createPciplatServices(NodeFileSystem))));
    let outputBytes = 0;
    let head = '';
    let functionRows = 0;
    const report = input.args[0] === 'simulate' && !input.args.includes('sarif');
    const keep = (text: string) => {
        outputBytes += Buffer.byteLength(text);
        if (report) functionRows += text.match(FUNCTION_ROW)?.length ?? 0;
        if (head.length < 64 * 1024) head += text.slice(0, 64 * 1024 - head.length);
    };
    let stderr = '';
    let status: number;
    try {
        status = await runCli([...input.args, input.main], { stdout: keep, stderr: (t) => { keep(t); if (stderr.length < 16 * 1024) stderr += t; }, cwd: VIRTUAL_ROOT }, loader);
    } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        return { failure: 'uncaught', signature: `uncaught thrown ${normalize(message)}`, detail: error instanceof Error ? (error.stack ?? message) : message, outputBytes, millis: performance.now() - started };
    }
    const millis = performance.now() - started;
    const internalError = /pciplat: internal error: (.*)/.exec(stderr);
    if (internalError) return { failure: 'uncaught', signature: `uncaught ${normalize(internalError[1]!)}`, detail: internalError[0], status, outputBytes, millis };
    if (STACK_TRACE.test(head)) return { failure: 'uncaught', signature: `uncaught stack trace`, detail: head.slice(0, 2000), status, outputBytes, millis };
    const internal = INTERNAL.exec(head);
    if (internal) return { failure: 'internal', signature: `internal ${internal[1]} ${normalize(internalCause(internal[0]))}`, detail: internal[0].slice(0, 2000), status, outputBytes, millis };
    const ceiling = maxOutput + functionRows * PER_FUNCTION_OUTPUT;
    if (outputBytes > ceiling) return { failure: 'oversize', signature: `oversize ${input.args[0]} ${input.args[2]}`, detail: `${outputBytes} bytes of output (ceiling ${ceiling}: ${maxOutput} + ${functionRows} functions listed); it begins: ${head.slice(0, 500)}`, status, outputBytes, millis };
    return { status, outputBytes, millis };
}
