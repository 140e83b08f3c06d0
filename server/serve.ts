// The language server proper, on the thread that main.ts starts with a parser-sized stack: it
// speaks LSP over the MessagePort to the main thread, which relays the client's transport.
import { PassThrough, Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { createConnection, PortMessageReader, PortMessageWriter, ProposedFeatures, StreamMessageReader, StreamMessageWriter, type Connection } from 'vscode-languageserver/node';
import { startServer } from './start.js';

/** Over stdio the relay passes the transport's bytes (thread-relay.ts): this thread reads and writes the LSP framing itself. */
function byteConnection(): Connection {
    const input = new PassThrough();
    parentPort!.on('message', (bytes: Uint8Array) => input.write(bytes));
    const output = new Writable({
        write(chunk: Buffer, _encoding, done) {
            const bytes = new Uint8Array(chunk);
            parentPort!.postMessage(bytes, [bytes.buffer]);
            done();
        },
    });
    return createConnection(ProposedFeatures.all, new StreamMessageReader(input), new StreamMessageWriter(output));
}

const connection = (workerData as { rawStdio?: boolean } | null)?.rawStdio
    ? byteConnection()
    : createConnection(ProposedFeatures.all, new PortMessageReader(parentPort!), new PortMessageWriter(parentPort!));

// Bad input must never take the server down: log and keep serving.
process.on('uncaughtException', (error) => {
    connection.console.error(`pciplat-language-server: internal error: ${error instanceof Error ? error.message : String(error)}`);
});
process.on('unhandledRejection', (reason) => {
    connection.console.error(`pciplat-language-server: internal error: ${reason instanceof Error ? reason.message : String(reason)}`);
});

startServer(connection);
