// The custom requests of protocol.ts: pciplat/simulate, pciplat/addressMap, pciplat/topology,
// pciplat/compare (server/compare.ts), pciplat/exportTargets, pciplat/export, pciplat/import
// (server/import.ts).
// They answer for the document's current text (waiting for Langium to validate it); simulate runs
// on a worker thread like the background runs; addressMap and topology use the last completed
// result for what only a simulation knows (placed BAR addresses, enumerated bus numbers).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
import { workerData, type MessagePort } from 'node:worker_threads';
import { relayMemory } from './relay-memory.js';
import { DocumentState, URI, type LangiumDocument } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken, type Connection } from 'vscode-languageserver';
import { isModel, type Model } from '../language/generated/ast.js';
import { lowerModel } from '../language/lower/lower-platform.js';
import { importClosure } from '../language/scope/import-closure.js';
import { documentFindings } from '../language/workspace/findings.js';
import { collectFindings } from '../src/cli/findings.js';
import { simulationJson, stringifyJson } from '../src/cli/format-json.js';
import { formatSbdf } from '../src/cli/format-text.js';
import { isProfile, PROFILES } from '../src/engine/profile.js';
import { readRealGroups } from '../src/cli/real-groups.js';
import { compareResultOf, unusableRealResult } from './compare.js';
import { runImportRequest } from './import.js';
import type { FunctionResult } from '../src/engine/result.js';
import type * as m from '../src/model/platform.js';
import type { SourceLoc } from '../src/model/source.js';
import type { ServerContext } from './context.js';
import { chooseGuest, EXPORTERS, exporterNamed, exportFileName, exportTargets, ExportUsageError } from '../src/export/exporter.js';
import {
    ADDRESS_MAP_METHOD,
    COMPARE_METHOD,
    type CompareParams,
    type CompareResult,
    EXPORT_METHOD,
    EXPORT_TARGETS_METHOD,
    IMPORT_METHOD,
    type ImportParams,
    type ImportResult,
    type ExportParams,
    type ExportResult,
    type ExportTargetsParams,
    type ExportTargetsResult,
    SERVER_STATS_METHOD,
    SIMULATE_METHOD,
    TOPOLOGY_METHOD,
    type AddressMapParams,
    type AddressMapResult,
    type AddressRegion,
    type PlatformAddressMap,
    type ServerStatsResult,
    type ServerStatsParams,
    type SimulateParams,
    type SimulateResult,
    type SourceRange,
    type TopologyFunction,
    type TopologyParams,
    type TopologyResult,
} from './protocol.js';
import { platformKey } from './simulation/scheduler.js';
import type { StoredResult } from './simulation/results.js';
import { functionResultJson, hex } from './view.js';

function range(loc: SourceLoc | undefined): SourceRange | undefined {
    return loc && { uri: loc.uri, range: { start: loc.start, end: loc.end } };
}

function failure(message: string, code: number = ErrorCodes.InvalidParams): ResponseError<void> {
    return new ResponseError(code, message);
}

function names(items: readonly { name: string }[]): string {
    return items.map((i) => i.name).join(', ');
}

export class CustomRequests {
    constructor(
        private readonly shared: LangiumSharedServices,
        private readonly context: ServerContext,
    ) {}

    register(connection: Connection): void {
        connection.onRequest(SIMULATE_METHOD, (params: SimulateParams, token) => this.guard(() => this.simulate(params ?? {}, token)));
        connection.onRequest(ADDRESS_MAP_METHOD, (params: AddressMapParams, token) => this.guard(() => this.addressMap(params ?? {}, token)));
        connection.onRequest(TOPOLOGY_METHOD, (params: TopologyParams, token) => this.guard(() => this.topology(params ?? {}, token)));
        connection.onRequest(SERVER_STATS_METHOD, (params: ServerStatsParams | undefined) => this.guard(() => this.stats(params ?? {})));
        connection.onRequest(COMPARE_METHOD, (params: CompareParams, token) => this.guard(() => this.compare(params ?? {}, token)));
        connection.onRequest(EXPORT_TARGETS_METHOD, (params: ExportTargetsParams, token) => this.guard(() => this.exportTargets(params ?? {}, token)));
        connection.onRequest(EXPORT_METHOD, (params: ExportParams, token) => this.guard(() => this.export(params ?? {}, token)));
        connection.onRequest(IMPORT_METHOD, (params: ImportParams, token) => this.guard(() => this.import((params ?? {}) as ImportParams, token)));
    }

