// `npm run bench:lsp`: latency of the language server over the same stdio path an editor uses.
// For generated platforms of 1k and 10k functions (test/bench/generate-platform.mjs, its SMMU and
// ITS in an imported SoC file; 100k on request: `npm run bench:lsp -- 1000 10000 100000`) it
// starts the compiled server (`bin/pciplat-language-server.js --stdio`, after `tsc -p
// tsconfig.json`), opens the files and measures, with the real engine:
//   - open → first diagnostics, and → first simulation result;
//   - edit → diagnostics (median / p95 over BENCH_EDITS edits, default 10; each edit waits for
//     the previous one's simulation result, as after a pause in typing):
//       * inside a token: a BAR size `1M` <-> `2M`, until the publish of that version (language
//         checks), and until the simulation result of that version arrives;
//       * adding a function: a line with a new root-complex endpoint in the first host bridge
//         (then removed again, not timed);
//       * in the imported SoC file: its SMMU's `stream-id-bits 32` <-> `31`, until the SoC file's
//         own diagnostics of that version, and until the importing platform's next publish;
//   - server memory after opening both files, at rest after their simulation result, above a server that
//     opened a one-line platform, per function: the RSS of the whole server process (relay,
//     server thread, simulation workers), before and after a full GC of the server thread and
//     its idle workers (`pciplat/serverStats` with `collectGarbage`; the server is started with
//     --expose-gc for it), and the server thread's V8 heap after that GC. Beside it Langium's
//     own: the heap a plain Langium parse + link of the same two files takes, with only our
//     grammar's generated services (Langium's default scoping and linking; none of pciplat's
//     document factory, scopes, caches, checks, model or results), measured in this process after
//     a full GC, above the same services after a warm-up parse + link of a 50-function platform;
//     the big file first, as the server reads its imports after it (a plain Langium parser keeps
//     the last parse's tokens until the next one, so these are the small file's; pciplat's lets
//     them go, language/parse-guard.ts `releaseTokens`); the texts count as Langium's (needs
//     --expose-gc, which `npm run bench:lsp` passes). "Ours" is the server thread's heap above
//     the one-line server's minus Langium's own;
//   - typing: three bursts of 10 edits 50 ms apart, the last edit of each → its diagnostics, and
//     how many background lowerings and jobs each burst cost (pciplat/serverStats);
//   - hover and completion (median and p95 over 20 requests each) right after an edit (the
//     request waits for the new text to be parsed and linked) and once the edit's diagnostics
//     are out, while its simulation runs in a worker. A sample counts as "during simulation"
//     when no result for the edited text had arrived when the answer came back. The server
//     prepares a run only once edits pause (simulationQuietMs, 200 ms by default), so most of
//     those come before the run is lowered; a third request per edit waits until the run is
//     under way (`pciplat/serverStats`' `scheduled` went up: lowered and handed to the worker
//     pool, then posted, simulated, its result received), and counts if no result came first;
//   - semantic tokens of the whole document, at rest.
// Prints a Markdown table. Nothing is asserted: the figures are for reading.
//
//   node --expose-gc test/bench/lsp-latency.mjs [functions...]     (default: 1000 10000)
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
/** Node options for the server, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof" to profile it. */
const SERVER_NODE_ARGS = ['--expose-gc', ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
const EDITS = Number(process.env.BENCH_EDITS) > 0 ? Number(process.env.BENCH_EDITS) : 10;
/** BENCH_QUIET_MS: the server's `simulationQuietMs` (server/simulation/quiet.ts); unset: the server's default. */
const QUIET_MS = process.env.BENCH_QUIET_MS !== undefined && process.env.BENCH_QUIET_MS !== '' ? Number(process.env.BENCH_QUIET_MS) : undefined;
const WAIT_MS = 600_000;
/** Hover and completion requests per series (fewer at 100k, where each edit costs seconds). */
const samplesFor = (functions) => (functions >= 50_000 ? 5 : 20);

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
        this.child = spawn(process.execPath, [...SERVER_NODE_ARGS, SERVER, '--stdio'], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
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
            initializationOptions: { systemPciIds: false, ...(QUIET_MS !== undefined ? { simulationQuietMs: QUIET_MS } : {}) },
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

    /**
     * RSS of the process and the server thread's heap, after a full GC of the server thread and its
     * idle workers. Twice, a while apart: right after a GC, V8's heap in use still counts the
     * garbage its concurrent sweeper has not reached yet (tens of MiB after a big run); the second
     * GC has next to nothing new to sweep.
     */
    async collected() {
        await this.connection.sendRequest('pciplat/serverStats', { collectGarbage: true });
        await sleep(1000);
        const stats = await this.connection.sendRequest('pciplat/serverStats', { collectGarbage: true });
        return { rss: this.rss(), heap: stats.memory.collected ? stats.memory.heapUsedBytes : NaN };
    }

    /** Resident memory of the server process in bytes (Linux), or NaN. */
    rss() {
        try {
            const status = fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
            const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
            return kb ? Number(kb[1]) * 1024 : NaN;
        } catch {
            return NaN;
        }
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

/** Applies one change to `doc` ({ text, version }) and sends it; resolves with the edit's version and time. */
async function change(server, uri, doc, start, end, text) {
    const range = { start: positionAt(doc.text, start), end: positionAt(doc.text, end) };
    doc.text = doc.text.slice(0, start) + text + doc.text.slice(end);
    doc.version++;
    const at = performance.now();
    await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: doc.version }, contentChanges: [{ range, text }] });
    return { version: doc.version, at };
}

