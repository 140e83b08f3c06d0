// Hovers on functions, host bridges, SMMUs, ITSs, iommu-map/msi-map entries and domains:
// Markdown with what the model says and what the last simulation computed (SBDF, RID, BARs with
// size and address, and every further field the engine adds to its result: see view.ts). Hovers
// answer from the last completed result and never wait for a running simulation.
import { allFunctions } from '../src/model/walk.js';
import { CstUtils, type AstNode, type LangiumDocument } from 'langium';
import { MultilineCommentHoverProvider, type LangiumServices } from 'langium/lsp';
import type { Hover, HoverParams } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';
import type { FunctionResult } from '../src/engine/result.js';
import type * as m from '../src/model/platform.js';
import type { ServerContext } from './context.js';
import { groupAndQuirkLines } from './hover-quirks.js';
import {
    extraFieldLines,
    functionResultJson,
    functionResults,
    hex,
    modelFunction,
    plainObjectLines,
    platformViews,
    resultAge,
    resultItemsNamed,
    sizeText,
    type PlatformView,
} from './view.js';

const FUNCTION_FIELDS_SHOWN = new Set(['name', 'kind', 'sbdf', 'rid', 'bars', 'bus', 'group', 'noGroup', 'acsUnknown', 'quirks', 'owner', 'refused']);
const MAX_LISTED = 12;

export class PciplatHoverProvider extends MultilineCommentHoverProvider {
    constructor(
        services: LangiumServices,
        private readonly context: ServerContext,
    ) {
        super(services);
    }

    override async getHoverContent(document: LangiumDocument, params: HoverParams): Promise<Hover | undefined> {
        try {
            const hover = await super.getHoverContent(document, params);
            if (hover) return hover;
            return this.hoverInside(document, params);
        } catch (error) {
            this.context.background?.log(`pciplat: hover failed: ${error instanceof Error ? error.message : String(error)}`);
            return undefined;
        }
    }

