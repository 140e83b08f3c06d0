// One benchmark size, in its own process (see run.mjs). Uses the compiled project (out/).
import '../../language/polyfill.mjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EmptyFileSystem } from 'langium';
import { generatePlatform } from './generate-platform.mjs';

const { createPciplatServices } = await import('../../out/language/pciplat-module.js');
const { loadAndBuild } = await import('../../out/language/workspace/load.js');
const { lowerModel } = await import('../../out/language/lower/lower-platform.js');
const { simulate } = await import('../../out/src/engine/simulate.js');

const target = Number(process.argv[2]);
const { text, functions, names, references } = generatePlatform(target);
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-bench-')), 'big.pciplat');
fs.writeFileSync(file, text);

let t = performance.now();
const { roots } = await loadAndBuild([file], createPciplatServices(EmptyFileSystem));
const parseMs = performance.now() - t;
const errors = (roots[0].diagnostics ?? []).filter((d) => d.severity === 1);
if (errors.length > 0) throw new Error(`generated platform has errors: ${errors[0].message}`);

t = performance.now();
const [platform] = lowerModel(roots[0].parseResult.value);
const lowerMs = performance.now() - t;

t = performance.now();
const result = simulate(platform);
const simulateMs = performance.now() - t;

process.stdout.write(JSON.stringify({
    functions,
    names,
    references,
    simulatedFunctions: result.functions.length,
    findings: result.findings.length,
    lines: text.split('\n').length,
    parseMs: Math.round(parseMs),
    lowerMs: Math.round(lowerMs),
    simulateMs: Math.round(simulateMs),
    peakMiB: Math.round(process.resourceUsage().maxRSS / 1024),
}));
