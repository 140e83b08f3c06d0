// The main thread of the language server: opens the transport the client asked for on the
// command line and relays every LSP message to and from the server thread (main.ts says why).
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
    createServerPipeTransport,
    createServerSocketTransport,
    IPCMessageReader,
    IPCMessageWriter,
    StreamMessageReader,
    StreamMessageWriter,
    type Message,
    type MessageReader,
    type MessageWriter,
} from 'vscode-jsonrpc/node';
import { PARSE_STACK_MB } from '../src/cli/resource-limits.js';
import { serveRelayMemory } from './relay-memory.js';

const USAGE = "pciplat-language-server: choose a transport: '--stdio', '--node-ipc', '--socket=PORT' or '--pipe=NAME'\n";

/** The client's transport from the command line, as vscode-languageserver reads it. */
function transport(argv: readonly string[]): [MessageReader, MessageWriter] | undefined {
    for (const arg of argv) {
        if (arg === '--stdio') return [new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout)];
        if (arg === '--node-ipc') return [new IPCMessageReader(process), new IPCMessageWriter(process)];
        const socket = /^--socket=(\d+)$/.exec(arg);
        if (socket) return createServerSocketTransport(Number(socket[1]));
        const pipe = /^--pipe=(.+)$/.exec(arg);
        if (pipe) return createServerPipeTransport(pipe[1]!);
    }
    return undefined;
}

/**
 * Over stdio the relay passes bytes, not messages: each chunk read from stdin goes to the server
 * thread as a transferred copy (which parses it), and the bytes it writes come back the same way.
 * Relaying parsed messages allocated every message's objects, a structured clone and its JSON
 * again on this thread, whose young generation then grew from 1 to 16 MiB and more over a soak of
 * edits (RSS the server does not need); bytes leave almost nothing on its heap, and no work.
 */
function relayStdioBytes(worker: Worker): void {
    process.stdin.on('data', (chunk: Buffer) => {
        const bytes = new Uint8Array(chunk);
        worker.postMessage(bytes, [bytes.buffer]);
    });
    // The client went away: so does the server.
    process.stdin.on('close', () => process.exit(0));
    process.stdin.on('end', () => process.exit(0));
    worker.on('message', (bytes: Uint8Array) => process.stdout.write(bytes));
}

function startServerThread(rawStdio: boolean): Worker {
    // The worker runs the entry script this process was started with (bin/pciplat-language-server.js
    // or the bundle), so that it loads the polyfill first exactly as this thread did.
    const relayMemory = serveRelayMemory();
    const worker = new Worker(pathToFileURL(process.argv[1]!), {
        argv: process.argv.slice(2),
        workerData: { relayMemory, rawStdio },
        transferList: [relayMemory],
        resourceLimits: { stackSizeMb: PARSE_STACK_MB },
        // LSP may be on stdout: whatever the server thread prints goes to stderr.
        stdout: true,
    });
    worker.stdout.pipe(process.stderr);
    worker.on('error', (error) => {
        process.stderr.write(`pciplat-language-server: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    });
    // `exit` from the client ends the server thread with LSP's status (0 after shutdown, else 1).
    worker.on('exit', (code) => process.exit(code));
    return worker;
}

export function relayToServerThread(): void {
    if (process.argv.slice(2).includes('--stdio')) {
        relayStdioBytes(startServerThread(true));
        return;
    }
    const ends = transport(process.argv.slice(2));
    if (!ends) {
        process.stderr.write(USAGE);
        process.exit(1);
    }
    const [reader, writer] = ends;
    const worker = startServerThread(false);
    reader.listen((message: Message) => worker.postMessage(message));
    worker.on('message', (message: Message) => void writer.write(message).catch(() => undefined));
    // The client went away: so does the server.
    reader.onClose(() => process.exit(0));
}
