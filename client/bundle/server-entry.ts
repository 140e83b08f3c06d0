// Entry of the bundled language server (dist/server/main.js): the Node 20 polyfill must run before
// Langium loads, exactly as bin/pciplat-language-server.js does for the tsc build.
import '../../language/polyfill.mjs';
import '../../server/main.js';