function positionAt(text, offset) {
    const before = text.slice(0, offset);
    const line = before.split('\n').length - 1;
    return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Waits for the simulation result of an edit, if one comes (a syntax-free edit always simulates). */
async function settle(server, since) {
    await server.result(since).catch(() => undefined);
}

/** RSS of a server that opened a one-line platform, at rest: what the figures are above. */
async function baselineRss() {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-lsp-bench-'));
    const file = path.join(root, 'tiny.pciplat');
    const text = 'platform tiny { arch arm64 }\n';
    fs.writeFileSync(file, text);
    const uri = pathToFileURL(file).href;
    const server = new Server(root);
    try {
        await server.initialize();
        const t = performance.now();
        await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'pciplat', version: 1, text } });
        await server.published(uri, 1, t);
        await settle(server, t);
        await sleep(2000);
        const rss = server.rss();
        return { rss, gc: await server.collected() };
    } finally {
        await server.stop();
        fs.rmSync(root, { recursive: true, force: true });
    }
}

/** This process's heap in use after full GCs, once the concurrent sweeper is done (see Server.collected). */
async function heapAfterGc() {
    globalThis.gc();
    await sleep(500);
    globalThis.gc();
    await sleep(500);
    return process.memoryUsage().heapUsed;
}

/**
 * Langium's own memory for `texts` (uri → text): the heap a plain Langium parse + link of them
 * holds, with our grammar's generated services only (see the file comment), after a full GC.
 */
async function langiumOwnBytes(texts) {
    if (typeof globalThis.gc !== 'function') return NaN;
    const { PciplatGeneratedModule, PciplatGeneratedSharedModule } = await import('../../out/language/generated/module.js');
    const { EmptyFileSystem, URI, inject, createDefaultCoreModule, createDefaultSharedCoreModule } = await import('langium');
    const shared = inject(createDefaultSharedCoreModule(EmptyFileSystem), PciplatGeneratedSharedModule);
    const services = inject(createDefaultCoreModule({ shared }), PciplatGeneratedModule);
    shared.ServiceRegistry.register(services);
    const { LangiumDocumentFactory: factory, LangiumDocuments: documents, DocumentBuilder: builder } = shared.workspace;
    const load = async (entries) => {
        // A fresh copy of each text: the documents' text counts as Langium's too.
        const docs = entries.map(([file, text]) => factory.fromString(Buffer.from(text).toString(), URI.file(file)));
        for (const doc of docs) documents.addDocument(doc);
        await builder.build(docs, { validation: false });
        return docs;
    };
    // The parser's, lexer's and lookahead's one-time state, which the one-line server has too.
    const warm = generatePlatform(50, { soc: true });
    await load([['/warm/big.pciplat', warm.text], ['/warm/soc.pciplat', warm.socText]]);
    const before = await heapAfterGc();
    const docs = await load(Object.entries(texts));
    const bytes = (await heapAfterGc()) - before;
    if (docs.some((doc) => !doc.parseResult.value)) throw new Error('no parse');
    return bytes;
}

