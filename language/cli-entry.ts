// The composition root of the `pciplat` command. bin/pciplat.js runs this on the main thread: it
// starts the command's work (bin/pciplat-worker.js → language/cli-worker.ts, the core's CLI with
// the Langium front end) in a worker thread under a memory ceiling and with a parser-sized stack
// (src/cli/resource-limits.ts), relays its output and exits with its status. That runs in a
// child process of the command (superviseCli), so that even V8 aborting the process for heap
// exhaustion ends as CLI-OUT-OF-MEMORY with status 2.
import { fileURLToPath } from 'node:url';
import { runCliInWorker, superviseCli, SUPERVISED_ENV } from '../src/cli/resource-limits.js';

const io = {
    stdout: (text: string) => process.stdout.write(text),
    stderr: (text: string) => process.stderr.write(text),
    cwd: process.cwd(),
};
const status =
    process.env[SUPERVISED_ENV] === '1'
        ? await runCliInWorker(new URL('../../bin/pciplat-worker.js', import.meta.url), process.argv.slice(2), io, process.env)
        : await superviseCli(fileURLToPath(new URL('../../bin/pciplat.js', import.meta.url)), process.argv.slice(2), io, process.env);
// Let stdout drain before exiting (large JSON documents on a pipe).
process.exitCode = status;
