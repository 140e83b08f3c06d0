// The relay (main) thread's memory, for pciplat/serverStats with collectGarbage (the soak): the
// relay has its own V8 heap, which every LSP message passes through, and the server thread
// cannot collect it. The relay gives the server thread one end of a MessageChannel
// (workerData.relayMemory); asked, it runs two full GCs (when under --expose-gc) and answers
// with its heap spaces' committed bytes.
import { getHeapSpaceStatistics } from 'node:v8';
import { MessageChannel, type MessagePort } from 'node:worker_threads';

export interface RelayMemory {
    collected: boolean;
    /** Committed bytes per V8 heap space of the relay thread. */
    spaces: Record<string, number>;
}

function heapSpaces(): Record<string, number> {
    return Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
}

/** Relay side: the port to hand to the server thread (transfer it). */
export function serveRelayMemory(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', () => {
        const gc = (globalThis as { gc?: () => void }).gc;
        if (typeof gc === 'function') {
            gc();
            gc();
        }
        port1.postMessage({ collected: typeof gc === 'function', spaces: heapSpaces() } satisfies RelayMemory);
    });
    port1.unref();
    return port2;
}

/** Server side: asks the relay (undefined without a relay, e.g. in tests that run serve.ts alone). */
export function relayMemory(port: MessagePort | undefined): Promise<RelayMemory | undefined> {
    if (!port) return Promise.resolve(undefined);
    return new Promise((resolve) => {
        port.once('message', (answer: RelayMemory) => {
            port.unref();
            resolve(answer);
        });
        port.ref();
        port.postMessage('collect');
    });
}
