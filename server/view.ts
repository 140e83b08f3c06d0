// Presentation helpers shared by hover, code lenses, symbols and the custom requests: which
// model object and which last result belong to an AST node, and how values are printed.
import { AstUtils, type AstNode } from 'langium';
import * as ast from '../language/generated/ast.js';
import { lowerPlatform } from '../language/lower/lower-platform.js';
import { functionJson, hexString, type JsonLike, type JsonObject } from '../src/cli/format-json.js';
import type { FunctionResult } from '../src/engine/result.js';
import type * as m from '../src/model/platform.js';
import { allFunctions } from '../src/model/walk.js';
import type { StoredResult } from './simulation/results.js';
import type { ResultStore } from './simulation/results.js';

/** A platform's model, with its last simulation result when there is one. */
export interface PlatformView {
    platform: m.Platform;
    entry?: StoredResult;
}

export const hex = hexString;

/** `128 KiB`, `4 GiB`, `0x1234 bytes` for sizes that are not a whole unit. */
export function sizeText(size: bigint): string {
    const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
    let value = size;
    let unit = 0;
    while (unit < units.length - 1 && value >= 1024n && value % 1024n === 0n) {
        value /= 1024n;
        unit++;
    }
    if (unit === 0) return size < 1024n ? `${size} bytes` : `${hex(size)} bytes`;
    return `${value} ${units[unit]}`;
}

/** A JSON-like value as short inline Markdown (bigints in hex). */
export function valueText(value: JsonLike): string {
    if (value === null || value === undefined) return '—';
    if (typeof value === 'bigint') return `\`${hex(value)}\``;
    if (typeof value === 'string') return value === '' ? '""' : `\`${value}\``;
    if (typeof value === 'number' || typeof value === 'boolean') return `\`${String(value)}\``;
    if (Array.isArray(value)) return value.length === 0 ? '[]' : value.map(valueText).join(', ');
    return Object.entries(value)
        .map(([k, v]) => `${k}: ${valueText(v)}`)
        .join(', ');
}

/** Friendlier labels for result fields; any other field is shown under its JSON name. */
const FIELD_LABELS: Record<string, string> = {
    group: 'IOMMU group',
    streamIds: 'StreamIDs',
    deviceIds: 'ITS DeviceIDs',
    aliases: 'DMA aliases',
    msiRid: 'MSI requester ID',
    invisible: 'not enumerated',
    pf: 'physical function',
    secondary: 'secondary bus',
    subordinate: 'subordinate bus',
    windows: 'bridge windows',
    rom: 'ROM',
};

/** Fields of a result object a hover does not show on its own: later engine fields flow through here. */
export function extraFieldLines(object: JsonObject, known: ReadonlySet<string>, arch?: m.Arch): string[] {
    const labels = arch === 'x86_64' ? { ...FIELD_LABELS, ...X86_FIELD_LABELS } : FIELD_LABELS;
    return Object.entries(object)
        .filter(([key, value]) => !known.has(key) && value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0))
        .map(([key, value]) => `- **${labels[key] ?? key}**: ${valueText(value)}`);
}

/** On x86 the IDs the IOMMU sees are requester IDs, in the VT-d and AMD-Vi tables' own words. */
const X86_FIELD_LABELS: Record<string, string> = {
    streamIds: 'IOMMU requester IDs (VT-d source-id, AMD-Vi DeviceID)',
};

