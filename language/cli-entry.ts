// The composition root of the `pciplat` command. bin/pciplat.js runs this on the main thread: it
// starts the command's work (bin/pciplat-worker.js → language/cli-worker.ts, the core's CLI with
// the Langium front end) in a worker thread under a memory ceiling and with a parser-sized stack
// (src/cli/resource-limits.ts), relays its output and exits with its status.
import { runCliInWorker } from '../src/cli/resource-limits.js';

const status = await runCliInWorker(
    new URL('../../bin/pciplat-worker.js', import.meta.url),
    process.argv.slice(2),
    {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        cwd: process.cwd(),
    },
    process.env,
);
// Let stdout drain before exiting (large JSON documents on a pipe).
process.exitCode = status;
