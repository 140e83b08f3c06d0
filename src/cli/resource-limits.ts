// The CLI's work (load, check, simulate, format) runs in a worker thread under resource limits,
// so that exhaustion is a coded failure with exit status 2 and never a V8 abort (exit 134 and a
// native stack trace, issue 15 bug 7). The main thread only starts the worker, relays its output
// and reports how it ended; it never loads the parser or the engine.
//
// - Memory: the worker's V8 heap is capped at PCIPLAT_MAX_MEMORY_MB (default DEFAULT_MEMORY_MB);
//   when a run needs more, Node stops the worker (ERR_WORKER_OUT_OF_MEMORY) and the CLI reports
//   CLI-OUT-OF-MEMORY.
// - Stack: the worker's thread gets PARSE_STACK_MB of stack, room for the parser's deepest legal
//   nesting in a fresh process (language/parse-guard.ts MAX_NESTING).
// - A process boundary: the worker's ceiling is not enough alone. Node stops a worker at its
//   ceiling by giving it 16 MiB of extra heap while the termination takes effect; one allocation
//   larger than that near the ceiling (a big string, a big array or Map's new backing store) makes
//   V8 abort the whole process instead ("FATAL ERROR: Reached heap limit", SIGABRT, exit 134,
//   a native stack trace). So the command runs as a supervised child process (superviseCli):
//   the parent, which allocates next to nothing, turns such an abort into CLI-OUT-OF-MEMORY.
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { CliIo } from './main.js';

/** Default ceiling of the CLI's heap in MiB (docs/cli.md). */
export const DEFAULT_MEMORY_MB = 4096;
/** The environment variable that sets another ceiling (whole MiB, at least MIN_MEMORY_MB). */
export const MEMORY_ENV = 'PCIPLAT_MAX_MEMORY_MB';
export const MIN_MEMORY_MB = 1;
/** Stack of the thread that parses, in MiB (about 4 KB per nested block in a fresh process). */
export const PARSE_STACK_MB = 16;

/** What the worker posts to the main thread. */
export type CliWorkerMessage = { stdout: string } | { stderr: string } | { status: number };

/** The data the worker starts with. */
export interface CliWorkerData {
    argv: string[];
    cwd: string;
}

/** The memory ceiling in MiB from the environment, or a one-line reason it is unusable. */
export function memoryCeiling(env: NodeJS.ProcessEnv): { mb: number } | { error: string } {
    const text = env[MEMORY_ENV];
    if (text === undefined || text === '') return { mb: DEFAULT_MEMORY_MB };
    if (!/^\d+$/.test(text) || Number(text) < MIN_MEMORY_MB) return { error: `${MEMORY_ENV}=${text} is not a whole number of MiB (at least ${MIN_MEMORY_MB})` };
    return { mb: Number(text) };
}

export function outOfMemoryLine(mb: number): string {
    return `pciplat: out of memory: the command needed more than its ${mb} MiB heap ceiling and was stopped; nothing was reported (CLI-OUT-OF-MEMORY). Split the input with \`import\`, or raise the ceiling with ${MEMORY_ENV}.\n`;
}

/**
 * Runs the CLI in the worker at `workerUrl` under the ceiling and returns its exit status; the
 * worker's output reaches `io` in order. Exhaustion and any other death of the worker are one
 * line on stderr and status 2.
 */
export function runCliInWorker(workerUrl: URL, argv: string[], io: CliIo, env: NodeJS.ProcessEnv): Promise<number> {
    const ceiling = memoryCeiling(env);
    if ('error' in ceiling) {
        io.stderr(`pciplat: ${ceiling.error}\n`);
        return Promise.resolve(2);
    }
    return new Promise((resolve) => {
        let status: number | undefined;
        let failure: string | undefined;
        const data: CliWorkerData = { argv, cwd: io.cwd };
        const worker = new Worker(workerUrl, {
            workerData: data,
            resourceLimits: { maxOldGenerationSizeMb: ceiling.mb, stackSizeMb: PARSE_STACK_MB },
            // The worker talks through messages only; its own stdio is not the command's output.
            stdout: true,
            stderr: true,
        });
        worker.stdout.resume();
        worker.stderr.resume();
        worker.on('message', (message: CliWorkerMessage) => {
            if ('stdout' in message) io.stdout(message.stdout);
            else if ('stderr' in message) io.stderr(message.stderr);
            else status = message.status;
        });
        worker.on('error', (error: Error & { code?: string }) => {
            failure = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? outOfMemoryLine(ceiling.mb) : `pciplat: internal error: ${(error.message || error.name).split('\n')[0]}\n`;
        });
        worker.on('exit', () => {
            if (failure !== undefined || status === undefined) {
                io.stderr(failure ?? 'pciplat: internal error: the command stopped without an exit status\n');
                resolve(2);
            } else resolve(status);
        });
    });
}