    /** Declarations and references: our Markdown, then the documentation comment if any. */
    protected override async getAstNodeHoverContent(node: AstNode): Promise<string | undefined> {
        let ours: string | undefined;
        try {
            ours = this.markdownFor(node);
        } catch (error) {
            this.context.background?.log(`pciplat: hover failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        const documentation = await super.getAstNodeHoverContent(node);
        if (ours && documentation) return `${ours}\n\n---\n\n${documentation}`;
        return ours ?? documentation;
    }

    /** Unnamed objects under the cursor: map entries. */
    private hoverInside(document: LangiumDocument, params: HoverParams): Hover | undefined {
        const root = document.parseResult?.value?.$cstNode;
        if (!root) return undefined;
        const leaf = CstUtils.findLeafNodeAtOffset(root, document.textDocument.offsetAt(params.position));
        let node: AstNode | undefined = leaf?.astNode;
        while (node) {
            if (ast.isIommuMapEntry(node) || ast.isMsiMapEntry(node)) {
                const value = this.mapEntryMarkdown(node);
                return value ? { contents: { kind: 'markdown', value }, range: node.$cstNode?.range } : undefined;
            }
            node = node.$container;
        }
        return undefined;
    }

    markdownFor(node: AstNode): string | undefined {
        if (ast.isPciFunction(node)) return this.functionMarkdown(node);
        if (ast.isHostBridge(node)) return this.hostBridgeMarkdown(node);
        if (ast.isSmmu(node)) return this.smmuMarkdown(node);
        if (ast.isIts(node)) return this.itsMarkdown(node);
        if (ast.isXenDomain(node) || ast.isKvmVm(node) || ast.isDom0(node)) return this.domainMarkdown(node);
        return undefined;
    }

    private get store() {
        return this.context.background?.store;
    }

    private header(view: PlatformView, many: boolean): string | undefined {
        const { entry } = view;
        const age = entry ? resultAge(entry, (uri) => this.context.background?.currentVersion(uri)) : 'not simulated yet';
        return many || entry ? `*platform ${view.platform.name} — ${age}*` : `*${age}*`;
    }

    // --- functions -------------------------------------------------------------------------

    private functionMarkdown(node: ast.PciFunction): string {
        const name = node.name;
        const views = platformViews(node, this.store, (p) => modelFunction(p, name) !== undefined);
        const out = [`**${node.kind} ${name}**`];
        if (views.length === 0) out.push('*not simulated yet*');
        for (const view of views) {
            const found = modelFunction(view.platform, name);
            if (!found) continue;
            out.push('', ...this.functionSection(view, found.fn, found.hostBridge, views.length > 1));
        }
        return out.join('\n');
    }

    private functionSection(view: PlatformView, fn: m.PciFunction, hostBridge: m.HostBridge, many: boolean): string[] {
        const lines: string[] = [];
        const header = this.header(view, many);
        if (header) lines.push(header, '');
        const { own, vfs } = functionResults(view.entry, fn.name);
        const json = own ? functionResultJson(own) : undefined;
        // What a passthrough user asks first: which group, and who else is in it.
        if (own) lines.push(this.groupLine(view, own), '');
        if (json) {
            const parts = [`SBDF \`${String(json.sbdf)}\``];
            if (json.rid !== undefined && json.rid !== null) parts.push(`RID \`${typeof json.rid === 'bigint' ? hex(json.rid) : String(json.rid)}\``);
            parts.push(`host bridge ${hostBridge.name}`);
            lines.push(parts.join(' · '));
        } else {
            const a = fn.address;
            const written = a.bus !== undefined ? `${a.bus.toString(16).padStart(2, '0')}:${a.device.toString(16).padStart(2, '0')}.${a.fn.toString(16)}` : `??:${a.device.toString(16).padStart(2, '0')}.${a.fn.toString(16)}`;
            lines.push(`address \`${written}\` (as written) · host bridge ${hostBridge.name}`);
        }
        const ids = this.idLine(fn);
        if (ids) lines.push('', ids);
        lines.push('', ...this.barTable(fn, own));
        if (fn.rom) lines.push(`ROM ${sizeText(fn.rom.size)}${fn.rom.address !== undefined ? ` at \`${hex(fn.rom.address)}\`` : ''}${fn.rom.disabled ? ' (disabled)' : ''}`);
        if (fn.sriov) {
            lines.push('', `SR-IOV: ${fn.sriov.numVfs} of ${fn.sriov.totalVfs} VFs enabled (offset ${hex(fn.sriov.offset)}, stride ${hex(fn.sriov.stride)})`);
            for (const vf of vfs.slice(0, MAX_LISTED)) lines.push(`- ${vf.name} \`${String(functionResultJson(vf).sbdf)}\``);
            if (vfs.length > MAX_LISTED) lines.push(`- … ${vfs.length - MAX_LISTED} more`);
        }
        if (own) {
            const groupLines = groupAndQuirkLines(own);
            if (groupLines.length > 0) lines.push('', ...groupLines);
        }
        if (own) lines.push(...ownerLines(own));
        if (json) {
            const extra = extraFieldLines(json, FUNCTION_FIELDS_SHOWN, view.platform.arch);
            if (extra.length > 0) lines.push('', ...extra);
        }
        for (const { collection, item } of resultItemsNamed(view.entry, fn.name)) lines.push('', `*${collection}*`, ...plainObjectLines(item));
        return lines;
    }

    private groupLine(view: PlatformView, own: FunctionResult): string {
        if (own.group === null) return '**IOMMU group**: none (no IOMMU translates its DMA)';
        const members = view.entry?.result.groups.find((g) => g.id === own.group)?.members ?? [];
        const others = members.filter((m) => m !== own.name);
        const shown = others.slice(0, MAX_LISTED).join(', ');
        const more = others.length > MAX_LISTED ? `, … ${others.length - MAX_LISTED} more` : '';
        return `**IOMMU group ${own.group}**: ${others.length === 0 ? 'alone in its group' : `with ${shown}${more}`}`;
    }

    private idLine(fn: m.PciFunction): string | undefined {
        const ids = this.context.pciIds;
        const parts: string[] = [];
        if (fn.vendor !== undefined) {
            const vendor = ids.vendorName(fn.vendor);
            const device = ids.deviceName(fn.vendor, fn.device);
            const numbers = `${fn.vendor.toString(16).padStart(4, '0')}:${fn.device !== undefined ? fn.device.toString(16).padStart(4, '0') : '????'}`;
            parts.push(`${vendor ?? 'unknown vendor'}${device ? ` — ${device}` : ''} (\`${numbers}\`)`);
        }
        if (fn.classCode !== undefined) {
            const name = ids.className(fn.classCode);
            parts.push(`class ${name ? `${name} ` : ''}(\`${fn.classCode.toString(16).padStart(6, '0')}\`)`);
        }
        return parts.length > 0 ? parts.join(' · ') : undefined;
    }

    private barTable(fn: m.PciFunction, own: FunctionResult | undefined): string[] {
        const rows = (own?.bars ?? fn.bars).map((b) => {
            const address = b.address !== undefined ? `\`${hex(b.address)}\`` : own ? 'not placed' : 'placed by the simulation';
            return `| ${b.index} | ${b.kind}${b.prefetchable ? ' prefetch' : ''} | ${sizeText(b.size)} | ${address} |`;
        });
        if (rows.length === 0) return ['no BARs'];
        return ['| BAR | type | size | address |', '|---|---|---|---|', ...rows];
    }

    // --- host bridges ------------------------------------------------------------------------

    private hostBridgeMarkdown(node: ast.HostBridge): string {
        const name = node.name;
        const views = platformViews(node, this.store, (p) => p.hostBridges.some((h) => h.name === name));
        const out = [`**host-bridge ${name}**`];
        for (const view of views) {
            const hb = view.platform.hostBridges.find((h) => h.name === name);
            if (!hb) continue;
            const header = this.header(view, views.length > 1);
            out.push('');
            if (header) out.push(header, '');
            const segment = hb.segment !== undefined ? hex(hb.segment) : 'allocated by the OS';
            out.push(`segment ${segment} · buses \`${hex(hb.busStart)}..${hex(hb.busEnd)}\``);
            if (hb.ecam) out.push(`- ECAM (${hb.ecam.convention === 'mcfg' ? 'MCFG' : 'device tree'}) \`${hex(hb.ecam.base)}\` size ${sizeText(hb.ecam.size)}`);
            if (hb.childEcam) out.push(`- child ECAM \`${hex(hb.childEcam.base)}\` size ${sizeText(hb.childEcam.size)}`);
            for (const w of hb.windows) {
                const pci = w.pciBase !== w.cpuBase ? ` (PCI \`${hex(w.pciBase)}\`)` : '';
                out.push(`- window ${w.kind}${w.prefetchable ? ' prefetch' : ''} \`${hex(w.cpuBase)}\`${pci} size ${sizeText(w.size)}`);
            }
            for (const e of hb.iommuMap) out.push(`- iommu-map RID \`${hex(e.ridBase)}\` +${hex(e.count)} → ${e.target} \`${hex(e.targetBase)}\``);
            for (const e of hb.msiMap) out.push(`- msi-map RID \`${hex(e.ridBase)}\` +${hex(e.count)} → ${e.target} \`${hex(e.targetBase)}\``);
            const declared = allFunctions(hb.functions);
            const names = new Set(declared.map((f) => f.name));
            const simulated = view.entry?.result.functions.filter((f) => names.has(f.name) || names.has(f.name.replace(/\.vf\[\d+\]$/, ''))) ?? [];
            out.push('', `${declared.length} declared function${declared.length === 1 ? '' : 's'}${view.entry ? `, ${simulated.length} after enumeration (incl. VFs)` : ''}`);
            for (const { collection, item } of resultItemsNamed(view.entry, name)) out.push('', `*${collection}*`, ...plainObjectLines(item));
        }
        return out.join('\n');
    }

    // --- SMMUs and ITSs ------------------------------------------------------------------------

    private smmuMarkdown(node: ast.Smmu): string {
        const name = node.name;
        const views = platformViews(node, this.store, (p) => p.smmus.some((s) => s.name === name));
        const out = [`**smmu ${name}**`];
        for (const view of views) {
            const smmu = view.platform.smmus.find((s) => s.name === name);
            if (!smmu) continue;
            const header = this.header(view, views.length > 1);
            out.push('');
            if (header) out.push(header, '');
            out.push(`SMMU${smmu.version} at \`${hex(smmu.base)}\`${smmu.size !== undefined ? ` size ${sizeText(smmu.size)}` : ''} · StreamIDs below 2^${smmu.streamIdBits}`);
            for (const s of smmu.streamMatches) out.push(`- stream-match id \`${hex(s.id)}\` mask \`${hex(s.mask)}\``);
            out.push(...this.mapsTargeting(view, name, 'iommu'));
            for (const { collection, item } of resultItemsNamed(view.entry, name)) out.push('', `*${collection}*`, ...plainObjectLines(item));
        }
        return out.join('\n');
    }

    private itsMarkdown(node: ast.Its): string {
        const name = node.name;
        const views = platformViews(node, this.store, (p) => p.its.some((s) => s.name === name));
        const out = [`**its ${name}**`];
        for (const view of views) {
            const its = view.platform.its.find((s) => s.name === name);
            if (!its) continue;
            const header = this.header(view, views.length > 1);
            out.push('');
            if (header) out.push(header, '');
            out.push(`GIC ITS at \`${hex(its.base)}\` · DeviceIDs below 2^${its.deviceIdBits}${its.eventIdBits !== undefined ? ` · EventIDs below 2^${its.eventIdBits}` : ''}`);
            out.push(...this.mapsTargeting(view, name, 'msi'));
            const groups = view.platform.iort?.itsGroups.filter((g) => g.its.includes(name)) ?? [];
            for (const g of groups) out.push(`- in IORT ITS group ${g.name}`);
            for (const { collection, item } of resultItemsNamed(view.entry, name)) out.push('', `*${collection}*`, ...plainObjectLines(item));
        }
        return out.join('\n');
    }

    private mapsTargeting(view: PlatformView, target: string, kind: 'iommu' | 'msi'): string[] {
        const lines: string[] = [];
        for (const hb of view.platform.hostBridges) {
            for (const e of kind === 'iommu' ? hb.iommuMap : hb.msiMap) {
                if (e.target !== target) continue;
                const last = e.count > 0n ? e.ridBase + e.count - 1n : e.ridBase;
                const outLast = e.count > 0n ? e.targetBase + e.count - 1n : e.targetBase;
                lines.push(`- ${hb.name}: RID \`${hex(e.ridBase)}..${hex(last)}\` → ${kind === 'iommu' ? 'StreamID' : 'DeviceID'} \`${hex(e.targetBase)}..${hex(outLast)}\``);
            }
        }
        return lines.length > 0 ? ['', `${kind}-map entries targeting it:`, ...lines] : ['', `no ${kind}-map entry targets it`];
    }

    // --- map entries ---------------------------------------------------------------------------

    private mapEntryMarkdown(node: ast.IommuMapEntry | ast.MsiMapEntry): string | undefined {
        const hbNode = node.$container;
        if (!ast.isHostBridge(hbNode)) return undefined;
        const isIommu = ast.isIommuMapEntry(node);
        const index = isIommu ? hbNode.iommuMaps.indexOf(node) : hbNode.msiMaps.indexOf(node as ast.MsiMapEntry);
        const views = platformViews(node, this.store, (p) => p.hostBridges.some((h) => h.name === hbNode.name), 1);
        const view = views[0];
        const hb = view?.platform.hostBridges.find((h) => h.name === hbNode.name);
        const entry = hb ? (isIommu ? hb.iommuMap : hb.msiMap)[index] : undefined;
        if (!view || !hb || !entry) return undefined;
        const outName = isIommu ? 'StreamID' : 'DeviceID';
        const mask = isIommu ? hb.iommuMapMask : hb.msiMapMask;
        const last = entry.count > 0n ? entry.ridBase + entry.count - 1n : entry.ridBase;
        const out = [
            `**${isIommu ? 'iommu-map' : 'msi-map'} entry** of host-bridge ${hb.name}`,
            '',
            `RID \`${hex(entry.ridBase)}..${hex(last)}\` (${entry.count} IDs) → ${entry.target} ${outName} \`${hex(entry.targetBase)}\`…${mask !== undefined ? ` · mask \`${hex(mask)}\`` : ''}`,
        ];
        const header = this.header(view, false);
        if (header) out.push('', header);
        if (view.entry) {
            const names = new Set(allFunctions(hb.functions).map((f) => f.name));
            const covered: string[] = [];
            for (const f of view.entry.result.functions) {
                if (!names.has(f.name) && !names.has(f.name.replace(/\.vf\[\d+\]$/, ''))) continue;
                const rid = functionResultJson(f).rid;
                if (typeof rid !== 'bigint') continue;
                const input = mask !== undefined ? rid & mask : rid;
                if (input < entry.ridBase || input >= entry.ridBase + entry.count) continue;
                covered.push(`- ${f.name} RID \`${hex(rid)}\` → ${outName} \`${hex(entry.targetBase + input - entry.ridBase)}\``);
            }
            out.push('', covered.length > 0 ? `Functions it covers (${covered.length}):` : 'It covers no simulated function.');
            out.push(...covered.slice(0, MAX_LISTED));
            if (covered.length > MAX_LISTED) out.push(`- … ${covered.length - MAX_LISTED} more`);
        }
        return out.join('\n');
    }

    // --- domains ---------------------------------------------------------------------------------

    private domainMarkdown(node: ast.XenDomain | ast.KvmVm | ast.Dom0): string {
        const name = ast.isDom0(node) ? 'dom0' : node.name;
        const isKvm = ast.isKvmVm(node);
        const find = (p: m.Platform): { memory?: bigint; vcpus?: bigint; type?: string; assignments: m.Assignment[]; uses?: m.FunctionRef[]; holes?: m.MmioHole[] } | undefined => {
            if (isKvm) return p.kvm?.vms.find((v) => v.name === name);
            if (ast.isDom0(node)) return p.xen ? { memory: p.xen.dom0.memory, assignments: [], uses: p.xen.dom0.uses } : undefined;
            const d = p.xen?.domains.find((x) => x.name === name);
            return d && { memory: d.memory, vcpus: d.vcpus, type: d.guestType, assignments: d.assignments, holes: d.holes };
        };
        const views = platformViews(node, this.store, (p) => find(p) !== undefined);
        const title = isKvm ? `vm ${name}` : ast.isDom0(node) ? 'dom0' : `domain ${name}${(node as ast.XenDomain).dom0less ? ' (dom0less)' : ''}`;
        const out = [`**${title}**`];
        for (const view of views) {
            const domain = find(view.platform);
            if (!domain) continue;
            const header = this.header(view, views.length > 1);
            out.push('');
            if (header) out.push(header, '');
            const facts = [domain.memory !== undefined ? `memory ${sizeText(domain.memory)}` : undefined, domain.vcpus !== undefined ? `${domain.vcpus} vCPUs` : undefined, domain.type].filter(Boolean);
            if (facts.length > 0) out.push(facts.join(' · '));
            for (const h of domain.holes ?? []) out.push(`- mmio-hole ${h.which} \`${hex(h.base)}\` size ${sizeText(h.size)}`);
            const refs = [...domain.assignments.map((a) => ({ ref: a.device, vslot: a.vslot, flags: a.flags })), ...(domain.uses ?? []).map((ref) => ({ ref, vslot: undefined, flags: [] as string[] }))];
            out.push('', `${refs.length} device${refs.length === 1 ? '' : 's'}${ast.isDom0(node) ? ' it uses explicitly' : ' assigned'}${refs.length > 0 ? ':' : ''}`);
            for (const { ref, vslot, flags } of refs.slice(0, MAX_LISTED)) {
                const fullName = ref.vf !== undefined ? `${ref.function}.vf[${ref.vf}]` : ref.function;
                const result = view.entry?.result.functions.find((f) => f.name === fullName);
                const sbdf = result ? ` \`${String(functionResultJson(result).sbdf)}\`` : '';
                const slot = vslot ? ` as guest \`00:${vslot.device.toString(16).padStart(2, '0')}.${vslot.fn.toString(16)}\`` : '';
                out.push(`- ${fullName}${sbdf}${slot}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}`);
            }
            if (refs.length > MAX_LISTED) out.push(`- … ${refs.length - MAX_LISTED} more`);
            for (const { collection, item } of resultItemsNamed(view.entry, name)) out.push('', `*${collection}*`, ...plainObjectLines(item));
        }
        return out.join('\n');
    }
}

/**
 * Who holds the function, and every domain that was to get it and did not, with the failure and
 * a link to where it is reported: a refused device must not read as its domain's.
 */
function ownerLines(own: FunctionResult): string[] {
    if (own.owner === undefined && !own.refused) return [];
    const lines = own.owner !== undefined ? [`- **owner**: \`${own.owner}\``] : [];
    for (const r of own.refused ?? []) {
        const where = r.loc ? ` ([${r.code ?? 'finding'}, line ${r.loc.start.line + 1}](${r.loc.uri}#L${r.loc.start.line + 1}))` : '';
        lines.push(`- **not owned by ${r.domain}**: ${r.message}${where}`);
    }
    return ['', ...lines];
}
