// `npm run bench`: parse, lowering and simulation time and peak memory for generated platforms
// of 1k, 10k and 100k functions (SR-IOV VFs included). Each size runs in a fresh process so the
// peak RSS is its own. Prints a Markdown table (the README keeps the latest figures).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const measure = fileURLToPath(new URL('./measure.mjs', import.meta.url));
const rows = [];
for (const size of sizes.length > 0 ? sizes : [1_000, 10_000, 100_000]) {
    const out = execFileSync(process.execPath, ['--max-old-space-size=8192', measure, String(size)], { encoding: 'utf8' });
    rows.push(JSON.parse(out));
}
console.log('| functions | lines | names / references | parse + link + checks | lowering | simulation | peak RSS |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
    console.log(`| ${r.functions} | ${r.lines} | ${r.names} / ${r.references} | ${r.parseMs} ms | ${r.lowerMs} ms | ${r.simulateMs} ms | ${r.peakMiB} MiB |`);
}
