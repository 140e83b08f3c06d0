// The worker thread of the `pciplat` command (started by out/language/cli-entry.js under resource
// limits). The polyfill must be evaluated before Langium loads (Node 20).
import '../language/polyfill.mjs';
import '../out/language/cli-worker.js';
