#!/usr/bin/env node
// The pciplat language server (LSP over stdio: `pciplat-language-server --stdio`). The polyfill
// must be evaluated before Langium loads (Node 20).
import '../language/polyfill.mjs';
import '../out/server/main.js';
