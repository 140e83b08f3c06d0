// The composition root of the `pciplat` command: the core's CLI (src/cli, editor-independent)
// with the Langium front end as its loader. bin/pciplat.js loads the polyfill, then this.
import { runCli } from '../src/cli/main.js';
import { loadWithLangium } from './workspace/loader.js';

const status = await runCli(
    process.argv.slice(2),
    {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        cwd: process.cwd(),
    },
    loadWithLangium,
);
// Let stdout drain before exiting (large JSON documents on a pipe).
process.exitCode = status;