export function nameOf(node: AstNode): string | undefined {
    const name = (node as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
}

export function documentUriOf(node: AstNode): string {
    return AstUtils.getDocument(node).uri.toString();
}


/** Per lowered platform: every function by name (the first of a name), with its host bridge. */
const functionIndex = new WeakMap<m.Platform, Map<string, { fn: m.PciFunction; hostBridge: m.HostBridge }>>();

export function modelFunction(platform: m.Platform, name: string): { fn: m.PciFunction; hostBridge: m.HostBridge } | undefined {
    let index = functionIndex.get(platform);
    if (!index) {
        index = new Map();
        for (const hostBridge of platform.hostBridges) {
            for (const fn of allFunctions(hostBridge.functions)) if (!index.has(fn.name)) index.set(fn.name, { fn, hostBridge });
        }
        functionIndex.set(platform, index);
    }
    return index.get(name);
}

interface ResultIndex {
    functions: Map<string, FunctionResult>;
    vfs: Map<string, FunctionResult[]>;
    /** Items of the other collections by the names they mention (see `mentions`). */
    items?: Map<string, { collection: string; item: Record<string, unknown> }[]>;
}

/** Per result: lookups by name, built once (hovers on big platforms must not scan 10k results each time). */
const resultIndex = new WeakMap<object, ResultIndex>();

function indexOf(result: StoredResult['result']): ResultIndex {
    let index = resultIndex.get(result);
    if (!index) {
        index = { functions: new Map(), vfs: new Map() };
        for (const f of result.functions ?? []) {
            if (!index.functions.has(f.name)) index.functions.set(f.name, f);
            const vf = /^(.*)\.vf\[\d+\]$/.exec(f.name);
            if (vf) {
                const list = index.vfs.get(vf[1]!) ?? [];
                list.push(f);
                index.vfs.set(vf[1]!, list);
            }
        }
        resultIndex.set(result, index);
    }
    return index;
}

/** The last result's function of that name. */
export function functionResult(entry: StoredResult | undefined, name: string): FunctionResult | undefined {
    return entry ? indexOf(entry.result).functions.get(name) : undefined;
}

/** The function's result and those of its SR-IOV VFs (`name.vf[i]`). */
export function functionResults(entry: StoredResult | undefined, name: string): { own?: FunctionResult; vfs: FunctionResult[] } {
    if (!entry) return { vfs: [] };
    const index = indexOf(entry.result);
    return { own: index.functions.get(name), vfs: index.vfs.get(name) ?? [] };
}

export function functionResultJson(f: FunctionResult): JsonObject {
    try {
        return functionJson(f);
    } catch {
        return { name: f.name, kind: f.kind };
    }
}

/**
 * Objects of the last result's other collections (everything but functions and findings) that
 * name `name`: whatever the engine grows (host bridges, groups, domains, StreamIDs...) shows up
 * in hovers without changes here.
 */
export function resultItemsNamed(entry: StoredResult | undefined, name: string): { collection: string; item: Record<string, unknown> }[] {
    if (!entry) return [];
    const index = indexOf(entry.result);
    if (!index.items) {
        const items = new Map<string, { collection: string; item: Record<string, unknown> }[]>();
        for (const [collection, value] of Object.entries(entry.result as unknown as Record<string, unknown>)) {
            if (collection === 'functions' || collection === 'findings' || !Array.isArray(value)) continue;
            for (const item of value) {
                if (!item || typeof item !== 'object') continue;
                for (const mentioned of mentions(item as Record<string, unknown>)) {
                    const list = items.get(mentioned) ?? [];
                    list.push({ collection, item: item as Record<string, unknown> });
                    items.set(mentioned, list);
                }
            }
        }
        index.items = items;
    }
    return index.items.get(name) ?? [];
}

/** The names a result item is about: its name or host bridge, and the names its lists hold (group members). */
function mentions(item: Record<string, unknown>): Set<string> {
    const names = new Set<string>();
    if (typeof item.name === 'string') names.add(item.name);
    if (typeof item.hostBridge === 'string') names.add(item.hostBridge);
    for (const v of Object.values(item)) if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') names.add(x);
    return names;
}

/** Renders a plain result object (bigints, nested arrays) as Markdown list lines, without `loc`. */
export function plainObjectLines(item: Record<string, unknown>): string[] {
    return Object.entries(item)
        .filter(([key, value]) => key !== 'loc' && key !== 'name' && value !== undefined)
        .map(([key, value]) => `- **${FIELD_LABELS[key] ?? key}**: ${valueText(toJsonLike(value))}`);
}

function toJsonLike(value: unknown, depth = 0): JsonLike {
    if (value === null || value === undefined || typeof value === 'bigint' || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    if (depth > 3) return '…';
    if (Array.isArray(value)) return value.slice(0, 16).map((v) => toJsonLike(v, depth + 1));
    if (typeof value === 'object') {
        const out: JsonObject = {};
        for (const [k, v] of Object.entries(value)) if (k !== 'loc' && typeof v !== 'function') out[k] = toJsonLike(v, depth + 1);
        return out;
    }
    return String(value);
}

/** The platform or SoC that contains `node`, if any. */
export function containerOf(node: AstNode): ast.Platform | ast.Soc | undefined {
    return AstUtils.getContainerOfType(node, (n): n is ast.Platform | ast.Soc => ast.isPlatform(n) || ast.isSoc(n));
}

/** Lowers a SoC's hardware as if it were a platform of its own (hover before any simulation). */
function lowerSoc(soc: ast.Soc): m.Platform {
    const pseudo = {
        $type: 'Platform',
        $container: soc.$container,
        $containerProperty: soc.$containerProperty,
        $containerIndex: soc.$containerIndex,
        $cstNode: soc.$cstNode,
        $document: soc.$document,
        name: soc.name,
        title: undefined,
        arch: [],
        socs: [],
        items: soc.items,
        iorts: [],
        xens: [],
        kvms: [],
        linuxes: [],
        scenarios: [],
    } as unknown as ast.Platform;
    return lowerPlatform(pseudo);
}

/**
 * The last lowering of a platform or SoC without a result (hovers before the first simulation):
 * lowering a 10k-function platform takes ~50 ms, once per text rather than per hover. Keyed by
 * the AST node and the document's text (an edit may re-parse a document in place, keeping its
 * nodes; a file read from disk has version 0 whatever it holds). Only the most recent one is
 * kept (one model, not one per container hovered).
 */
let lastLowered: { container: ast.Platform | ast.Soc; text: string; platform: m.Platform } | undefined;

function loweredNow(container: ast.Platform | ast.Soc): m.Platform {
    const text = AstUtils.getDocument(container).textDocument.getText();
    if (lastLowered?.container === container && lastLowered.text === text) return lastLowered.platform;
    const platform = ast.isPlatform(container) ? lowerPlatform(container) : lowerSoc(container);
    lastLowered = { container, text, platform };
    return platform;
}

/**
 * The platform views an AST object is part of: the last results of the platforms whose import
 * closure holds the object's file and whose model has an object of that name (`has`); without
 * any, the object's own platform (or SoC) lowered now, unsimulated.
 */
export function platformViews(node: AstNode, store: ResultStore | undefined, has: (platform: m.Platform) => boolean, limit = 3): PlatformView[] {
    const uri = documentUriOf(node);
    const container = containerOf(node);
    const views: PlatformView[] = [];
    for (const entry of store?.seeing(uri) ?? []) {
        if (!has(entry.platform)) continue;
        // A platform declared in this very file: only the one that contains the node.
        if (entry.uri === uri && ast.isPlatform(container) && entry.platformName !== container.name && !ast.isSoc(container)) continue;
        views.push({ platform: entry.platform, entry });
        if (views.length >= limit) break;
    }
    if (views.length > 0) {
        lastLowered = undefined; // results exist now: do not keep a second model around
        return views;
    }
    try {
        if (ast.isPlatform(container) || ast.isSoc(container)) return [{ platform: loweredNow(container) }];
    } catch {
        // lowering never throws by contract; a hover must not fail either way
    }
    return [];
}

/** `version 7` or `versions a.pciplat 7, soc.pciplat 3` of a stored result. */
export function resultAge(entry: StoredResult, currentVersion: (uri: string) => number | undefined): string {
    const stale = Object.entries(entry.versions).some(([uri, v]) => currentVersion(uri) !== v);
    const ms = entry.millis < 1 ? '<1 ms' : `${Math.round(entry.millis)} ms`;
    return stale ? `last successful simulation (${ms}), before your latest edits` : `simulated in ${ms}`;
}
