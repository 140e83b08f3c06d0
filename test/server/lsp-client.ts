// A real LSP client for the server tests: spawns `node bin/pciplat-language-server.js --stdio`
// (the compiled server in out/) and speaks JSON-RPC to it over its stdin/stdout. Every wait is
// bounded; `stop()` kills the process (call it in afterAll).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../fuzz/repo.js';
import {
    createProtocolConnection,
    StreamMessageReader,
    StreamMessageWriter,
    type ProtocolConnection,
    type PublishDiagnosticsParams,
    type InitializeParams,
    type Diagnostic,
    type TextEdit,
} from 'vscode-languageserver-protocol/node';

/** The repository (also when this file runs compiled, from out/test/server/, in the soak). */
export const REPO = repoRoot();

/**
 * The ceiling on every wait of the server tests. Tests wait for events (a publish, a status, a
 * log line), never for a time; this only bounds a wait that would otherwise never end, so it is
 * generous: on a fully busy machine starting the server and a first simulation can take tens of
 * seconds. (vitest's own testTimeout, in vitest.config.ts, is above it.)
 */
export const WAIT = 120_000;
export const SERVER_BIN = path.join(REPO, 'bin', 'pciplat-language-server.js');

export function fileUri(p: string): string {
    return pathToFileURL(p).href;
}

export interface Published extends PublishDiagnosticsParams {
    /** Arrival order over all notifications. */
    seq: number;
}

export interface StatusLog {
    params: { state: 'running' | 'idle'; platforms: number; findings: number; lastRunMs?: number; finishedAt?: string };
    seq: number;
}

export interface ServerRequestLog {
    method: string;
    seq: number;
}

export class TestClient {
    readonly connection: ProtocolConnection;
    readonly published: Published[] = [];
    readonly serverRequests: ServerRequestLog[] = [];
    readonly logs: string[] = [];
    /** `pciplat/simulationStatus` notifications, in arrival order. */
    readonly statuses: StatusLog[] = [];
    stderr = '';
    private seq = 0;
    private waiters: (() => void)[] = [];
    private exited = false;

