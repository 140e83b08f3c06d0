// `npm run bench:lsp`: latency of the language server over the same stdio path an editor uses.
// For generated platforms of 1k and 10k functions (test/bench/generate-platform.mjs) it starts
// the compiled server (`bin/pciplat-language-server.js --stdio`, after `tsc -p tsconfig.json`),
// opens the file and measures, with the real engine:
//   - open → first diagnostics, and → first simulation result;
//   - edit → diagnostics: a BAR size is edited (incremental change), until the publish of that
//     version (language checks), and until the simulation result of that version arrives;
//   - hover and completion (median and p95 over 20 requests each) right after an edit (the
//     request waits for the new text to be parsed and linked) and once the edit's diagnostics
//     are out, while its simulation runs in a worker. A sample counts as "during simulation"
//     when no result for the edited text had arrived when the answer came back;
//   - semantic tokens of the whole document, at rest.
// Prints a Markdown table. Nothing is asserted: the figures are for reading.
//
//   node test/bench/lsp-latency.mjs [functions...]     (default: 1000 10000)
import '../../language/polyfill.mjs';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import rpc from 'vscode-languageserver-protocol/node';
import { generatePlatform } from './generate-platform.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVER = path.join(REPO, 'bin', 'pciplat-language-server.js');
const SAMPLES = 20;
const EDITS = 5;
const WAIT_MS = 300_000;

if (!fs.existsSync(path.join(REPO, 'out', 'server', 'main.js'))) {
    console.error('compile the server first: npx tsc -p tsconfig.json');
    process.exit(1);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function quantile(values, q) {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

const ms = (v) => (Number.isNaN(v) ? '—' : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);
const stat = (values) => `${ms(quantile(values, 0.5))} / ${ms(quantile(values, 0.95))}`;

/** Position (line, character) of `needle` + `offset` in `text`. */
function positionOf(text, needle, offset = 0, from = 0) {
    const index = text.indexOf(needle, from);
    if (index < 0) throw new Error(`'${needle}' not in the generated text`);
    const before = text.slice(0, index + offset);
    const line = before.split('\n').length - 1;
    return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
}

class Server {
    constructor(root) {
        this.child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
        this.child.stderr.on('data', () => undefined);
        this.connection = rpc.createProtocolConnection(new rpc.StreamMessageReader(this.child.stdout), new rpc.StreamMessageWriter(this.child.stdin));
        /** uri → [{ version, at }] */
        this.publishes = [];
        /** Arrival times of the refresh requests the server sends after each new result. */
        this.results = [];
        this.waiters = [];
        this.connection.onNotification('textDocument/publishDiagnostics', (p) => {
            this.publishes.push({ uri: p.uri, version: p.version, count: p.diagnostics.length, at: performance.now() });
            this.wake();
        });
        this.connection.onRequest('workspace/codeLens/refresh', () => {
            this.results.push(performance.now());
            this.wake();
            return null;
        });
        this.connection.onRequest('client/registerCapability', () => null);
        this.connection.onRequest('workspace/configuration', (p) => p.items.map(() => null));
        this.connection.onNotification('window/logMessage', () => undefined);
        this.connection.listen();
        this.root = root;
    }

    wake() {
        for (const w of this.waiters.splice(0)) w();
    }

    waitFor(probe, what) {
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS);
            const loop = () => {
                const v = probe();
                if (v !== undefined) {
                    clearTimeout(timer);
                    resolve(v);
                } else this.waiters.push(loop);
            };
            loop();
        });
    }

    async initialize() {
        await this.connection.sendRequest('initialize', {
            processId: process.pid,
            rootUri: pathToFileURL(this.root).href,
            workspaceFolders: [{ uri: pathToFileURL(this.root).href, name: 'bench' }],
            initializationOptions: { systemPciIds: false },
            capabilities: {
                workspace: { codeLens: { refreshSupport: true } },
                textDocument: { publishDiagnostics: { versionSupport: true }, hover: { contentFormat: ['markdown'] } },
            },
        });
        await this.connection.sendNotification('initialized', {});
    }

    async timed(method, params) {
        const t = performance.now();
        const result = await this.connection.sendRequest(method, params);
        return { result, at: performance.now(), millis: performance.now() - t };
    }

    /** Resolves at the first publish for `uri` with `version` after `since`. */
    published(uri, version, since) {
        return this.waitFor(() => this.publishes.find((p) => p.uri === uri && p.version === version && p.at >= since), `diagnostics of version ${version}`);
    }

    /** Resolves at the first simulation result after `since`. */
    result(since) {
        return this.waitFor(() => this.results.find((t) => t >= since), 'a simulation result');
    }

    async stop() {
        try {
            await Promise.race([this.connection.sendRequest('shutdown'), sleep(3000)]);
            await this.connection.sendNotification('exit');
        } catch {
            // killed below
        }
        await Promise.race([new Promise((r) => this.child.once('exit', r)), sleep(3000)]);
        if (this.child.exitCode === null) this.child.kill('SIGKILL');
        this.connection.dispose();
    }
}

