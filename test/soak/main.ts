// `npm run soak -- --edits N`: the real language server over stdio (the tests' LSP client),
// thousands of random incremental edits of an example with random requests in between, then
// three checks: the diagnostics equal what `pciplat check` says about the final text (for text
// that does not parse: its language findings plus the simulation findings of the last text
// that parsed, see docs/language-server.md), no request took over --max-request-ms (1000), and
// the server's RSS after the run is within --rss-growth (10 %) of its RSS after the first full
// simulation. Prints the figures; exits 1 when a check fails.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Random } from '../fuzz/random.js';
import { grammarKeywords, repoRoot } from '../fuzz/repo.js';
import type { ServerStatsParams, ServerStatsResult } from '../../server/protocol.js';
import { fileUri, TestClient, WAIT } from '../server/lsp-client.js';
import { cliView, difference, sameSet, serverView, type CliView } from './compare.js';
import { Editor, positionAt } from './edits.js';
import { serverProcessEnv } from '../../server/process-env.js';

const { values } = parseArgs({
    options: {
        edits: { type: 'string', default: '2000' },
        seed: { type: 'string', default: '1' },
        file: { type: 'string', default: 'examples/arm-server.pciplat' },
        'max-request-ms': { type: 'string', default: '1000' },
        'rss-growth': { type: 'string', default: '0.10' },
        'request-rate': { type: 'string', default: '0.3' },
        'settle-ms': { type: 'string', default: '0' },
    },
});
const EDITS = Number(values.edits);
const SEED = Number(values.seed);
const MAX_REQUEST_MS = Number(values['max-request-ms']);
const RSS_GROWTH = Number(values['rss-growth']);
const REQUEST_RATE = Number(values['request-rate']);
/** Idle time before each of the two compared RSS readings (V8's memory reducer runs on an idle heap). */
const SETTLE_MS = Number(values['settle-ms']);
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** The machine's load average (1, 5, 15 min), as `uptime` prints it: every figure depends on it. */
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(', ');
const log = (line: string) => process.stderr.write(`soak: ${line} [load ${load()}]\n`);

const MiB = 1024 * 1024;

/**
 * The server's memory after a full GC of its thread and its idle simulation workers (it runs
 * under --expose-gc here): RSS read
 * without a collection depends on when V8 last collected, tens of MiB either way.
 */
/** V8 heap spaces' committed MiB (the non-zero ones), total first. */
function spacesText(spaces: Record<string, number>): string {
    const total = Object.values(spaces).reduce((a, b) => a + b, 0);
    return `${(total / MiB).toFixed(1)} MiB (${Object.entries(spaces).filter(([, b]) => b > 0).map(([s, b]) => `${s.replace(/_space$/, '')} ${(b / MiB).toFixed(1)}`).join(', ')})`;
}

async function memory(client: TestClient): Promise<{ rss: number; heap: number; workers: number; started: number; cancelled: number; terminated: number; spaces: string; mmapThreshold: string | null }> {
    const stats = await client.request<ServerStatsResult>('pciplat/serverStats', { collectGarbage: true } satisfies ServerStatsParams, WAIT);
    if (!stats.memory.collected) throw new Error('the server ran no GC before measuring (is it under --expose-gc?)');
    return {
        rss: stats.memory.rssBytes / MiB,
        heap: stats.memory.heapUsedBytes / MiB,
        workers: stats.memory.workersCollected,
        started: stats.workersStarted,
        cancelled: stats.cancelledInWorker,
        terminated: stats.workersTerminated,
        spaces: `server thread ${spacesText(stats.memory.heapSpaces)}; workers ${spacesText(stats.memory.workerHeapSpaces)}; relay ${spacesText(stats.memory.relayHeapSpaces)}`,
        mmapThreshold: stats.memory.mallocMmapThreshold,
    };
}

/**
 * Where the server process's resident memory is (Linux: /proc/PID/smaps), in MiB: the main
 * malloc arena (`[heap]`), other anonymous mappings by size (V8 reserves its heap in 256 KiB
 * pages and larger regions; glibc's per-thread malloc arenas are 64 MiB reservations), files
 * (code, the Node binary) and thread stacks. Undefined elsewhere.
 */