    private constructor(readonly process: ChildProcessWithoutNullStreams) {
        this.connection = createProtocolConnection(new StreamMessageReader(process.stdout), new StreamMessageWriter(process.stdin));
        this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
            this.published.push({ ...params, seq: ++this.seq });
            this.wake();
        });
        this.connection.onNotification('pciplat/simulationStatus', (params: StatusLog['params']) => {
            this.statuses.push({ params, seq: ++this.seq });
            this.wake();
        });
        this.connection.onNotification('window/logMessage', (params: { message: string }) => {
            this.logs.push(params.message);
            this.wake();
        });
        for (const method of ['workspace/codeLens/refresh', 'workspace/inlayHint/refresh', 'workspace/semanticTokens/refresh']) {
            this.connection.onRequest(method, () => {
                this.serverRequests.push({ method, seq: ++this.seq });
                this.wake();
                return null;
            });
        }
        this.connection.onRequest('client/registerCapability', () => null);
        this.connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => null));
        process.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
        process.on('exit', () => {
            this.exited = true;
            this.wake();
        });
        this.connection.listen();
    }

    /** The server's process id (its RSS is read from /proc by the soak). */
    get pid(): number | undefined {
        return this.process.pid;
    }

    /** `textDocument/didChange` with incremental changes (LSP ranges). */
    changeRanges(uri: string, version: number, changes: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }[]): Promise<void> {
        return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    }

    static start(env: Record<string, string> = {}): TestClient {
        const child = spawn(process.execPath, [SERVER_BIN, '--stdio'], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
        return new TestClient(child);
    }

    get alive(): boolean {
        return !this.exited;
    }

    private wake(): void {
        const waiters = this.waiters.splice(0);
        for (const w of waiters) w();
    }

    /** Resolves with the first value `probe` returns (re-checked on every notification); rejects after `ms`. */
    waitFor<T>(probe: () => T | undefined, ms: number, what: string): Promise<T> {
        return new Promise<T>((resolve, reject) => {
            const check = (): boolean => {
                const value = probe();
                if (value !== undefined) {
                    clearTimeout(timer);
                    resolve(value);
                    return true;
                }
                if (this.exited) {
                    clearTimeout(timer);
                    reject(new Error(`server exited while waiting for ${what}; stderr: ${this.stderr.slice(-2000)}`));
                    return true;
                }
                return false;
            };
            const loop = () => {
                if (!check()) this.waiters.push(loop);
            };
            const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
            loop();
        });
    }

    async initialize(rootPath: string | undefined, initializationOptions: unknown = {}): Promise<unknown> {
        const params: InitializeParams = {
            processId: process.pid,
            rootUri: rootPath ? fileUri(rootPath) : null,
            workspaceFolders: rootPath ? [{ uri: fileUri(rootPath), name: path.basename(rootPath) }] : null,
            initializationOptions,
            capabilities: {
                workspace: {
                    codeLens: { refreshSupport: true },
                    inlayHint: { refreshSupport: true },
                    semanticTokens: { refreshSupport: true },
                    workspaceFolders: true,
                },
                textDocument: {
                    publishDiagnostics: { relatedInformation: true, versionSupport: true },
                    hover: { contentFormat: ['markdown', 'plaintext'] },
                    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
                },
            },
        };
        const result = await this.connection.sendRequest('initialize', params);
        await this.connection.sendNotification('initialized', {});
        return result;
    }

    open(uri: string, text: string, version = 1): Promise<void> {
        return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'pciplat', version, text } });
    }

    change(uri: string, text: string, version: number): Promise<void> {
        return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    }

    save(uri: string): Promise<void> {
        return this.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
    }

    /** `workspace/didChangeConfiguration` with the `pciplat` section. */
    configure(settings: Record<string, unknown>): Promise<void> {
        return this.connection.sendNotification('workspace/didChangeConfiguration', { settings: { pciplat: settings } });
    }

    request<R>(method: string, params: unknown, ms = WAIT): Promise<R> {
        return withTimeout(this.connection.sendRequest<R>(method, params), ms, method);
    }

    /** The latest publish for `uri` (by arrival). */
    latest(uri: string): Published | undefined {
        for (let i = this.published.length - 1; i >= 0; i--) if (this.published[i]!.uri === uri) return this.published[i];
        return undefined;
    }

    /** Waits until the server has logged a message containing `text` (e.g. a stand-in engine's stderr). */
    waitForLog(text: string, ms = WAIT): Promise<string> {
        return this.waitFor(() => this.logs.find((l) => l.includes(text)), ms, `a log message containing '${text}'`);
    }

    /** Waits until the latest publish for `uri` satisfies `accept`. */
    waitForDiagnostics(uri: string, accept: (p: Published) => boolean, ms: number, what: string): Promise<Published> {
        return this.waitFor(() => {
            const p = this.latest(uri);
            return p && accept(p) ? p : undefined;
        }, ms, what);
    }

    async stop(): Promise<void> {
        if (this.exited) return;
        try {
            await withTimeout(this.connection.sendRequest('shutdown'), 2000, 'shutdown');
            await this.connection.sendNotification('exit');
        } catch {
            // fall through to kill
        }
        await new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
                this.process.kill('SIGKILL');
                resolve();
            }, 2000);
            if (this.exited) {
                clearTimeout(timer);
                resolve();
            } else this.process.once('exit', () => {
                clearTimeout(timer);
                resolve();
            });
        });
        this.connection.dispose();
    }
}

export function withTimeout<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
        Promise.resolve(promise).then(
            (v) => {
                clearTimeout(timer);
                resolve(v);
            },
            (e: unknown) => {
                clearTimeout(timer);
                reject(e instanceof Error ? e : new Error(String(e)));
            },
        );
    });
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Calls `probe` every 50 ms until it returns a value; rejects after `ms`. */
export async function poll<T>(probe: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await sleep(50);
    }
}

/** Applies non-overlapping edits (LSP semantics) to `text`. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
    const lines = text.split('\n');
    const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
    const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
    let out = text;
    for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
    return out;
}


/** A diagnostic's message as text (LSP 3.18 allows Markdown content). */
export function messageOf(d: Diagnostic): string {
    return typeof d.message === 'string' ? d.message : d.message.value;
}
