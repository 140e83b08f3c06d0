// The Topology view: the active .pciplat file's platforms → host bridges → bridges → functions
// (and SR-IOV VFs), from `pciplat/topology`, with bus address, IOMMU group and owner (the server's
// last background simulation, or this file's last Run Simulation, which may play a scenario); a group badge
// (FileDecoration) on each function; a click opens the declaration. Refreshed when the file's
// diagnostics change (a new simulation result arrives with them) and on editor switches.
// Two arrangements: by bus (the tree above) and by IOMMU group (group → members); both follow a
// text filter on names, SBDFs and groups (topology-model.ts).
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { isPciplat, toLocation } from './locations.js';
import { TOPOLOGY_METHOD, type RichSimulateResult, type SourceRange, type TopologyFunction, type TopologyGroup, type TopologyGroupMember, type TopologyHostBridge, type TopologyPlatform, type TopologyResult } from './protocol.js';
import { filterFunctions, filterGroups, groupDescription, normaliseFilter } from './topology-model.js';
import { errorLine } from './simulation.js';
import type { StoredRun } from './trace-view.js';

const SCHEME = 'pciplat-topology';

export type TopologyNode =
    | { type: 'platform'; platform: TopologyPlatform; id: string }
    | { type: 'host-bridge'; hostBridge: TopologyHostBridge; platform: string; id: string }
    | { type: 'function'; fn: TopologyFunction; platform: string; id: string }
    | { type: 'group'; group: TopologyGroup; platform: string; id: string }
    | { type: 'member'; member: TopologyGroupMember; group: number; platform: string; id: string }
    | { type: 'message'; text: string; id: string };

const BRIDGE_KINDS = new Set(['root-port', 'switch-upstream', 'downstream-port', 'pcie-pci-bridge', 'pci-pcie-bridge', 'pci-bridge']);

function kindIcon(kind: string): vscode.ThemeIcon {
    if (kind === 'vf') return new vscode.ThemeIcon('symbol-field');
    if (BRIDGE_KINDS.has(kind)) return new vscode.ThemeIcon('type-hierarchy-sub');
    if (kind === 'rc-endpoint' || kind === 'rc-event-collector') return new vscode.ThemeIcon('symbol-constant');
    return new vscode.ThemeIcon('circuit-board');
}

/** Who holds each function at the end of the last simulation of this file, when the engine reports it. */
export function owners(result: RichSimulateResult | undefined): Map<string, string> {
    const map = new Map<string, string>();
    if (!result) return map;
    for (const f of result.functions ?? []) if (typeof f.owner === 'string') map.set(f.name, f.owner);
    if (result.owner && typeof result.owner === 'object') for (const [fn, owner] of Object.entries(result.owner)) if (typeof owner === 'string' && !map.has(fn)) map.set(fn, owner);
    for (const d of result.domains ?? []) for (const dev of d.devices ?? []) if (!map.has(dev)) map.set(dev, d.name);
    return map;
}

/** Adds the owners the server reported in `pciplat/topology` to `into` (keeping those already there). */
export function topologyOwners(functions: readonly TopologyFunction[], into: Map<string, string>): Map<string, string> {
    for (const f of functions) {
        if (typeof f.owner === 'string' && !into.has(f.name)) into.set(f.name, f.owner);
        topologyOwners(f.children, into);
    }
    return into;
}

