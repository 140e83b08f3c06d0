// The @vscode/test-electron suite: runs inside VS Code's extension host (CommonJS, `vscode` is the
// real API). A tiny runner, no mocha: each check is an async function; the first line of each
// failure is printed and the run rejects when any failed. Started by test/extension/run.mjs.
const assert = require('node:assert/strict');
const path = require('node:path');
const vscode = require('vscode');

const workspace = process.env.PCIPLAT_TEST_WORKSPACE;
const broken = process.env.PCIPLAT_TEST_BROKEN || 'arm-server-broken.pciplat';

async function until(what, probe, ms = 60000) {
    const end = Date.now() + ms;
    for (;;) {
        const value = await probe();
        if (value) return value;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

let document;
let api;

const checks = [
    ['the extension activates on a .pciplat file and starts its server', async () => {
        document = await vscode.workspace.openTextDocument(path.join(workspace, broken));
        await vscode.window.showTextDocument(document);
        assert.equal(document.languageId, 'pciplat');
        const extension = vscode.extensions.getExtension('pciplat.pciplat');
        assert.ok(extension, 'extension pciplat.pciplat is installed');
        api = await extension.activate();
        await api.ready;
        assert.ok(api.client() && api.client().isRunning(), 'the language client runs');
        // Started with glibc's mmap threshold fixed (server/process-env.ts).
        const stats = await api.client().sendRequest('pciplat/serverStats', {});
        assert.equal(stats.memory.mallocMmapThreshold, '131072');
    }],
    ['diagnostics: a language check and a simulation finding', async () => {
        const codes = await until('PCI-BAR-INDEX and PCI-BAR-OVERLAP', () => {
            const found = new Set(vscode.languages.getDiagnostics(document.uri).map((d) => String(typeof d.code === 'object' ? d.code.value : d.code)));
            return found.has('PCI-BAR-INDEX') && found.has('PCI-BAR-OVERLAP') ? found : undefined;
        });
        assert.ok(codes.size >= 2);
    }],
    ['hover on a device', async () => {
        const lines = document.getText().split('\n');
        const line = lines.findIndex((l) => /^\s*endpoint nic at 01:00\.0/.test(l));
        const position = new vscode.Position(line, lines[line].indexOf('nic') + 1);
        const text = await until('a hover with the bus address', async () => {
            const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', document.uri, position)) || [];
            const all = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
            return /endpoint nic/.test(all) && /01:00\.0/.test(all) ? all : undefined;
        });
        assert.match(text, /0000:01:00\.0/);
    }],
    ['the Run simulation lens runs a simulation', async () => {
        const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', document.uri, 100)) || [];
        const run = lenses.find((l) => l.command && l.command.command === 'pciplat.runSimulation');
        assert.ok(run, 'a Run simulation lens');
        const result = await vscode.commands.executeCommand(run.command.command, ...(run.command.arguments || []));
        assert.equal(result.platform, 'armsrv');
        assert.ok(result.findings.some((f) => f.code === 'PCI-BAR-OVERLAP'));
    }],
    ['the address map opens and finds the overlap', async () => {
        await vscode.commands.executeCommand('pciplat.showAddressMap', document.uri);
        await until('an overlap in the drawing', () => api.addressMapOverlaps() >= 1, 30000);
    }],
    ['the topology view opens', async () => {
        await vscode.commands.executeCommand('pciplat.showTopology', document.uri);
    }],
];

exports.run = async function run() {
    let passed = 0;
    const failures = [];
    for (const [name, body] of checks) {
        try {
            await body();
            passed++;
            console.log(`  ✓ ${name}`);
        } catch (error) {
            failures.push(name);
            console.log(`  ✗ ${name}: ${String(error && error.message ? error.message : error).split('\n')[0]}`);
        }
    }
    console.log(`${passed} passed, ${failures.length} failed`);
    if (failures.length > 0) throw new Error(`${failures.length} extension check(s) failed`);
};