async function measure(target, baseline) {
    const { text, socText, functions } = generatePlatform(target, { soc: true });
    const samples = samplesFor(functions);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-lsp-bench-'));
    const file = path.join(root, 'big.pciplat');
    const socFile = path.join(root, 'soc.pciplat');
    fs.writeFileSync(file, text);
    fs.writeFileSync(socFile, socText);
    const uri = pathToFileURL(file).href;
    const socUri = pathToFileURL(socFile).href;
    const langiumBytes = await langiumOwnBytes({ '/bench/big.pciplat': text, '/bench/soc.pciplat': socText });
    const server = new Server(root);
    try {
        await server.initialize();
        const doc = { text, version: 1 };
        const soc = { text: socText, version: 1 };
        let t = performance.now();
        // Opened before the workspace build reads it from disk: the editor's copy wins.
        await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'pciplat', version: doc.version, text } });
        const first = await server.published(uri, 1, t);
        const firstResult = await server.result(t);
        const open = { diagnostics: first.at - t, simulation: firstResult - t };
        if (first.count !== 0) throw new Error(`the generated platform has ${first.count} diagnostics`);
        // The SoC file, opened as an editor does before editing it.
        t = performance.now();
        await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: socUri, languageId: 'pciplat', version: soc.version, text: socText } });
        await server.published(socUri, 1, t);
        await settle(server, t);
        await sleep(2000);
        const rss = server.rss();
        const gc = await server.collected();

        // Inside a token: the first NIC's BAR 0 size (`1M` <-> `2M`, the same length).
        const bar = text.indexOf('size 1M') + 'size '.length;
        const diagnostics = [];
        const simulation = [];
        for (let i = 0; i < EDITS; i++) {
            const e = await change(server, uri, doc, bar, bar + 2, doc.text.slice(bar, bar + 2) === '1M' ? '2M' : '1M');
            const p = await server.published(uri, e.version, e.at);
            const r = await server.result(e.at);
            diagnostics.push(p.at - e.at);
            simulation.push(r - e.at);
        }

        // Adding a function: a new line in the first host bridge, after its msi-map.
        const added = [];
        const anchor = doc.text.indexOf('\n', doc.text.indexOf('msi-map rid 0x0 count 0x10000 -> gits0 0x0')) + 1;
        for (let i = 0; i < EDITS; i++) {
            const line = `    rc-endpoint added${i} at 00:1f.0 vendor 0x8086 device 0x1572 class 0x020000 { bar 0 mem64 prefetch size 1M }\n`;
            const e = await change(server, uri, doc, anchor, anchor, line);
            const p = await server.published(uri, e.version, e.at);
            if (p.count !== 0) throw new Error(`the added function has ${p.count} diagnostics`);
            added.push(p.at - e.at);
            await settle(server, e.at);
            const undo = await change(server, uri, doc, anchor, anchor + line.length, '');
            await server.published(uri, undo.version, undo.at);
            await settle(server, undo.at);
        }

        // In the imported SoC file: the SMMU's StreamID width, `32` <-> `31`.
        const bits = soc.text.indexOf('stream-id-bits 32') + 'stream-id-bits '.length;
        const socOwn = [];
        const importer = [];
        for (let i = 0; i < EDITS; i++) {
            const e = await change(server, socUri, soc, bits, bits + 2, soc.text.slice(bits, bits + 2) === '32' ? '31' : '32');
            const own = await server.published(socUri, e.version, e.at);
            const dependent = await server.waitFor(() => server.publishes.find((p) => p.uri === uri && p.at >= e.at), 'the importing platform\'s diagnostics');
            socOwn.push(own.at - e.at);
            importer.push(dependent.at - e.at);
            await settle(server, e.at);
        }

        // Typing: bursts of BURST edits BURST_GAP_MS apart (inside the BAR size token), each
        // burst's last edit → its diagnostics, and the background lowerings and jobs the burst
        // cost (pciplat/serverStats, from its first edit until the last edit's result).
        const BURST = 10;
        const BURST_GAP_MS = 50;
        const burstLast = [];
        const burstLowerings = [];
        const burstJobs = [];
        for (let b = 0; b < 3; b++) {
            const before = await server.connection.sendRequest('pciplat/serverStats', {});
            let e;
            for (let i = 0; i < BURST; i++) {
                if (i > 0) await sleep(BURST_GAP_MS);
                e = await change(server, uri, doc, bar, bar + 2, doc.text.slice(bar, bar + 2) === '1M' ? '2M' : '1M');
            }
            const p = await server.published(uri, e.version, e.at);
            burstLast.push(p.at - e.at);
            await settle(server, e.at);
            const after = await server.connection.sendRequest('pciplat/serverStats', {});
            burstLowerings.push(after.lowerings - before.lowerings);
            burstJobs.push(after.scheduled - before.scheduled);
        }

        // Hover on a NIC's name; completion of the names `assign` can take in the last domain.
        const hoverAt = positionOf(doc.text, 'endpoint nic0_0_0 ', 'endpoint n'.length);
        const lastAssign = doc.text.lastIndexOf('assign ');
        const completeAt = positionOf(doc.text, 'assign ', 'assign '.length, lastAssign);
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
            const underWay = [];
            let { scheduled } = await server.connection.sendRequest('pciplat/serverStats', {});
            for (let i = 0; i < samples; i++) {
                const e = await change(server, uri, doc, bar, bar + 2, doc.text.slice(bar, bar + 2) === '1M' ? '2M' : '1M');
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
                // Once the run of this version is under way (lowered and handed to the worker
                // pool: `scheduled` went up; being posted, simulated, or its result received).
                // Polled; the polls are requests too, so this series runs slower than the others.
                let stats;
                do stats = await server.connection.sendRequest('pciplat/serverStats', {});
                while (stats.scheduled <= scheduled && !server.results.some((r) => r >= e.at) && (await sleep(5), true));
                scheduled = stats.scheduled;
                const c = await request();
                if (!server.results.some((r) => r >= e.at && r <= c.at)) underWay.push(c.millis);
            }
            if (name === 'hover' && !JSON.stringify(sanity ?? '').includes('endpoint nic0_0_0')) throw new Error('the hover did not show the NIC');
            if (name === 'completion' && !(sanity?.items ?? sanity ?? []).some?.((item) => /^nic/.test(item.label))) throw new Error('the completion did not list NICs');
            rows[name] = { afterEdit, during, duringSamples, underWay, samples };
            // Let the last run finish before the next series.
            await server.result(performance.now()).catch(() => undefined);
        }
        // Semantic tokens of the whole document (what an editor asks for after each edit), at rest.
        const tokens = [];
        for (let i = 0; i < 5; i++) tokens.push((await server.timed('textDocument/semanticTokens/full', { textDocument: { uri } })).millis);
        const memory = { rss, above: rss - baseline.rss, aboveAfterGc: gc.rss - baseline.gc.rss, heap: gc.heap - baseline.gc.heap, langium: langiumBytes };
        return { functions, lines: text.split('\n').length, open, diagnostics, simulation, added, socOwn, importer, burst: { last: burstLast, lowerings: burstLowerings, jobs: burstJobs }, rows, tokens, memory };
    } finally {
        await server.stop();
        fs.rmSync(root, { recursive: true, force: true });
    }
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const results = [];
process.stderr.write('measuring the baseline server…\n');
const baseline = await baselineRss();
for (const size of sizes.length > 0 ? sizes : [1_000, 10_000]) {
    process.stderr.write(`measuring ${size} functions…\n`);
    results.push(await measure(size, baseline));
}

