// `npm run fuzz -- --seconds N` (or `--inputs N`): see README's "Fuzzing". Prints progress on
// stderr and the report (JSON) on stdout; exits 1 when it found a failure.
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fuzz } from './fuzz.js';
import { repoRoot } from './repo.js';

const { values } = parseArgs({
    options: {
        seconds: { type: 'string' },
        inputs: { type: 'string' },
        seed: { type: 'string' },
        workers: { type: 'string' },
        'timeout-ms': { type: 'string' },
        'max-output': { type: 'string' },
        out: { type: 'string' },
        'minimize-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
    },
});

const USAGE = `usage: npm run fuzz -- [--seconds N] [--inputs N] [--seed S] [--workers W] [--timeout-ms T] [--max-output BYTES] [--out DIR] [--minimize-seconds M]
  --seconds N         run for N seconds (default 60 unless --inputs is given)
  --inputs N          stop after N inputs
  --seed S            the run's seed (default: from the clock; printed)
  --workers W         worker processes (default: the number of cores)
  --timeout-ms T      an input using more CPU time (ms) is a hang, or 10x that in wall time (default 20000)
  --max-output BYTES  an input printing more is a failure (default 8388608)
  --out DIR           where new failing cases are saved (default test/fixtures/fuzz)
  --minimize-seconds  time left to minimize after the run (default 120)
`;

function int(name: string, value: string | undefined, fallback: number | undefined): number | undefined {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) {
        process.stderr.write(`fuzz: --${name} wants a number, not '${value}'\n${USAGE}`);
        process.exit(2);
    }
    return n;
}

if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
}
const repo = repoRoot();
const inputs = int('inputs', values.inputs, undefined);
const seconds = int('seconds', values.seconds, inputs === undefined ? 60 : undefined);
const seed = int('seed', values.seed, Date.now() % 1_000_000_007)!;
const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
const workers = Math.max(1, int('workers', values.workers, cores)!);
process.stderr.write(`fuzz: seed ${seed}, ${workers} workers, ${seconds !== undefined ? `${seconds} s` : ''}${seconds !== undefined && inputs !== undefined ? ' or ' : ''}${inputs !== undefined ? `${inputs} inputs` : ''}\n`);
const report = await fuzz({
    repo,
    seed,
    inputs,
    seconds,
    workers,
    timeoutMs: int('timeout-ms', values['timeout-ms'], 20_000)!,
    maxOutput: int('max-output', values['max-output'], undefined),
    outDir: path.resolve(values.out ?? path.join(repo, 'test', 'fixtures', 'fuzz')),
    minimizeSeconds: int('minimize-seconds', values['minimize-seconds'], 120),
    log: (line) => process.stderr.write(`${line}\n`),
});
process.stderr.write(
    `fuzz: ${report.inputs} inputs in ${report.seconds.toFixed(0)} s = ${report.perSecond.toFixed(1)} inputs/s (${Math.round(report.perSecond * 3600)}/hour), ${report.cpuMsPerInput.toFixed(1)} ms CPU per input; ` +
        `${report.failures.length} distinct failures (${report.unconfirmed.length} more did not happen again); slowest input ${Math.round(report.slowestMs)} ms; largest output ${report.largestOutputBytes} bytes; workers started ${report.workersStarted}\n`,
);
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
process.exitCode = report.failures.length > 0 ? 1 : 0;