    /** Errors become response errors with a one-line message, never a stack trace. */
    private async guard<T>(run: () => Promise<T>): Promise<T | ResponseError<void>> {
        try {
            return await run();
        } catch (error) {
            if (error instanceof ResponseError) return error as ResponseError<void>;
            this.context.background?.log(`pciplat: request failed: ${error instanceof Error ? error.message : String(error)}`);
            return failure(`pciplat failed: ${error instanceof Error ? error.message : String(error)}`, ErrorCodes.InternalError);
        }
    }

    /** The document at `uri`, validated for its current text (loaded from disk when not open). */
    async document(uri: string | undefined, token: CancellationToken): Promise<LangiumDocument<Model>> {
        if (typeof uri !== 'string' || uri === '') throw failure('the request needs a `uri`');
        let parsed: URI;
        try {
            parsed = URI.parse(uri);
        } catch {
            throw failure(`not a URI: ${uri}`);
        }
        const workspace = this.shared.workspace;
        await workspace.WorkspaceManager.ready;
        if (!workspace.LangiumDocuments.hasDocument(parsed)) {
            await workspace.WorkspaceLock.write((t) => workspace.DocumentBuilder.update([parsed], [], t));
        }
        const document = workspace.LangiumDocuments.getDocument(parsed);
        if (!document) throw failure(`${uri} is not a pciplat file the server can read`);
        try {
            await workspace.DocumentBuilder.waitUntil(DocumentState.Validated, parsed, token);
        } catch {
            // cancelled or the builder moved on: answer from the document as it is
        }
        if (!isModel(document.parseResult?.value)) throw failure(`${uri} could not be parsed`);
        return document as LangiumDocument<Model>;
    }

    private platforms(document: LangiumDocument<Model>): m.Platform[] {
        return lowerModel(document.parseResult.value).filter((p) => p.name !== '');
    }

    async stats(params: ServerStatsParams = {}): Promise<ServerStatsResult> {
        const background = this.context.background;
        // `gc` exists only under --expose-gc (the soak starts the server so, to measure RSS fairly):
        // the idle simulation workers' heaps first, then this thread's.
        const gc = (globalThis as { gc?: () => void }).gc;
        const collected = params.collectGarbage === true && typeof gc === 'function';
        // The relay thread first (its heap holds every message on its way), then the workers.
        const relay = collected ? await relayMemory((workerData as { relayMemory?: MessagePort } | null)?.relayMemory) : undefined;
        const workers = collected ? await background?.pool.collectGarbage() : undefined;
        // Twice: a full GC returns while its sweeper still frees pages on background threads
        // (RSS read right after one GC can be hundreds of MiB above what it is a moment later);
        // the second one first completes the first's sweeping, so its pages are gone.
        if (collected) {
            gc();
            gc();
        }
        const usage = process.memoryUsage();
        const heapSpaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
        return {
            lowerings: background?.stats.lowerings ?? 0,
            scheduled: background?.scheduler.stats.scheduled ?? 0,
            quietDeferred: background?.quiet.stats.deferred ?? 0,
            replaced: background?.scheduler.stats.replaced ?? 0,
            completed: background?.scheduler.stats.completed ?? 0,
            dropped: background?.stats.dropped ?? 0,
            delivered: background?.stats.delivered ?? 0,
            skippedUnparsable: background?.stats.skippedUnparsable ?? 0,
            deferredUntilSave: background?.stats.deferredUntilSave ?? 0,
            workersStarted: background?.pool.started ?? 0,
            cancelledInWorker: background?.pool.cancelledInWorker ?? 0,
            workersTerminated: background?.pool.terminated ?? 0,
            results: background?.store.all().length ?? 0,
            pciIds: this.context.pciIds.source,
            memory: { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, collected, workersCollected: workers?.workers ?? 0, heapSpaces, workerHeapSpaces: workers?.spaces ?? {}, relayHeapSpaces: relay?.spaces ?? {}, mallocMmapThreshold: process.env.MALLOC_MMAP_THRESHOLD_ ?? null },
        };
    }

    /** The platform a request names, or the document's only one. */
    private pickPlatform(document: LangiumDocument<Model>, wanted: string | undefined): m.Platform {
        const file = path.basename(document.uri.path);
        const platforms = this.platforms(document);
        if (wanted !== undefined) {
            const platform = platforms.find((p) => p.name === wanted);
            if (!platform) throw failure(platforms.length === 0 ? `${file} declares no platform` : `${file} declares no platform '${wanted}'; its platforms: ${names(platforms)}`);
            return platform;
        }
        if (platforms.length === 1) return platforms[0]!;
        if (platforms.length === 0) throw failure(`${file} declares no platform`);
        throw failure(`${file} declares ${platforms.length} platforms; choose one with \`platform\`: ${names(platforms)}`);
    }

