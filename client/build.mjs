#!/usr/bin/env node
// Builds the VS Code extension into dist/ with esbuild (no tsc output needed):
//   dist/extension.cjs                 the client, CommonJS for VS Code's extension host (`vscode` external)
//   dist/server/main.js                the language server (ESM; Node 20 polyfill first)
//   dist/server/simulation/worker.js   its simulation worker thread
//   dist/src/engine/simulate.js        the engine the worker imports
//   dist/syntaxes/pciplat.tmLanguage.json  Langium's grammar + client/grammar additions
//   dist/media/                        the address-map webview's script and stylesheet
// The server finds its worker and engine relative to its own file (server/start.ts:
// ./simulation/worker.js and ../src/engine/simulate.js), so the three keep that layout.
// Usage: node client/build.mjs [--production] [--outdir DIR]
//   --production: minified, no source maps; --outdir: build elsewhere than dist/ (tests).
// dist/ holds a .gitignore of its own ("*"), so build output never shows up in git status.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeGrammar } from './grammar/merge.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const outdirIndex = process.argv.indexOf('--outdir');
const dist = outdirIndex > 0 && process.argv[outdirIndex + 1] ? path.resolve(process.argv[outdirIndex + 1]) : path.join(root, 'dist');
const rel = (p) => path.join(dist, p);
const started = Date.now();

function fail(message) {
    console.error(`build: ${message}`);
    process.exit(1);
}

fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });
fs.writeFileSync(path.join(dist, '.gitignore'), '# build output of client/build.mjs\n*\n');

const common = {
    bundle: true,
    platform: 'node',
    minify: production,
    sourcemap: production ? false : 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    legalComments: production ? 'none' : 'inline',
    absWorkingDir: root,
};

// ESM bundles of CommonJS packages (vscode-languageserver, vscode-jsonrpc) call `require` for
// Node built-ins: give them one.
const esmBanner = {
    js: "import { createRequire as __pciplatCreateRequire } from 'node:module'; const require = __pciplatCreateRequire(import.meta.url);",
};

try {
    await Promise.all([
        esbuild.build({
            ...common,
            entryPoints: ['client/src/extension.ts'],
            outfile: rel('extension.cjs'),
            format: 'cjs',
            target: 'node18',
            external: ['vscode'],
            // vscode-languageclient ships both; prefer its CommonJS main.
            mainFields: ['main', 'module'],
        }),
        esbuild.build({
            ...common,
            entryPoints: { 'server/main': 'client/bundle/server-entry.ts', 'server/simulation/worker': 'server/simulation/worker.ts', 'src/engine/simulate': 'src/engine/simulate.ts' },
            outdir: dist,
            format: 'esm',
            target: 'node20',
            banner: esmBanner,
            mainFields: ['module', 'main'],
        }),
    ]);
} catch (error) {
    fail(error instanceof Error ? error.message.split('\n')[0] : String(error));
}

// Grammar: Langium's generated file + the hand-written additions.
const generated = JSON.parse(fs.readFileSync(path.join(root, 'client/syntaxes/pciplat.tmLanguage.json'), 'utf8'));
const extra = JSON.parse(fs.readFileSync(path.join(root, 'client/grammar/pciplat.tmLanguage.extra.json'), 'utf8'));
let grammar;
try {
    grammar = mergeGrammar(generated, extra);
} catch (error) {
    fail(`grammar: ${error instanceof Error ? error.message : String(error)}`);
}
fs.mkdirSync(path.join(dist, 'syntaxes'), { recursive: true });
fs.writeFileSync(path.join(dist, 'syntaxes/pciplat.tmLanguage.json'), JSON.stringify(grammar, null, 2) + '\n');

// Webview assets.
fs.mkdirSync(path.join(dist, 'media'), { recursive: true });
for (const file of fs.readdirSync(path.join(root, 'client/media'))) {
    fs.copyFileSync(path.join(root, 'client/media', file), path.join(dist, 'media', file));
}

// The README inside the .vsix (the extension's Details page): docs/vscode.md without what only
// makes sense next to the repository (relative links become plain text, screenshots are left out),
// since the package names no repository for vsce to rewrite them against.
const guide = fs.existsSync(path.join(root, 'docs/vscode.md')) ? fs.readFileSync(path.join(root, 'docs/vscode.md'), 'utf8') : '# pciplat\n';
const vsixReadme = guide
    .replace(/^\s*!\[[^\]]*\]\([^)]*\)\s*$/gm, '')
    .replace(/!\[([^\]]*)\]\((?!https?:)[^)]*\)/g, '')
    .replace(/\[([^\]]+)\]\((?!https?:|#)([^)]*)\)/g, (_m, text, target) => {
        const where = target.startsWith('../') ? target.slice(3) : `docs/${target.replace(/^\.\//, '')}`;
        return text === path.basename(target) ? `${where} in the pciplat sources` : `${text} (${where} in the pciplat sources)`;
    })
    .replace(/\n{3,}/g, '\n\n');
fs.writeFileSync(path.join(dist, 'README.md'), vsixReadme);

const size = (file) => `${(fs.statSync(path.join(dist, file)).size / 1024).toFixed(0)} KiB`;
console.log(
    `build: ${path.relative(process.cwd(), dist) || '.'}/ in ${Date.now() - started} ms${production ? ' (production)' : ''}: extension.cjs ${size('extension.cjs')}, server/main.js ${size('server/main.js')}, ` +
        `worker ${size('server/simulation/worker.js')}, engine ${size('src/engine/simulate.js')}`,
);
