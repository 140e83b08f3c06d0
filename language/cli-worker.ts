// The `pciplat` command's work, in the worker thread that src/cli/resource-limits.ts starts under
// a memory ceiling and a large stack: the core's CLI with the Langium front end as its loader.
// Output and the exit status go to the main thread as messages.
import { parentPort, workerData } from 'node:worker_threads';
import { runCli } from '../src/cli/main.js';
import type { CliWorkerData, CliWorkerMessage } from '../src/cli/resource-limits.js';
import { loadWithLangium } from './workspace/loader.js';

const data = workerData as CliWorkerData;
const post = (message: CliWorkerMessage) => parentPort!.postMessage(message);

const status = await runCli(data.argv, { stdout: (text) => post({ stdout: text }), stderr: (text) => post({ stderr: text }), cwd: data.cwd }, loadWithLangium);
post({ status });
