#!/usr/bin/env node
// The `pciplat` command. The polyfill must be evaluated before Langium loads (Node 20).
import '../language/polyfill.mjs';
import '../out/language/cli-entry.js';
