#!/usr/bin/env node
// The `pciplat` command: the main thread only starts the worker that does the work
// (bin/pciplat-worker.js) under a memory ceiling, so it needs no polyfill and no Langium.
import '../out/language/cli-entry.js';
