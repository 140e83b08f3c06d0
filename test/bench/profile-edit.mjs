// One edit at N functions through the language server's own services (parse, link, index,
// validate: what runs on the server thread before the edit's diagnostics), in-process, so that
// `node --cpu-prof` profiles it alone:
//
//   node --cpu-prof --cpu-prof-dir=prof test/bench/profile-edit.mjs 10000 [edits]
//
// Prints the milliseconds of each edit (wall clock and this process's CPU time, which a busy
// machine inflates less), then of validating the document alone, VALIDATIONS times. Uses the
// compiled project (out/).
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
const edits = Number(process.argv[3] ?? 5);
const { text } = generatePlatform(target);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-profile-'));
const file = path.join(dir, 'big.pciplat');
fs.writeFileSync(file, text);
const uri = URI.file(file);

const { shared } = createPciplatLspServices({ ...NodeFileSystem }, new ServerContext());
const textDocuments = shared.workspace.TextDocuments;
let version = 1;
let current = TextDocument.create(uri.toString(), 'pciplat', version, text);
textDocuments.set(current);
const document = await shared.workspace.LangiumDocuments.getOrCreateDocument(uri);
let t = performance.now();
await shared.workspace.DocumentBuilder.build([document], { validation: true });
console.log(`open: ${Math.round(performance.now() - t)} ms, ${document.diagnostics?.length ?? 0} diagnostics`);

// The BAR size edit of bench:lsp: `1M` <-> `2M` inside one token.
const at = text.indexOf('size 1M') + 'size '.length;
for (let i = 0; i < edits; i++) {
    const size = i % 2 === 0 ? '2M' : '1M';
    const start = current.positionAt(at);
    current = TextDocument.update(current, [{ range: { start, end: { line: start.line, character: start.character + 2 } }, text: size }], ++version);
    textDocuments.set(current);
    t = performance.now();
    const cpu = process.cpuUsage();
    await shared.workspace.DocumentBuilder.update([uri], []);
    const doc = shared.workspace.LangiumDocuments.getDocument(uri);
    console.log(`edit ${i + 1}: ${Math.round(performance.now() - t)} ms (CPU ${cpuMs(cpu)} ms), ${doc?.diagnostics?.length ?? 0} diagnostics`);
}

// The language checks alone, as the builder runs them after an edit.
const validator = shared.ServiceRegistry.getServices(uri).validation.DocumentValidator;
const validations = [];
for (let i = 0; i < Number(process.env.VALIDATIONS ?? 10); i++) {
    const cpu = process.cpuUsage();
    await validator.validateDocument(shared.workspace.LangiumDocuments.getDocument(uri), { categories: ['built-in', 'fast'] });
    validations.push(Number(cpuMs(cpu)));
}
validations.sort((a, b) => a - b);
console.log(`validation alone: median CPU ${validations[Math.floor(validations.length / 2)]} ms, min ${validations[0]} ms`);

function cpuMs(since) {
    const used = process.cpuUsage(since);
    return ((used.user + used.system) / 1000).toFixed(0);
}
fs.rmSync(dir, { recursive: true, force: true });