console.log(`Language server latency over stdio (${os.cpus().length} cores, Node ${process.versions.node}, load average ${os.loadavg()[0].toFixed(1)}${QUIET_MS !== undefined ? `, simulationQuietMs ${QUIET_MS}` : ''}); median / p95 over ${EDITS} edits and ${results.map((r) => r.rows.hover.samples).join(' / ')} requests.`);
console.log('');
console.log(`| | ${results.map((r) => `${r.functions} functions (${r.lines} lines)`).join(' | ')} |`);
console.log(`|---|${results.map(() => '---:').join('|')}|`);
const row = (label, cell) => console.log(`| ${label} | ${results.map(cell).join(' | ')} |`);
row('open → diagnostics', (r) => ms(r.open.diagnostics));
row('open → first simulation result', (r) => ms(r.open.simulation));
row('edit inside a token (BAR size) → diagnostics of that version', (r) => stat(r.diagnostics));
row('edit inside a token (BAR size) → its simulation result', (r) => stat(r.simulation));
row('edit adding a function → diagnostics of that version', (r) => stat(r.added));
row('edit in the imported SoC file → its own diagnostics', (r) => stat(r.socOwn));
row('edit in the imported SoC file → the importing platform\'s diagnostics', (r) => stat(r.importer));
row('typing: 10 edits 50 ms apart → diagnostics of the last (3 bursts)', (r) => stat(r.burst.last));
row('typing: background lowerings / jobs per burst of 10 edits', (r) => `${r.burst.lowerings.join(', ')} / ${r.burst.jobs.join(', ')}`);
row('hover right after an edit (waits for parse + link)', (r) => stat(r.rows.hover.afterEdit));
row('hover while the simulation runs', (r) => `${stat(r.rows.hover.during)} (${r.rows.hover.duringSamples}/${r.rows.hover.samples})`);
row('hover once the run of the edit is under way (lowered and handed to the pool, no result yet)', (r) => `${stat(r.rows.hover.underWay)} (${r.rows.hover.underWay.length}/${r.rows.hover.samples})`);
row('completion right after an edit (waits for parse + link)', (r) => stat(r.rows.completion.afterEdit));
row('completion while the simulation runs', (r) => `${stat(r.rows.completion.during)} (${r.rows.completion.duringSamples}/${r.rows.completion.samples})`);
row('completion once the run of the edit is under way (lowered and handed to the pool, no result yet)', (r) => `${stat(r.rows.completion.underWay)} (${r.rows.completion.underWay.length}/${r.rows.completion.samples})`);
row('semantic tokens, whole document (5 requests)', (r) => stat(r.tokens));
const kib = (bytes) => (Number.isNaN(bytes) ? '—' : `${(bytes / 1024).toFixed(1)} KiB`);
const mib = (bytes) => (Number.isNaN(bytes) ? '—' : `${Math.round(bytes / 1048576)} MiB`);
row('server memory after opening (RSS above a one-line platform\'s)', (r) => `${mib(r.memory.above)} (${kib(r.memory.above / r.functions)} per function)`);
row('the same after a full GC of the server thread and its idle workers', (r) => `${mib(r.memory.aboveAfterGc)} (${kib(r.memory.aboveAfterGc / r.functions)} per function)`);
row('server thread heap after that GC, above a one-line platform\'s', (r) => `${mib(r.memory.heap)} (${kib(r.memory.heap / r.functions)} per function)`);
row('Langium\'s own: plain parse + link of the two files (heap)', (r) => `${mib(r.memory.langium)} (${kib(r.memory.langium / r.functions)} per function)`);
row('ours: server thread heap above Langium\'s own, per function', (r) => kib((r.memory.heap - r.memory.langium) / r.functions));
