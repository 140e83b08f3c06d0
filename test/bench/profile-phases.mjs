// Where an edit's time goes, phase by phase, through the language server's own services
// in-process (the generated platform with its SoC file, as bench:lsp edits it):
//
//   node test/bench/profile-phases.mjs 10000 [edits]
//
// For each kind of edit (inside a token, adding a function, in the imported SoC file) prints the
// median milliseconds of each builder phase (wall clock) and of the whole update (wall clock, and
// this process's CPU time, which a busy machine inflates less). Uses the compiled project (out/).
import '../../language/polyfill.mjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { generatePlatform } from './generate-platform.mjs';

const { createPciplatLspServices } = await import('../../out/server/services.js');
const { ServerContext } = await import('../../out/server/context.js');

const target = Number(process.argv[2] ?? 10_000);
const edits = Number(process.argv[3] ?? 10);
const { text, socText } = generatePlatform(target, { soc: true });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-phases-'));
const file = path.join(dir, 'big.pciplat');
const socFile = path.join(dir, 'soc.pciplat');
fs.writeFileSync(file, text);
fs.writeFileSync(socFile, socText);
const uri = URI.file(file);
const socUri = URI.file(socFile);

const { shared, Pciplat } = createPciplatLspServices({ ...NodeFileSystem }, new ServerContext());
const workspace = shared.workspace;
const times = new Map();
const add = (name, ms) => times.set(name, (times.get(name) ?? 0) + ms);
function wrap(object, method, name) {
    const original = object[method].bind(object);
    object[method] = (...args) => {
        const t = performance.now();
        const r = original(...args);
        if (r && typeof r.then === 'function') return r.finally(() => add(name, performance.now() - t));
        add(name, performance.now() - t);
        return r;
    };
}
wrap(workspace.LangiumDocumentFactory, 'update', 'parse');
wrap(workspace.IndexManager, 'updateContent', 'exports');
wrap(workspace.IndexManager, 'isAffected', 'isAffected');
wrap(Pciplat.references.ScopeComputation, 'collectLocalSymbols', 'local scopes');
wrap(Pciplat.references.Linker, 'unlink', 'unlink');
wrap(Pciplat.references.Linker, 'link', 'link');
wrap(workspace.IndexManager, 'updateReferences', 'reference index');
wrap(Pciplat.validation.DocumentValidator, 'validateDocument', 'validation');

const docs = new Map();
function open(u, t) {
    const d = TextDocument.create(u.toString(), 'pciplat', 1, t);
    workspace.TextDocuments.set(d);
    docs.set(u.toString(), d);
}
open(uri, text);
open(socUri, socText);
const main = await workspace.LangiumDocuments.getOrCreateDocument(uri);
const soc = await workspace.LangiumDocuments.getOrCreateDocument(socUri);
let t = performance.now();
await workspace.DocumentBuilder.build([main, soc], { validation: true });
console.log(`open: ${Math.round(performance.now() - t)} ms, ${main.diagnostics?.length} + ${soc.diagnostics?.length} diagnostics`);

async function edit(u, start, end, insert) {
    const key = u.toString();
    const before = docs.get(key);
    const range = { start: before.positionAt(start), end: before.positionAt(end) };
    const after = TextDocument.update(before, [{ range, text: insert }], before.version + 1);
    workspace.TextDocuments.set(after);
    docs.set(key, after);
    times.clear();
    const t0 = performance.now();
    const cpu = process.cpuUsage();
    await workspace.DocumentBuilder.update([u], []);
    const total = performance.now() - t0;
    const used = process.cpuUsage(cpu);
    const phases = Object.fromEntries(times);
    return { total, cpu: (used.user + used.system) / 1000, phases, reparse: workspace.LangiumDocumentFactory.lastReparse };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function report(label, runs) {
    const names = [...new Set(runs.flatMap((r) => Object.keys(r.phases)))];
    const parts = names.map((n) => `${n} ${median(runs.map((r) => r.phases[n] ?? 0)).toFixed(1)}`);
    const kinds = [...new Set(runs.map((r) => r.reparse))].join('/');
    console.log(`${label}: total ${median(runs.map((r) => r.total)).toFixed(1)} ms, CPU ${median(runs.map((r) => r.cpu)).toFixed(1)} ms (${kinds}); ${parts.join(', ')}`);
}

const bar = text.indexOf('size 1M') + 'size '.length;
const token = [];
for (let i = 0; i < edits; i++) {
    const current = docs.get(uri.toString()).getText();
    token.push(await edit(uri, bar, bar + 2, current.slice(bar, bar + 2) === '1M' ? '2M' : '1M'));
}
report('inside a token', token);

const added = [];
const anchor = text.indexOf('\n', text.indexOf('msi-map rid 0x0 count 0x10000 -> gits0 0x0')) + 1;
for (let i = 0; i < edits; i++) {
    const line = `    rc-endpoint added${i} at 00:1f.0 vendor 0x8086 device 0x1572 class 0x020000 { bar 0 mem64 prefetch size 1M }\n`;
    added.push(await edit(uri, anchor, anchor, line));
    await edit(uri, anchor, anchor + line.length, '');
}
report('adding a function', added);

const bits = socText.indexOf('stream-id-bits 32') + 'stream-id-bits '.length;
const inSoc = [];
for (let i = 0; i < edits; i++) {
    const current = docs.get(socUri.toString()).getText();
    inSoc.push(await edit(socUri, bits, bits + 2, current.slice(bits, bits + 2) === '32' ? '31' : '32'));
}
report('in the SoC file', inSoc);
console.log(`diagnostics: ${main.diagnostics?.length} + ${soc.diagnostics?.length}`);
fs.rmSync(dir, { recursive: true, force: true });
