// Composition root of `pciplat-language-server` (bin/pciplat-language-server.js loads the Node 20
// polyfill first, then this). Speaks LSP over stdio (`--stdio`), a socket or Node IPC, whichever
// the client asks for on the command line; any LSP client (VS Code, Neovim, Emacs) can use it.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './start.js';

const connection = createConnection(ProposedFeatures.all);

// Bad input must never take the server down: log and keep serving.
process.on('uncaughtException', (error) => {
    connection.console.error(`pciplat-language-server: internal error: ${error instanceof Error ? error.message : String(error)}`);
});
process.on('unhandledRejection', (reason) => {
    connection.console.error(`pciplat-language-server: internal error: ${reason instanceof Error ? reason.message : String(reason)}`);
});

startServer(connection);
