#!/usr/bin/env node
// npm run test:extension — the extension's tests inside a real VS Code (desktop), with
// @vscode/test-electron. Needs a VS Code executable: set VSCODE_EXECUTABLE to it (for example
// /usr/share/code/code, or the `code` of a VS Code build you unpacked). Nothing is downloaded.
// Without one the suite is skipped, loudly, and the command exits 0 (CI has no VS Code).
// The same checks run in VS Code in the browser by `npm run test:e2e` (code-server), which works
// on this machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeWorkspace, BROKEN } from '../e2e-vscode/workspace.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const executable = process.env.VSCODE_EXECUTABLE;

function banner(lines) {
    const width = Math.max(...lines.map((l) => l.length)) + 4;
    const bar = '*'.repeat(width);
    console.log([bar, ...lines.map((l) => `* ${l.padEnd(width - 4)} *`), bar].join('\n'));
}

if (!executable) {
    banner([
        'test:extension SKIPPED: no VS Code executable.',
        'Reason: VSCODE_EXECUTABLE is not set, and this suite downloads nothing.',
        'To run it: VSCODE_EXECUTABLE=/path/to/code npm run test:extension',
        'Meanwhile `npm run test:e2e` tests the packaged extension in code-server.',
    ]);
    console.log('test:extension: 0 passed, 0 failed, 1 skipped');
    process.exit(0);
}
if (!fs.existsSync(executable)) {
    console.error(`test:extension: VSCODE_EXECUTABLE=${executable} does not exist`);
    process.exit(1);
}

const { runTests } = await import('@vscode/test-electron');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-vscode-test-'));
const workspace = makeWorkspace(path.join(temp, 'workspace'));
const userData = path.join(temp, 'user-data');
fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'extensions.autoUpdate': false, 'telemetry.telemetryLevel': 'off' }));
let code = 1;
try {
    code = await runTests({
        vscodeExecutablePath: executable,
        extensionDevelopmentPath: REPO,
        extensionTestsPath: path.join(REPO, 'test', 'extension', 'suite', 'index.cjs'),
        extensionTestsEnv: { PCIPLAT_TEST_WORKSPACE: workspace, PCIPLAT_TEST_BROKEN: BROKEN },
        launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', userData, '--extensions-dir', path.join(temp, 'extensions')],
    });
} catch (error) {
    console.error(`test:extension: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    code = 1;
} finally {
    fs.rmSync(temp, { recursive: true, force: true });
}
process.exit(code);
