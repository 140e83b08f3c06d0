// The language server proper, on the thread that main.ts starts with a parser-sized stack: it
// speaks LSP over the MessagePort to the main thread, which relays the client's transport.
import { parentPort } from 'node:worker_threads';
import { createConnection, PortMessageReader, PortMessageWriter, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './start.js';

const connection = createConnection(ProposedFeatures.all, new PortMessageReader(parentPort!), new PortMessageWriter(parentPort!));

// Bad input must never take the server down: log and keep serving.
process.on('uncaughtException', (error) => {
    connection.console.error(`pciplat-language-server: internal error: ${error instanceof Error ? error.message : String(error)}`);
});
process.on('unhandledRejection', (reason) => {
    connection.console.error(`pciplat-language-server: internal error: ${reason instanceof Error ? reason.message : String(reason)}`);
});

startServer(connection);
