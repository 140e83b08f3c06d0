// The language server's custom requests, as the server defines them (server/protocol.ts imports
// nothing, so the client bundles it as is), plus what the client reads from results that the
// server's types leave open (`[field: string]: unknown`): fields later engine layers add to the
// simulate document (docs/json-output.md: "later versions only add fields").
export * from '../../server/protocol.js';
import type { Hex, JsonFinding, SimulateResult } from '../../server/protocol.js';

/** A trace event of the hypervisor/scenario layer, as JSON (TraceEvent in src/hypervisor/result.ts). */
export interface JsonTraceEvent {
    step: number;
    stepKind: string;
    event: string;
    args?: Record<string, string>;
    /** Either CLI-style 1-based file/line/column relative to the document's folder... */
    file?: string | null;
    line?: number | null;
    column?: number | null;
    endLine?: number | null;
    endColumn?: number | null;
    /** ...or an LSP-style location (0-based). */
    loc?: { uri: string; start: { line: number; character: number }; end: { line: number; character: number } } | null;
}

export interface JsonGuestBar {
    device: string;
    bar: number | 'rom';
    kind: string;
    prefetchable?: boolean;
    size: Hex;
    host?: Hex | null;
    guest?: Hex | null;
    hole?: 'low' | 'high' | null;
    note?: string | null;
}

export interface JsonGuestHole {
    which: 'low' | 'high';
    base: Hex;
    size: Hex;
    used?: Hex;
    source?: string;
}

export interface JsonDomain {
    name: string;
    hypervisor?: string;
    domid?: number | null;
    running?: boolean;
    devices?: string[];
    guestSbdf?: Record<string, string>;
    guestBars?: JsonGuestBar[];
    holes?: JsonGuestHole[];
    /** Guest RAM and other guest regions, when the engine reports them. */
    memory?: { name?: string; base: Hex; size: Hex }[];
    xlConfig?: string[];
    qemuArgs?: string[];
}

/** The simulate document with the optional fields the client knows how to show. */
export interface RichSimulateResult extends SimulateResult {
    groups?: { id: number; members: string[] }[];
    trace?: JsonTraceEvent[];
    /** Events after the first ones the trace keeps (the simulator caps it). */
    traceLeftOut?: number;
    domains?: JsonDomain[];
    owner?: Record<string, string>;
    findings: JsonFinding[];
}