async function measure(target) {
    const { text, functions } = generatePlatform(target);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-lsp-bench-'));
    const file = path.join(root, 'big.pciplat');
    fs.writeFileSync(file, text);
    const uri = pathToFileURL(file).href;
    const server = new Server(root);
    try {
        await server.initialize();
        let version = 1;
        let t = performance.now();
        // Opened before the workspace build reads it from disk: the editor's copy wins.
        await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'pciplat', version, text } });
        const first = await server.published(uri, 1, t);
        const firstResult = await server.result(t);
        const open = { diagnostics: first.at - t, simulation: firstResult - t };

        // The edited BAR: the first NIC's BAR 0 size (`1M` <-> `2M`, the same length).
        const barPos = positionOf(text, 'size 1M', 'size '.length);
        const barRange = { start: barPos, end: { line: barPos.line, character: barPos.character + 2 } };
        let size = '1M';
        const edit = async () => {
            size = size === '1M' ? '2M' : '1M';
            version++;
            const at = performance.now();
            await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: barRange, text: size }] });
            return { version, at };
        };

        const diagnostics = [];
        const simulation = [];
        for (let i = 0; i < EDITS; i++) {
            const e = await edit();
            const p = await server.published(uri, e.version, e.at);
            const r = await server.result(e.at);
            diagnostics.push(p.at - e.at);
            simulation.push(r - e.at);
        }

        // Hover on a NIC's name; completion of the names `assign` can take in the last domain.
        const hoverAt = positionOf(text, 'endpoint nic0_0_0 ', 'endpoint n'.length);
        const lastAssign = text.lastIndexOf('assign ');
        const completeAt = positionOf(text, 'assign ', 'assign '.length, lastAssign);
        const requests = {
            hover: () => server.timed('textDocument/hover', { textDocument: { uri }, position: hoverAt }),
            completion: () => server.timed('textDocument/completion', { textDocument: { uri }, position: completeAt }),
        };
        const rows = {};
        for (const [name, request] of Object.entries(requests)) {
            const afterEdit = [];
            const during = [];
            let duringSamples = 0;
            let sanity;
            for (let i = 0; i < SAMPLES; i++) {
                const e = await edit();
                const a = await request();
                afterEdit.push(a.millis);
                await server.published(uri, e.version, e.at);
                const b = await request();
                // During the simulation of this version: no result arrived before the answer.
                if (!server.results.some((r) => r >= e.at && r <= b.at)) {
                    during.push(b.millis);
                    duringSamples++;
                }
                sanity = b.result;
            }
            if (name === 'hover' && !JSON.stringify(sanity ?? '').includes('endpoint nic0_0_0')) throw new Error('the hover did not show the NIC');
            if (name === 'completion' && !(sanity?.items ?? sanity ?? []).some?.((item) => /^nic/.test(item.label))) throw new Error('the completion did not list NICs');
            rows[name] = { afterEdit, during, duringSamples };
            // Let the last run finish before the next series.
            await server.result(performance.now()).catch(() => undefined);
        }
        // Semantic tokens of the whole document (what an editor asks for after each edit), at rest.
        const tokens = [];
        for (let i = 0; i < 5; i++) tokens.push((await server.timed('textDocument/semanticTokens/full', { textDocument: { uri } })).millis);
        return { functions, lines: text.split('\n').length, open, diagnostics, simulation, rows, tokens };
    } finally {
        await server.stop();
        fs.rmSync(root, { recursive: true, force: true });
    }
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const results = [];
for (const size of sizes.length > 0 ? sizes : [1_000, 10_000]) {
    process.stderr.write(`measuring ${size} functions…\n`);
    results.push(await measure(size));
}

console.log(`Language server latency over stdio (${os.cpus().length} cores, Node ${process.versions.node}); median / p95 over ${SAMPLES} requests, ${EDITS} edits.`);
console.log('');
console.log(`| | ${results.map((r) => `${r.functions} functions (${r.lines} lines)`).join(' | ')} |`);
console.log(`|---|${results.map(() => '---:').join('|')}|`);
const row = (label, cell) => console.log(`| ${label} | ${results.map(cell).join(' | ')} |`);
row('open → diagnostics', (r) => ms(r.open.diagnostics));
row('open → first simulation result', (r) => ms(r.open.simulation));
row('edit BAR size → diagnostics of that version', (r) => stat(r.diagnostics));
row('edit BAR size → its simulation result', (r) => stat(r.simulation));
row('hover right after an edit (waits for parse + link)', (r) => stat(r.rows.hover.afterEdit));
row('hover while the simulation runs', (r) => `${stat(r.rows.hover.during)} (${r.rows.hover.duringSamples}/${SAMPLES})`);
row('completion right after an edit (waits for parse + link)', (r) => stat(r.rows.completion.afterEdit));
row('completion while the simulation runs', (r) => `${stat(r.rows.completion.during)} (${r.rows.completion.duringSamples}/${SAMPLES})`);
row('semantic tokens, whole document (5 requests)', (r) => stat(r.tokens));