    /** One simulation on a worker thread, with the findings of the document's import closure. */
    private async simulateOnce(document: LangiumDocument<Model>, platform: m.Platform, options: { profile?: m.Profile; scenario?: string }) {
        const background = this.context.background;
        if (!background) throw failure('the server is not initialized', ErrorCodes.ServerNotInitialized);
        const outcome = await background.runOnce(platform, options);
        if (outcome.kind === 'cancelled') throw failure('the simulation was cancelled', LSPErrorCodes.RequestCancelled);
        if (outcome.kind === 'timeout') throw failure(`the simulation of ${platform.name} took too long and was stopped`, ErrorCodes.InternalError);
        if (outcome.kind === 'out-of-memory') throw failure(`the simulation of ${platform.name} needed more than the ${outcome.ceilingMb} MiB heap ceiling and was stopped`, ErrorCodes.InternalError);
        if (outcome.kind === 'error') throw failure(`pciplat could not simulate ${platform.name}: ${outcome.message}`, ErrorCodes.InternalError);
        const documents = this.shared.workspace.LangiumDocuments;
        const languageFindings = [...importClosure(document, documents)].flatMap((uri) => {
            const doc = documents.getDocument(URI.parse(uri));
            return doc ? documentFindings(doc) : [];
        });
        return { result: outcome.result, findings: collectFindings(languageFindings, outcome.result.findings ?? []) };
    }

    // --- pciplat/simulate ----------------------------------------------------------------------

    async simulate(params: SimulateParams, token: CancellationToken): Promise<SimulateResult> {
        const document = await this.document(params?.uri, token);
        const platform = this.pickPlatform(document, params.platform);
        if (params.profile !== undefined && !isProfile(params.profile)) throw failure(`unknown profile '${params.profile}'; profiles: ${PROFILES.join(', ')}`);
        if (params.scenario !== undefined && !platform.scenarios.some((s) => s.name === params.scenario)) {
            const known = platform.scenarios.length === 0 ? 'it declares no scenarios' : `its scenarios: ${names(platform!.scenarios)}`;
            throw failure(`platform ${platform.name} has no scenario '${params.scenario}'; ${known}`);
        }
        const background = this.context.background;
        if (!background) throw failure('the server is not initialized', ErrorCodes.ServerNotInitialized);
        const versions = background.closureVersions(document);
        const { result, findings } = await this.simulateOnce(document, platform, { profile: params.profile as m.Profile | undefined, scenario: params.scenario });
        const json = simulationJson(result, findings, path.dirname(document.uri.fsPath), { scenario: params.scenario });
        const plain = JSON.parse(stringifyJson(json)) as Record<string, unknown>;
        return { uri: document.uri.toString(), versions, ...plain } as SimulateResult;
    }

    // --- pciplat/compare -----------------------------------------------------------------------

    async compare(params: CompareParams, token: CancellationToken): Promise<CompareResult> {
        const document = await this.document(params?.uri, token);
        if (typeof params.real !== 'string' || params.real === '') throw failure("the request needs `real`: the real machine's groups listing or sysfs snapshot folder");
        const platform = this.pickPlatform(document, params.platform);
        let realPath: string;
        try {
            realPath = params.real.startsWith('file:') ? fileURLToPath(params.real) : path.resolve(path.dirname(document.uri.fsPath), params.real);
        } catch {
            throw failure(`not a file URI or path: ${params.real}`);
        }
        let real;
        try {
            real = await readRealGroups(realPath);
        } catch (error) {
            const code = (error as { code?: unknown }).code;
            throw failure(`cannot read ${params.real}${typeof code === 'string' ? ` (${code})` : ''}`);
        }
        const background = this.context.background;
        if (!background) throw failure('the server is not initialized', ErrorCodes.ServerNotInitialized);
        const versions = background.closureVersions(document);
        const uri = document.uri.toString();
        const realUri = URI.file(realPath).toString();
        if (real.findings.length > 0) return unusableRealResult(platform, real, uri, realUri, versions);
        // The boot-time groups do not depend on the profile or a scenario: the implicit run.
        const outcome = await background.runOnce(platform, {});
        if (outcome.kind === 'cancelled') throw failure('the simulation was cancelled', LSPErrorCodes.RequestCancelled);
        if (outcome.kind === 'timeout') throw failure(`the simulation of ${platform.name} took too long and was stopped`, ErrorCodes.InternalError);
        if (outcome.kind === 'out-of-memory') throw failure(`the simulation of ${platform.name} needed more than the ${outcome.ceilingMb} MiB heap ceiling and was stopped`, ErrorCodes.InternalError);
        if (outcome.kind === 'error') throw failure(`pciplat could not simulate ${platform.name}: ${outcome.message}`, ErrorCodes.InternalError);
        return compareResultOf(platform, outcome.result, real, uri, realUri, versions);
    }

