// The JSON format (docs/json-output.md documents it field by field). Builders return plain
// objects that may hold bigints and undefined; `stringifyJson` prints every bigint as a `0x`
// lowercase hex string (JSON numbers would lose 64-bit precision) and every undefined property
// as `null` (unknown). Later layers add fields by adding a property to the builder of the object
// they extend (functionJson, simulationJson...): nothing else changes and no field is removed.
import type { Finding, RelatedLoc } from '../findings/finding.js';
import type { SourceLoc } from '../model/source.js';
import type { BarResult, BridgeResult, FunctionResult, SimulationResult } from '../engine/result.js';
import type { DomainResult, TraceEvent } from '../hypervisor/result.js';
import { requesterId } from '../engine/result.js';
import { formatSbdf } from './format-text.js';
import { displayPath } from './paths.js';

/** What the builders return: JSON plus bigint (printed as hex) and undefined (printed as null). */
export type JsonLike = string | number | boolean | bigint | null | undefined | JsonLike[] | { [key: string]: JsonLike };
export type JsonObject = { [key: string]: JsonLike };

export function hexString(value: bigint): string {
    return value < 0n ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`;
}

/** Pretty-printed (2 spaces) with a final newline. */
export function stringifyJson(value: JsonLike): string {
    return `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? hexString(v) : v === undefined ? null : v), 2)}\n`;
}

// --- findings ----------------------------------------------------------------------------------

export function position(loc: SourceLoc | undefined, cwd: string) {
    return {
        file: loc ? displayPath(loc.uri, cwd) : null,
        line: loc ? loc.start.line + 1 : null,
        column: loc ? loc.start.character + 1 : null,
        endLine: loc ? loc.end.line + 1 : null,
        endColumn: loc ? loc.end.character + 1 : null,
    };
}

export function relatedJson(r: RelatedLoc, cwd: string): JsonObject {
    return { ...position(r.loc, cwd), message: r.message };
}

export function findingJson(f: Finding, cwd: string): JsonObject {
    return {
        code: f.code,
        severity: f.severity,
        message: f.message,
        ...position(f.loc, cwd),
        related: f.related.map((r) => relatedJson(r, cwd)),
        ...(f.scenario !== undefined ? { scenario: f.scenario } : {}),
        ...(f.step !== undefined ? { step: f.step } : {}),
    };
}

/** `pciplat check --format json`. */
export function checkJson(findings: readonly Finding[], cwd: string): JsonObject {
    return { findings: findings.map((f) => findingJson(f, cwd)) };
}

// --- simulation --------------------------------------------------------------------------------

export function barJson(b: BarResult): JsonObject {
    return { index: b.index, kind: b.kind, prefetchable: b.prefetchable, size: b.size, address: b.address };
}

export function bridgeJson(b: BridgeResult | undefined): JsonObject {
    return {
        secondary: b?.secondary,
        subordinate: b?.subordinate,
        windows: b ? b.windows.map((w) => ({ window: w.window, kind: w.kind, start: w.start, end: w.end, written: w.written })) : undefined,
    };
}

export function functionJson(f: FunctionResult): JsonObject {
    return {
        name: f.name,
        kind: f.kind,
        sbdf: formatSbdf(f),
        rid: requesterId(f),
        bars: f.bars.map(barJson),
        bus: f.bus,
        pf: f.pf,
        invisible: f.invisible,
        rom: f.rom && { size: f.rom.size, address: f.rom.address },
        aliases: f.aliases,
        msiRid: f.msiRid,
        streamIds: f.streamIds.map((s) => ({ iommu: s.iommu, id: s.id })),
        deviceIds: f.deviceIds.map((d) => ({ its: d.its, id: d.id })),
        group: f.group === null ? undefined : f.group,
        noGroup: f.noGroup,
        acsUnknown: f.acsUnknown ?? [],
        quirks: (f.quirks ?? []).map((q) => ({ source: q.source, linux: q.linux, effect: q.effect, why: q.why })),
        owner: f.owner,
        refused: (f.refused ?? []).map((r) => ({ domain: r.domain, code: r.code, message: r.message, line: r.loc ? r.loc.start.line + 1 : undefined })),
        ...bridgeJson(f.bridge),
    };
}

export function domainJson(d: DomainResult): JsonObject {
    return {
        name: d.name,
        hypervisor: d.hypervisor,
        domid: d.domid,
        running: d.running,
        devices: d.devices,
        guestSbdf: d.guestSbdf,
        guestBars: d.guestBars.map((b) => ({ device: b.device, bar: b.bar, kind: b.kind, prefetchable: b.prefetchable, size: b.size, host: b.host, guest: b.guest, hole: b.hole, note: b.note })),
        holes: d.holes.map((h) => ({ which: h.which, base: h.base, size: h.size, used: h.used, source: h.source })),
        xlConfig: d.xlConfig,
        xenstore: d.xenstore.map((e) => ({ path: e.path, value: e.value })),
        qemuArgs: d.qemuArgs,
    };
}

export function traceJson(e: TraceEvent, cwd: string): JsonObject {
    return { step: e.step, stepKind: e.stepKind, event: e.event, args: { ...e.args }, file: e.loc ? displayPath(e.loc.uri, cwd) : undefined, line: e.loc ? e.loc.start.line + 1 : undefined };
}

export interface SimulationJsonOptions {
    scenario?: string;
}

/** `pciplat simulate --format json`; `findings` already de-duplicated and sorted by the caller. */
export function simulationJson(result: SimulationResult, findings: readonly Finding[], cwd: string, options: SimulationJsonOptions = {}): JsonObject {
    return {
        platform: result.platform,
        profile: result.profile,
        scenario: options.scenario,
        functions: result.functions.map(functionJson),
        groups: result.groups.map((g) => ({ id: g.id, members: g.members })),
        domains: result.domains.map(domainJson),
        assignable: result.assignable,
        trace: result.trace.map((e) => traceJson(e, cwd)),
        // Only when the trace was cut (hypervisor/state.ts, MAX_TRACE_EVENTS).
        ...(result.traceLeftOut ? { traceLeftOut: result.traceLeftOut } : {}),
        findings: findings.map((f) => findingJson(f, cwd)),
    };
}