function rssBreakdown(pid: number | undefined): Record<string, number> | undefined {
    let text: string;
    try {
        text = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8');
    } catch {
        return undefined;
    }
    const out: Record<string, number> = {};
    let kind = '';
    let sizeKb = 0;
    for (const line of text.split('\n')) {
        const header = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
        if (header) {
            const name = header[3]!.trim();
            sizeKb = (parseInt(header[2]!, 16) - parseInt(header[1]!, 16)) / 1024;
            kind = name === '[heap]' ? 'malloc main arena' : name.startsWith('[stack') ? 'stacks' : name.startsWith('/') ? 'files' : name !== '' ? name : sizeKb >= 60 * 1024 && sizeKb <= 64 * 1024 ? 'anon 60-64 MiB (malloc arenas)' : sizeKb <= 256 ? 'anon <= 256 KiB' : sizeKb < 4096 ? 'anon 256 KiB-4 MiB' : 'anon other >= 4 MiB';
            continue;
        }
        const rss = /^Rss:\s+(\d+) kB/.exec(line);
        if (rss) out[kind] = (out[kind] ?? 0) + Number(rss[1]) / 1024;
    }
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Number(v.toFixed(1))]).sort((a, b) => (b[1] as number) - (a[1] as number)));
}

/** Waits until the server's diagnostics for `uris` are `expected` (they follow the text eventually). */
async function converge(client: TestClient, uris: string[], expected: { language: Set<string>; simulation: Set<string> | 'any' }, what: string): Promise<{ ok: boolean; detail: string }> {
    const simulationOf = (seen: Set<string>) => (expected.simulation === 'any' ? seen : expected.simulation);
    try {
        await client.waitFor(() => {
            const seen = serverView(client, uris);
            return sameSet(seen.language, expected.language) && sameSet(seen.simulation, simulationOf(seen.simulation)) ? true : undefined;
        }, WAIT, what);
        const seen = serverView(client, uris);
        return { ok: true, detail: `${expected.language.size} language + ${simulationOf(seen.simulation).size} simulation findings, equal${expected.simulation === 'any' ? ' (the simulation findings of an earlier text, not compared)' : ''}` };
    } catch {
        const seen = serverView(client, uris);
        return { ok: false, detail: JSON.stringify({ language: difference(expected.language, seen.language), simulation: difference(simulationOf(seen.simulation), seen.simulation) }, null, 1).slice(0, 4000) };
    }
}

/**
 * Waits until the background simulation went idle with results after status number `since`
 * (client.statuses.length before the edit): the diagnostics can equal the CLI's before the run
 * ends (the original text has no findings), and RSS is to be read with the simulation done.
 */
async function simulated(client: TestClient, since: number, what: string): Promise<void> {
    await client.waitFor(() => (client.statuses.slice(since).some((s) => s.params.state === 'idle' && s.params.platforms > 0) ? true : undefined), WAIT, what);
}

// The workspace: a copy of the examples (the file's imports resolve), in a temporary directory.
const repo = repoRoot();
const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-soak-'));
fs.cpSync(path.join(repo, 'examples'), path.join(ws, 'examples'), { recursive: true });
const file = path.join(ws, values.file!);
const uri = fileUri(file);
const original = fs.readFileSync(file, 'utf8');
const importedUris = [...original.matchAll(/\bimport\s+"([^"]+)"/g)].map((m) => fileUri(path.resolve(path.dirname(file), m[1]!)));
const uris = [uri, ...importedUris];