    // --- pciplat/exportTargets, pciplat/export ------------------------------------------------

    async exportTargets(params: ExportTargetsParams, token: CancellationToken): Promise<ExportTargetsResult> {
        const document = await this.document(params?.uri, token);
        const platform = this.pickPlatform(document, params.platform);
        return { uri: document.uri.toString(), platform: platform.name, targets: exportTargets(platform) };
    }

    async export(params: ExportParams, token: CancellationToken): Promise<ExportResult> {
        const document = await this.document(params?.uri, token);
        const exporter = typeof params.format === 'string' ? exporterNamed(params.format) : undefined;
        if (!exporter) throw failure(`unknown export format '${String(params.format)}'; formats: ${EXPORTERS.map((e) => e.format).join(', ')}`);
        const platform = this.pickPlatform(document, params.platform);
        if (params.profile !== undefined && !isProfile(params.profile)) throw failure(`unknown profile '${params.profile}'; profiles: ${PROFILES.join(', ')}`);
        const { result, findings } = await this.simulateOnce(document, platform, { profile: params.profile as m.Profile | undefined });
        let guest;
        try {
            guest = chooseGuest(exporter, platform, result, { domain: params.domain, vm: params.vm });
        } catch (error) {
            if (error instanceof ExportUsageError) throw failure(error.message);
            throw error;
        }
        const errors = findings.filter((f) => f.severity === 'error').length;
        const base = { uri: document.uri.toString(), platform: platform.name, format: exporter.format, fileName: exportFileName(exporter, platform.name, guest?.name), language: exporter.language, errors };
        if (errors > 0 && !params.force) {
            return { ...base, text: null, message: `platform ${platform.name} has ${errors} error finding${errors === 1 ? '' : 's'}; nothing exported (export anyway with \`force\`)` };
        }
        return { ...base, text: exporter.render({ platform, result, names: this.context.pciIds, guest }) };
    }

    // --- pciplat/import ------------------------------------------------------------------------

    async import(params: ImportParams, token: CancellationToken): Promise<ImportResult> {
        return runImportRequest(params, async (uri) => {
            // The file may be one the server read before (an overwrite): read it again first.
            const parsed = URI.parse(uri);
            const workspace = this.shared.workspace;
            await workspace.WorkspaceManager.ready;
            await workspace.WorkspaceLock.write((t) => workspace.DocumentBuilder.update([parsed], [], t));
            return documentFindings(await this.document(uri, token));
        });
    }

    // --- pciplat/addressMap --------------------------------------------------------------------

    async addressMap(params: AddressMapParams, token: CancellationToken): Promise<AddressMapResult> {
        const document = await this.document(params?.uri, token);
        const uri = document.uri.toString();
        const platforms = this.platforms(document).filter((p) => params.platform === undefined || p.name === params.platform);
        if (params.platform !== undefined && platforms.length === 0) throw failure(`no platform '${params.platform}' in ${path.basename(document.uri.path)}`);
        return { uri, platforms: platforms.map((p) => addressMapOf(p, this.context.background?.store.get(platformKey(uri, p.name)))) };
    }

    // --- pciplat/topology ----------------------------------------------------------------------