export class TopologyView implements vscode.TreeDataProvider<TopologyNode>, vscode.FileDecorationProvider, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<TopologyNode | undefined>();
    readonly onDidChangeTreeData = this.changed.event;
    private readonly decorationsChanged = new vscode.EventEmitter<vscode.Uri[] | undefined>();
    readonly onDidChangeFileDecorations = this.decorationsChanged.event;
    readonly view: vscode.TreeView<TopologyNode>;
    private readonly disposables: vscode.Disposable[] = [];
    private document: vscode.Uri | undefined;
    private result: TopologyResult | undefined;
    private error: string | undefined;
    private owners = new Map<string, string>();
    private timer: NodeJS.Timeout | undefined;
    private generation = 0;
    private arrangement: 'bus' | 'group' = 'bus';
    private filter: string | undefined;

    constructor(
        private readonly getClient: () => LanguageClient | undefined,
        private lastRun: () => StoredRun | undefined,
    ) {
        this.view = vscode.window.createTreeView('pciplat.topology', { treeDataProvider: this, showCollapseAll: true });
        this.disposables.push(
            this.view,
            this.changed,
            this.decorationsChanged,
            vscode.window.registerFileDecorationProvider(this),
            vscode.window.onDidChangeActiveTextEditor((e) => {
                if (isPciplat(e?.document) && e.document.uri.toString() !== this.document?.toString()) this.follow(e.document.uri);
            }),
            vscode.languages.onDidChangeDiagnostics((e) => {
                if (this.document && e.uris.some((u) => u.toString() === this.document!.toString())) this.schedule(400);
            }),
            this.view.onDidChangeVisibility((e) => {
                if (e.visible) this.schedule(0);
            }),
        );
        const active = vscode.window.activeTextEditor?.document;
        if (isPciplat(active)) this.follow(active.uri);
    }

    /** Show the topology of `uri` (the active file, or what a command names). */
    follow(uri: vscode.Uri): void {
        this.document = uri;
        this.describe();
        this.schedule(0);
    }

    runStored(run: StoredRun | undefined): void {
        if (run && this.document && run.document.toString() === this.document.toString()) {
            this.owners = this.mergedOwners(run);
            this.changed.fire(undefined);
            this.decorationsChanged.fire(undefined);
        }
    }

    /** This file's last Run Simulation's owners, then the background simulation's (implicit scenario) for the rest. */
    private mergedOwners(run: StoredRun | undefined): Map<string, string> {
        const map = run ? owners(run.result) : new Map<string, string>();
        if (this.result) for (const p of this.result.platforms) for (const hb of p.hostBridges) topologyOwners(hb.functions, map);
        return map;
    }

    refresh(): void {
        this.schedule(0);
    }

    /** Group → members, or the bus tree again. */
    arrange(by: 'bus' | 'group'): void {
        this.arrangement = by;
        void vscode.commands.executeCommand('setContext', 'pciplat.topologyByGroup', by === 'group');
        this.describe();
        this.changed.fire(undefined);
    }

    /** Asks for the filter text (names, SBDFs, `group N`); empty shows everything. */
    async askFilter(): Promise<void> {
        const text = await vscode.window.showInputBox({
            title: 'Filter the topology',
            prompt: 'Part of a name or SBDF (nic, 01:00), or an IOMMU group (3, group 3); empty shows everything',
            value: this.filter ?? '',
        });
        if (text !== undefined) this.setFilter(text);
    }

    setFilter(text: string | undefined): void {
        this.filter = normaliseFilter(text);
        void vscode.commands.executeCommand('setContext', 'pciplat.topologyFiltered', this.filter !== undefined);
        this.describe();
        this.changed.fire(undefined);
    }

    private describe(): void {
        const parts = [this.document ? vscode.workspace.asRelativePath(this.document) : '', this.arrangement === 'group' ? 'by group' : '', this.filter ? `filter “${this.filter}”` : ''];
        this.view.description = parts.filter(Boolean).join(' · ');
    }

    private schedule(delay: number): void {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.load(), delay);
    }

    private async load(): Promise<void> {
        const client = this.getClient();
        const uri = this.document;
        if (!uri || !client || !client.isRunning() || !this.view.visible) return;
        const generation = ++this.generation;
        try {
            const result = await client.sendRequest<TopologyResult>(TOPOLOGY_METHOD, { uri: uri.toString() });
            if (generation !== this.generation) return;
            this.result = result;
            this.error = undefined;
        } catch (error) {
            if (generation !== this.generation) return;
            this.result = undefined;
            this.error = errorLine(error);
        }
        const run = this.lastRun();
        this.owners = this.mergedOwners(run && run.document.toString() === uri.toString() ? run : undefined);
        this.changed.fire(undefined);
        this.decorationsChanged.fire(undefined);
    }

    getChildren(node?: TopologyNode): TopologyNode[] {
        if (!node) {
            if (!this.document) return [];
            if (this.error) return [{ type: 'message', text: this.error, id: 'error' }];
            if (!this.result) return [{ type: 'message', text: 'Loading…', id: 'loading' }];
            if (this.result.platforms.length === 0) return [{ type: 'message', text: 'This file declares no platform.', id: 'none' }];
            return this.result.platforms.map((platform) => ({ type: 'platform', platform, id: `p/${platform.name}` }));
        }
        const q = this.filter;
        if (node.type === 'platform' && this.arrangement === 'group') {
            const groups = filterGroups(node.platform.groups ?? [], q);
            if (groups.length === 0) return [{ type: 'message', text: !node.platform.simulated ? 'Not simulated yet: no IOMMU groups.' : q ? `No group or function matches “${q}”.` : 'No IOMMU groups.', id: `${node.id}/none` }];
            return groups.map((group) => ({ type: 'group', group, platform: node.platform.name, id: `${node.id}/g/${group.id}` }));
        }
        if (node.type === 'platform') {
            const hostBridges = q ? node.platform.hostBridges.filter((hb) => filterFunctions(hb.functions, q).length > 0) : node.platform.hostBridges;
            if (hostBridges.length === 0) return [{ type: 'message', text: `No function matches “${q}”.`, id: `${node.id}/none` }];
            return hostBridges.map((hostBridge) => ({ type: 'host-bridge', hostBridge, platform: node.platform.name, id: `${node.id}/hb/${hostBridge.name}` }));
        }
        if (node.type === 'host-bridge') return filterFunctions(node.hostBridge.functions, q).map((fn) => ({ type: 'function', fn, platform: node.platform, id: `${node.id}/${fn.name}` }));
        if (node.type === 'function') return node.fn.children.map((fn) => ({ type: 'function', fn, platform: node.platform, id: `${node.id}/${fn.name}` }));
        if (node.type === 'group') return node.group.members.map((member) => ({ type: 'member', member, group: node.group.id, platform: node.platform, id: `${node.id}/${member.name}` }));
        return [];
    }

    getTreeItem(node: TopologyNode): vscode.TreeItem {
        switch (node.type) {
            case 'message': {
                const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
                item.iconPath = new vscode.ThemeIcon(node.id === 'error' ? 'error' : 'info');
                return item;
            }
            case 'platform': {
                const p = node.platform;
                const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.Expanded);
                item.id = node.id;
                item.description = `${p.arch}${p.simulated ? '' : ' · not simulated yet'}`;
                item.iconPath = new vscode.ThemeIcon('server-environment');
                item.tooltip = `platform ${p.name} (${p.arch}): ${p.hostBridges.length} host bridge${p.hostBridges.length === 1 ? '' : 's'}${p.simulated ? '; bus numbers and groups from the last simulation' : '; not simulated yet: addresses as written'}`;
                this.link(item, p.loc);
                return item;
            }
            case 'host-bridge': {
                const hb = node.hostBridge;
                const item = new vscode.TreeItem(hb.name, vscode.TreeItemCollapsibleState.Expanded);
                item.id = node.id;
                const segment = hb.segment !== null ? `segment ${Number(BigInt(hb.segment))}` : 'segment ?';
                const buses = `buses ${BigInt(hb.busRange[0]).toString(16).padStart(2, '0')}–${BigInt(hb.busRange[1]).toString(16).padStart(2, '0')}`;
                item.description = `${segment} · ${buses}`;
                item.iconPath = new vscode.ThemeIcon('server');
                item.tooltip = `host-bridge ${hb.name}: ${segment}, ${buses}, ${hb.functions.length} function${hb.functions.length === 1 ? '' : 's'} on the root bus`;
                this.link(item, hb.loc);
                return item;
            }
            case 'group': {
                const g = node.group;
                const item = new vscode.TreeItem(`group ${g.id}`, vscode.TreeItemCollapsibleState.Expanded);
                item.id = node.id;
                item.description = groupDescription(g);
                item.iconPath = new vscode.ThemeIcon('symbol-namespace');
                item.tooltip = `IOMMU group ${g.id} (/dev/vfio/${g.id}): ${g.members.map((m) => m.name).join(', ')}`;
                return item;
            }
            case 'member': {
                const m = node.member;
                const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.None);
                item.id = node.id;
                const owner = m.owner ?? this.owners.get(m.name);
                const notable = owner !== undefined && owner !== 'dom0' && owner !== 'host' ? owner : undefined;
                item.description = [notable ? `→ ${notable}` : '', m.sbdf ?? '', m.kind].filter(Boolean).join(' · ');
                item.iconPath = kindIcon(m.kind);
                item.tooltip = `${m.name} (${m.kind}) in IOMMU group ${node.group}${owner ? `, owned by ${owner}` : ''}`;
                this.link(item, m.loc);
                return item;
            }
            case 'function': {
                const fn = node.fn;
                const item = new vscode.TreeItem(fn.name, fn.children.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
                item.id = node.id;
                const owner = this.owners.get(fn.name);
                // dom0 / the KVM host hold most functions: only other owners are worth a badge.
                const notable = owner !== undefined && owner !== 'dom0' && owner !== 'host' ? owner : undefined;
                const parts = [notable ? `→ ${notable}` : '', fn.sbdf ?? '', fn.group !== null ? `group ${fn.group}` : ''].filter(Boolean);
                item.description = parts.join(' · ');
                item.iconPath = kindIcon(fn.kind);
                const names = [fn.vendorName, fn.deviceName].filter(Boolean).join(' ');
                const md = new vscode.MarkdownString();
                md.appendMarkdown(`**${fn.name}** — ${fn.kind}\n\n`);
                if (names) md.appendMarkdown(`${names}\n\n`);
                const rows: [string, string | null | undefined][] = [
                    ['SBDF', fn.sbdf],
                    ['requester ID', fn.rid],
                    ['IOMMU group', fn.group === null ? (fn.noGroup ? `none: ${fn.noGroup}` : 'none') : String(fn.group)],
                    ['vendor:device', fn.vendor || fn.device ? `${fn.vendor ?? '?'}:${fn.device ?? '?'}` : undefined],
                    ['owner', owner],
                ];
                for (const [k, v] of rows) if (v) md.appendMarkdown(`${k}: \`${v}\`  \n`);
                for (const u of fn.acsUnknown ?? []) md.appendMarkdown(`\n⚠ the group depends on the ACS of ${u}, which the description does not give  \n`);
                for (const q of fn.quirks ?? []) md.appendMarkdown(q.source === 'written' ? `\nquirk \`${q.effect}\` (written)  \n` : `\nquirk \`${q.effect}\` from Linux's \`${q.linux}\`: ${q.why}  \n`);
                item.tooltip = md;
                if (fn.group !== null) {
                    item.resourceUri = vscode.Uri.from({ scheme: SCHEME, path: `/${node.platform}/${fn.name}`, query: `group=${encodeURIComponent(String(fn.group))}${notable ? `&owner=${encodeURIComponent(notable)}` : ''}` });
                }
                this.link(item, fn.loc);
                return item;
            }
        }
    }

    /** Group badge on functions (FileDecoration badges hold at most two characters). */
    provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
        if (uri.scheme !== SCHEME) return undefined;
        const query = new URLSearchParams(uri.query);
        const group = query.get('group');
        if (group === null) return undefined;
        const owner = query.get('owner');
        const badge = group.length <= 2 ? group : '…';
        return new vscode.FileDecoration(badge, `IOMMU group ${group}${owner ? `, owned by ${owner}` : ''}`, owner ? new vscode.ThemeColor('charts.blue') : undefined);
    }

    private link(item: vscode.TreeItem, loc: SourceRange | undefined): void {
        const location = toLocation(loc);
        if (location) item.command = { command: 'pciplat.revealLocation', title: 'Go to declaration', arguments: [location] };
    }

    dispose(): void {
        clearTimeout(this.timer);
        for (const d of this.disposables) d.dispose();
    }
}
