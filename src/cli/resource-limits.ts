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