    async topology(params: TopologyParams, token: CancellationToken): Promise<TopologyResult> {
        const document = await this.document(params?.uri, token);
        const uri = document.uri.toString();
        const ids = this.context.pciIds;
        return {
            uri,
            platforms: this.platforms(document).map((platform) => {
                const entry = this.context.background?.store.get(platformKey(uri, platform.name));
                const byName = new Map((entry?.result.functions ?? []).map((f) => [f.name, f]));
                const node = (fn: m.PciFunction, hb: m.HostBridge, index: number, bus: bigint | undefined): TopologyFunction => {
                    const result = byName.get(fn.name);
                    const json = result ? functionResultJson(result) : undefined;
                    const group = json?.group ?? json?.iommuGroup;
                    const segment = hb.segment ?? BigInt(index);
                    const ownBus = fn.address.bus ?? bus;
                    const vfs = (entry?.result.functions ?? []).filter((f) => f.name.startsWith(`${fn.name}.vf[`));
                    return {
                        name: fn.name,
                        kind: fn.kind,
                        sbdf: result ? formatSbdf(result) : formatSbdf({ segment, bus: ownBus, device: fn.address.device, fn: fn.address.fn }),
                        rid: typeof json?.rid === 'bigint' ? hex(json.rid) : null,
                        group: typeof group === 'bigint' ? hex(group) : typeof group === 'string' || typeof group === 'number' ? group : null,
                        vendor: fn.vendor !== undefined ? hex(fn.vendor) : null,
                        device: fn.device !== undefined ? hex(fn.device) : null,
                        vendorName: ids.vendorName(fn.vendor),
                        deviceName: ids.deviceName(fn.vendor, fn.device),
                        owner: typeof result?.owner === 'string' ? result.owner : null,
                        noGroup: result?.noGroup,
                        acsUnknown: result?.acsUnknown,
                        quirks: result?.quirks,
                        loc: range(fn.nameLoc),
                        children: [...fn.children.map((c) => node(c, hb, index, fn.secondary)), ...vfs.map((vf) => vfNode(vf, fn))],
                    };
                };
                return {
                    name: platform.name,
                    arch: platform.arch,
                    simulated: entry !== undefined,
                    loc: range(platform.loc),
                    hostBridges: platform.hostBridges.map((hb, index) => ({
                        name: hb.name,
                        segment: hb.segment !== undefined ? hex(hb.segment) : null,
                        busRange: [hex(hb.busStart), hex(hb.busEnd)] as [string, string],
                        loc: range(hb.nameLoc),
                        functions: hb.functions.map((f) => node(f, hb, index, hb.busStart)),
                    })),
                    groups: [...(entry?.result.groups ?? [])]
                        .sort((a, b) => a.id - b.id)
                        .map((g) => ({
                            id: g.id,
                            members: g.members.map((name) => {
                                const f = byName.get(name);
                                return { name, kind: f ? (f.pf !== undefined ? 'vf' : f.kind) : 'function', sbdf: f ? formatSbdf(f) : null, owner: typeof f?.owner === 'string' ? f.owner : null, loc: f ? range(f.loc) : undefined };
                            }),
                        })),
                };
            }),
        };
    }
}

function vfNode(vf: FunctionResult, pf: m.PciFunction): TopologyFunction {
    const json = functionResultJson(vf);
    const group = json.group ?? json.iommuGroup;
    return {
        name: vf.name,
        kind: 'vf',
        sbdf: formatSbdf(vf),
        rid: typeof json.rid === 'bigint' ? hex(json.rid) : null,
        group: typeof group === 'bigint' ? hex(group) : typeof group === 'string' || typeof group === 'number' ? group : null,
        vendor: pf.vendor !== undefined ? hex(pf.vendor) : null,
        device: pf.sriov?.vfDevice !== undefined ? hex(pf.sriov.vfDevice) : null,
        owner: typeof vf.owner === 'string' ? vf.owner : null,
        noGroup: vf.noGroup,
        quirks: vf.quirks,
        loc: range(vf.loc),
        children: [],
    };
}

/** PCI bus address → CPU address through the host bridge window that holds it (identity otherwise). */
function toCpu(hb: m.HostBridge, space: m.BarKind, address: bigint): bigint {
    for (const w of hb.windows) {
        const sameSpace = space === 'io' ? w.kind === 'io' : w.kind !== 'io';
        if (sameSpace && address >= w.pciBase && address < w.pciBase + w.size) return address - w.pciBase + w.cpuBase;
    }
    return address;
}