/** Set in the child process superviseCli starts, so that the child runs the worker itself. */
export const SUPERVISED_ENV = 'PCIPLAT_SUPERVISED';

/** Where V8's report of a fatal error begins in a process's stderr. */
const FATAL_START = /^(<--- Last few GCs --->|<--- JS stacktrace --->|FATAL ERROR:|#\s*Fatal |----- Native stack trace -----)/m;

/**
 * Runs `script` (the `pciplat` command itself) with `argv` in a child process whose stdout is the
 * command's and whose stderr is relayed until V8 starts a fatal report; returns the exit status.
 * A child that V8 aborted for heap exhaustion gives CLI-OUT-OF-MEMORY's line and status 2, any
 * other death by a signal one internal-error line and status 2: never V8's native stack trace.
 */
export function superviseCli(script: string, argv: string[], io: Pick<CliIo, 'stderr'>, env: NodeJS.ProcessEnv): Promise<number> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [...process.execArgv, script, ...argv], { stdio: ['inherit', 'inherit', 'pipe'], env: { ...env, [SUPERVISED_ENV]: '1' } });
        // Complete lines are relayed as they come; from V8's fatal report on, nothing is.
        let pending = '';
        let held: string | undefined;
        child.stderr!.setEncoding('utf8');
        child.stderr!.on('data', (chunk: string) => {
            if (held !== undefined) {
                if (held.length < 64 * 1024) held += chunk;
                return;
            }
            pending += chunk;
            const fatal = FATAL_START.exec(pending);
            if (fatal) {
                // V8 may write its report in the middle of a line another thread was writing.
                const start = pending.lastIndexOf('\n', fatal.index) + 1;
                // The blank lines V8 starts its report with are its own.
                if (pending.slice(0, start).trim() !== '') io.stderr(pending.slice(0, start).replace(/\n\s*$/, '\n'));
                held = pending.slice(start);
                pending = '';
                return;
            }
            // Complete lines up to the last one with text (blank ones wait: they may open V8's report).
            const end = /\S[^\n]*\n(?=\s*$)/.test(pending) ? pending.search(/\n\s*$/) + 1 : 0;
            if (end > 0) {
                io.stderr(pending.slice(0, end));
                pending = pending.slice(end);
            }
        });
        child.on('error', (error) => {
            io.stderr(`pciplat: internal error: cannot start the command's process: ${error.message}\n`);
            resolve(2);
        });
        child.on('close', (code, signal) => {
            const aborted = signal !== null || code === 134;
            if (!aborted && held === undefined) {
                if (pending !== '') io.stderr(pending);
                resolve(code ?? 2);
                return;
            }
            if (held !== undefined && /heap limit|heap out of memory|Allocation failed|Out of memory|OOM/i.test(held)) {
                const ceiling = memoryCeiling(env);
                io.stderr('mb' in ceiling ? outOfMemoryLine(ceiling.mb) : `pciplat: ${ceiling.error}\n`);
            } else {
                io.stderr(`pciplat: internal error: the command's process ended ${signal !== null ? `with signal ${signal}` : `with status ${code}`}${held !== undefined ? ` (${held.split('\n').find((l) => l.trim() !== '' && !l.startsWith('<---'))?.trim().slice(0, 200) ?? 'a fatal error'})` : ''}\n`);
            }
            resolve(2);
        });
    });
}
