// Composition root of `pciplat-language-server` (bin/pciplat-language-server.js, or the bundle's
// dist/server/main.js, loads the Node 20 polyfill first, then this). Speaks LSP over stdio
// (`--stdio`), Node IPC (`--node-ipc`), a socket (`--socket=PORT`) or a pipe (`--pipe=NAME`),
// whichever the client asks for; any LSP client (VS Code, Neovim, Emacs) can use it.
//
// The server itself runs in a worker thread (serve.ts) with a PARSE_STACK_MB stack: the parser
// needs about 4 KB of stack per nested block in a fresh process, so on the main thread's ~1 MB a
// legal 255-deep chain of bridges was LANG-PARSE-ABORTED in the editor but parsed by the CLI
// (language/parse-guard.ts). A worker's stack size is set when its thread is created, on every
// OS, unlike `node --stack-size`, which overruns a main thread's real stack. The main thread only
// relays messages between the client's transport and the worker.
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
    const { relayToServerThread } = await import('./thread-relay.js');
    relayToServerThread();
} else {
    await import('./serve.js');
}