// As the VS Code extension starts it (server/process-env.ts), plus --expose-gc for the readings.
const client = TestClient.start({ ...serverProcessEnv(process.env), NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() });
const latencies = new Map<string, number[]>();
const failures: string[] = [];
let requestErrors = 0;
/** The five slowest requests: which one, after which edit. */
const slowRequests: { method: string; edit: number; ms: number }[] = [];
try {
    await client.initialize(ws, { simulationWorkers: 1, systemPciIds: false });
    await client.open(uri, original, 1);
    await simulated(client, 0, 'the first simulation to end');
    // The first full simulation: the server's diagnostics equal the CLI's on the original text.
    const first = await converge(client, uris, await cliView(file), 'the first simulation');
    if (!first.ok) failures.push(`after opening, the diagnostics differ from the CLI's: ${first.detail}`);
    await settle();
    const { rss: rssFirst, heap: heapFirst, workers: workersFirst, spaces: spacesFirst, mmapThreshold } = await memory(client);
    log(`V8 heaps committed: ${spacesFirst}`);
    const breakdownFirst = rssBreakdown(client.pid);
    if (process.env.PCIPLAT_SOAK_SMAPS) fs.writeFileSync(`${process.env.PCIPLAT_SOAK_SMAPS}.first`, fs.readFileSync(`/proc/${client.pid}/smaps`));
    if (breakdownFirst) log(`RSS by mapping: ${JSON.stringify(breakdownFirst)}`);
    log(`opened ${values.file}: ${first.detail}; server RSS ${rssFirst.toFixed(0)} MiB, server heap ${heapFirst.toFixed(0)} MiB (after a GC there and in ${workersFirst} idle simulation workers; MALLOC_MMAP_THRESHOLD_ ${mmapThreshold ?? 'unset'})`);

    const rng = new Random(SEED);
    const editor = new Editor(original, rng, new Set(grammarKeywords(repo)));
    const started = performance.now();
    let version = 1;
    const request = async (method: string, params: unknown) => {
        const t = performance.now();
        try {
            await client.request(method, params, WAIT);
        } catch (error) {
            // Cancelled or content-modified answers are answers; a time-out is a failure.
            if (error instanceof Error && error.message.startsWith('timed out')) failures.push(`${method} got no answer: ${error.message}`);
            requestErrors++;
        }
        const ms = performance.now() - t;
        slowRequests.push({ method, edit: version - 1, ms: Math.round(ms) });
        slowRequests.sort((a, b) => b.ms - a.ms);
        slowRequests.length = Math.min(slowRequests.length, 5);
        (latencies.get(method) ?? latencies.set(method, []).get(method)!).push(ms);
    };
    const randomRequest = () => {
        const text = editor.text;
        const position = positionAt(text, rng.int(text.length + 1));
        const doc = { textDocument: { uri } };
        const lines = text.split('\n').length;
        const [method, params] = rng.pick<[string, unknown]>([
            ['textDocument/hover', { ...doc, position }],
            ['textDocument/completion', { ...doc, position }],
            ['textDocument/documentSymbol', doc],
            ['textDocument/codeLens', doc],
            ['textDocument/inlayHint', { ...doc, range: { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } } }],
            ['textDocument/semanticTokens/full', doc],
            ['textDocument/foldingRange', doc],
            ['textDocument/definition', { ...doc, position }],
            ['textDocument/references', { ...doc, position, context: { includeDeclaration: true } }],
            ['textDocument/codeAction', { ...doc, range: { start: position, end: position }, context: { diagnostics: [] } }],
            ['textDocument/formatting', { ...doc, options: { tabSize: 2, insertSpaces: true } }],
            ['pciplat/topology', { uri }],
            ['pciplat/addressMap', { uri }],
        ]);
        return request(method, params);
    };
    // The last edits finish the line being typed and take out the junk still in the text.
    for (let i = 1; i <= EDITS || (editor.owed > 0 && i <= EDITS + 200); i++) {
        await client.changeRanges(uri, ++version, [editor.next()]);
        if (rng.chance(REQUEST_RATE)) await randomRequest();
        // Now and then the user stops typing: the server catches up with this version.
        if (i % 250 === 0) {
            await client.waitForDiagnostics(uri, (p) => p.version === version, WAIT, `diagnostics of version ${version}`);
            const all = [...latencies.values()].flat();
            const now = await memory(client);
            log(`${i} edits in ${((performance.now() - started) / 1000).toFixed(0)} s; ${all.length} requests, slowest ${Math.max(0, ...all).toFixed(0)} ms; RSS ${now.rss.toFixed(0)} MiB, server heap ${now.heap.toFixed(0)} MiB (after a GC; ${now.workers} idle workers collected); workers started ${now.started}, runs cancelled in the worker ${now.cancelled}, workers terminated ${now.terminated}; V8 heaps committed: ${now.spaces}`);
        }
    }
    const editSeconds = (performance.now() - started) / 1000;
    // The server caught up with the last version and no simulation is queued or running: a run
    // of the last text that parsed may still deliver (its results stand while the text does
    // not parse), so the simulation findings are read only once the queue is empty.
    await client.waitForDiagnostics(uri, (p) => p.version === version, WAIT, `diagnostics of version ${version}`);
    await client.waitFor(() => (client.statuses.at(-1)?.params.state !== 'running' ? true : undefined), WAIT, 'the simulation queue to drain');
    fs.writeFileSync(file, editor.text);
    const final = await cliView(file);

    // Check 1: the final text. If it parses, everything equals the CLI's; if not, the language
    // findings do and the server keeps simulation findings of an earlier text (which earlier
    // text depends on which versions it validated, so they are checked in step 3 instead).
    const finalCheck = final.unparsable
        ? await converge(client, uris, { language: final.language, simulation: 'any' }, 'the language findings of the final text')
        : await converge(client, uris, final, 'the diagnostics of the final text');
    log(`final text (${final.unparsable ? 'does not parse' : 'parses'}): ${finalCheck.detail}`);
    if (!finalCheck.ok) failures.push(`the diagnostics of the final text differ from the CLI's: ${finalCheck.detail}`);

    // Step 2: back to the original text (it parses): everything equals the CLI's.
    fs.writeFileSync(file, original);
    const statusesBefore = client.statuses.length;
    await client.change(uri, original, ++version);
    const back = await cliView(file);
    const backCheck = await converge(client, uris, back, 'the diagnostics of the original text');
    log(`back to the original text: ${backCheck.detail}`);
    if (!backCheck.ok) failures.push(`after going back to the original text, the diagnostics differ from the CLI's: ${backCheck.detail}`);
    await simulated(client, statusesBefore, 'the simulation of the original text to end');
    await settle();
    const { rss: rssAfter, heap: heapAfter, workers: workersAfter, spaces: spacesAfter } = await memory(client);
    log(`V8 heaps committed: ${spacesAfter}`);
    const breakdownAfter = rssBreakdown(client.pid);
    if (process.env.PCIPLAT_SOAK_SMAPS) fs.writeFileSync(`${process.env.PCIPLAT_SOAK_SMAPS}.after`, fs.readFileSync(`/proc/${client.pid}/smaps`));
    if (breakdownAfter) log(`RSS by mapping: ${JSON.stringify(breakdownAfter)}`);
    log(`server RSS ${rssAfter.toFixed(0)} MiB, server heap ${heapAfter.toFixed(0)} MiB (after a GC there and in ${workersAfter} idle simulation workers)`);

    // Step 3: a text that does not parse shows its language findings and keeps the simulation
    // findings of the text before (the original's).
    const broken = original.replace(/\}\s*$/, '  host-bridge {{{ (\n}\n');
    fs.writeFileSync(file, broken);
    await client.change(uri, broken, ++version);
    const brokenView: CliView = await cliView(file);
    if (!brokenView.unparsable) failures.push('the broken text parses (the soak is wrong)');
    const brokenCheck = await converge(client, uris, { language: brokenView.language, simulation: back.simulation }, 'the diagnostics of the broken text');
    log(`a text that does not parse: ${brokenCheck.detail}`);
    if (!brokenCheck.ok) failures.push(`for a text that does not parse, the server shows other diagnostics than documented: ${brokenCheck.detail}`);

    const all = [...latencies.values()].flat().sort((a, b) => a - b);
    const slowest = all.at(-1) ?? 0;
    if (slowest > MAX_REQUEST_MS) failures.push(`the slowest request took ${slowest.toFixed(0)} ms (limit ${MAX_REQUEST_MS} ms)`);
    const growth = rssAfter / rssFirst - 1;
    if (growth > RSS_GROWTH) failures.push(`RSS grew ${(growth * 100).toFixed(1)} % (${rssFirst.toFixed(0)} -> ${rssAfter.toFixed(0)} MiB; limit ${RSS_GROWTH * 100} %)`);
    const stats = await client.request<Record<string, unknown>>('pciplat/serverStats', {});
    const q = (p: number) => all[Math.min(all.length - 1, Math.floor(p * all.length))] ?? 0;
    const report = {
        edits: EDITS,
        seed: SEED,
        file: values.file,
        editSeconds: Math.round(editSeconds),
        requests: all.length,
        requestErrors,
        requestMs: { median: Math.round(q(0.5)), p99: Math.round(q(0.99)), max: Math.round(slowest) },
        slowestRequests: slowRequests,
        slowestByMethod: Object.fromEntries([...latencies].map(([m, l]) => [m, Math.round(Math.max(...l))])),
        rssMiB: { afterFirstSimulation: Math.round(rssFirst), afterRun: Math.round(rssAfter), growthPercent: Number((growth * 100).toFixed(1)) },
        serverHeapMiB: { afterFirstSimulation: Math.round(heapFirst), afterRun: Math.round(heapAfter) },
        rssByMappingMiB: { afterFirstSimulation: breakdownFirst, afterRun: breakdownAfter },
        finalTextParses: !final.unparsable,
        loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
        server: stats,
        alive: client.alive,
        failures,
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    log(`${EDITS} edits in ${editSeconds.toFixed(0)} s; ${all.length} requests: median ${q(0.5).toFixed(0)} ms, p99 ${q(0.99).toFixed(0)} ms, max ${slowest.toFixed(0)} ms; RSS ${rssFirst.toFixed(0)} -> ${rssAfter.toFixed(0)} MiB (${(growth * 100).toFixed(1)} %); ${failures.length === 0 ? 'all checks pass' : `${failures.length} checks FAIL`}`);
    process.exitCode = failures.length === 0 ? 0 : 1;
} finally {
    await client.stop();
    fs.rmSync(ws, { recursive: true, force: true });
}