export function addressMapOf(platform: m.Platform, entry: StoredResult | undefined): PlatformAddressMap {
    const regions: AddressRegion[] = [];
    const region = (r: Omit<AddressRegion, 'base' | 'size' | 'end'>, base: bigint, size: bigint | undefined) =>
        regions.push({ ...r, base: hex(base), size: size !== undefined ? hex(size) : null, end: size !== undefined && size > 0n ? hex(base + size - 1n) : null });
    for (const r of platform.memory) region({ kind: 'memory', name: r.name, owner: 'platform', loc: range(r.loc) }, r.base, r.size);
    for (const r of platform.reserved) region({ kind: 'reserved', name: r.name, owner: r.kind, loc: range(r.loc) }, r.base, r.size);
    for (const i of platform.its) region({ kind: 'its', name: i.name, loc: range(i.loc) }, i.base, undefined);
    for (const s of platform.smmus) region({ kind: 'smmu', name: s.name, loc: range(s.loc) }, s.base, s.size);
    for (const g of platform.gics) region({ kind: 'gic', name: g.name, loc: range(g.loc) }, g.base, undefined);
    for (const a of platform.ioapics) region({ kind: 'ioapic', name: a.name, loc: range(a.loc) }, a.base, undefined);
    for (const x of platform.x86Iommus) region({ kind: 'iommu', name: x.name, loc: range(x.loc) }, x.base, undefined);
    for (const d of platform.platformDevices) {
        if (d.io) continue; // an x86 I/O port, not in the physical address map
        region({ kind: d.kind, name: d.name, loc: range(d.loc) }, d.base, d.size);
    }
    const results = new Map((entry?.result.functions ?? []).map((f) => [f.name, f]));
    const unplaced: PlatformAddressMap['unplaced'] = [];
    // On x86, I/O windows and I/O BARs are port space, not physical memory: they are not drawn
    // in the memory map (as the physical-map check leaves them out; src/fabric/physical-map.ts).
    // On Arm an I/O window is memory-mapped at its CPU address, and so are its BARs.
    const portSpace = (kind: m.BarKind | m.WindowKind) => kind === 'io' && platform.arch === 'x86_64';
    for (const hb of platform.hostBridges) {
        const owner = `host-bridge ${hb.name}`;
        if (hb.ecam) region({ kind: 'ecam', name: `${hb.name}.ecam`, owner, loc: range(hb.ecam.loc) }, hb.ecam.base, hb.ecam.size);
        if (hb.childEcam) region({ kind: 'child-ecam', name: `${hb.name}.child-ecam`, owner, loc: range(hb.childEcam.loc) }, hb.childEcam.base, hb.childEcam.size);
        hb.windows.forEach((w, i) =>
            portSpace(w.kind) ? undefined : region({ kind: 'host-window', name: `${hb.name}.window${i}`, owner, space: w.kind, prefetchable: w.prefetchable, pciBase: hex(w.pciBase), loc: range(w.loc) }, w.cpuBase, w.size),
        );
        const visit = (fn: m.PciFunction) => {
            const simulated = results.get(fn.name);
            const all = [...(simulated ? [simulated] : []), ...[...results.values()].filter((f) => f.name.startsWith(`${fn.name}.vf[`))];
            if (all.length === 0) {
                for (const b of fn.bars) {
                    if (b.address === undefined || portSpace(b.kind)) continue;
                    region({ kind: 'bar', name: `${fn.name}.bar${b.index}`, owner: `function ${fn.name}`, space: b.kind, prefetchable: b.prefetchable, origin: 'written', loc: range(b.loc) }, toCpu(hb, b.kind, b.address), b.size);
                }
            }
            for (const f of all) {
                for (const b of f.bars ?? []) {
                    if (portSpace(b.kind)) continue;
                    const declared = fn.bars.find((d) => d.index === b.index);
                    const loc = range(declared?.loc ?? f.loc);
                    if (b.address === undefined) {
                        unplaced.push({ name: `${f.name}.bar${b.index}`, size: hex(b.size), space: b.kind, loc });
                        continue;
                    }
                    const origin = f.name === fn.name && declared?.address !== undefined ? 'written' : 'placed';
                    region({ kind: 'bar', name: `${f.name}.bar${b.index}`, owner: `function ${f.name}`, space: b.kind, prefetchable: b.prefetchable, origin, loc }, toCpu(hb, b.kind, b.address), b.size);
                }
            }
            fn.children.forEach(visit);
        };
        hb.functions.forEach(visit);
    }
    regions.sort((a, b) => {
        const d = BigInt(a.base) - BigInt(b.base);
        if (d !== 0n) return d < 0n ? -1 : 1;
        const sa = a.size === null ? 0n : BigInt(a.size);
        const sb = b.size === null ? 0n : BigInt(b.size);
        return sa === sb ? 0 : sa > sb ? -1 : 1;
    });
    return { platform: platform.name, simulated: entry !== undefined, regions, unplaced };
}
