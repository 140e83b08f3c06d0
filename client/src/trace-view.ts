// The Simulation view: the last Run Simulation result as a tree (summary, findings, trace steps
// and events, guests, IOMMU groups); each node with a place in the source opens it on click.
import * as vscode from 'vscode';
import { settings } from './config.js';
import { toLocation } from './locations.js';
import type { RichSimulateResult } from './protocol.js';
import { traceTree, type NodeIcon, type TraceNode } from './trace-model.js';

const ICONS: Record<NodeIcon, vscode.ThemeIcon> = {
    summary: new vscode.ThemeIcon('server-environment'),
    error: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
    warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
    info: new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground')),
    pass: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
    step: new vscode.ThemeIcon('debug-step-over'),
    event: new vscode.ThemeIcon('symbol-event'),
    section: new vscode.ThemeIcon('list-tree'),
    guest: new vscode.ThemeIcon('vm'),
    group: new vscode.ThemeIcon('group-by-ref-type'),
    device: new vscode.ThemeIcon('circuit-board'),
    related: new vscode.ThemeIcon('references'),
    note: new vscode.ThemeIcon('dash'),
};

export interface StoredRun {
    result: RichSimulateResult;
    document: vscode.Uri;
    millis: number;
    finishedAt: Date;
}

export class TraceView implements vscode.TreeDataProvider<TraceNode>, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<TraceNode | undefined>();
    readonly onDidChangeTreeData = this.changed.event;
    private run: StoredRun | undefined;
    private roots: TraceNode[] = [];
    readonly view: vscode.TreeView<TraceNode>;
    private readonly disposables: vscode.Disposable[] = [];
    /** Fired when a new result is stored (the topology view reads owners from it). */
    private readonly stored = new vscode.EventEmitter<StoredRun | undefined>();
    readonly onDidStore = this.stored.event;

    constructor() {
        this.view = vscode.window.createTreeView('pciplat.trace', { treeDataProvider: this, showCollapseAll: true });
        this.disposables.push(
            this.view,
            this.changed,
            this.stored,
            vscode.workspace.onDidChangeConfiguration((e) => {
                if (e.affectsConfiguration('pciplat.trace.verbosity')) this.rebuild();
            }),
        );
    }

    get last(): StoredRun | undefined {
        return this.run;
    }

    set(run: StoredRun | undefined): void {
        this.run = run;
        void vscode.commands.executeCommand('setContext', 'pciplat.hasResult', run !== undefined);
        this.rebuild();
        this.view.description = run ? `${run.result.platform} · ${run.finishedAt.toLocaleTimeString()}` : undefined;
        this.stored.fire(run);
    }

    private rebuild(): void {
        this.roots = this.run ? traceTree(this.run.result, { verbosity: settings().verbosity, millis: this.run.millis, finishedAt: this.run.finishedAt }) : [];
        this.changed.fire(undefined);
    }

    getChildren(node?: TraceNode): TraceNode[] {
        return node ? (node.children ?? []) : this.roots;
    }

    getTreeItem(node: TraceNode): vscode.TreeItem {
        const collapsible = node.children && node.children.length > 0 ? (node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None;
        const item = new vscode.TreeItem(node.label, collapsible);
        item.id = node.id;
        item.description = node.description;
        item.tooltip = node.tooltip ?? (node.description ? `${node.label} — ${node.description}` : node.label);
        item.iconPath = ICONS[node.icon];
        const location = toLocation(node.location, this.run?.document);
        if (location) {
            item.command = { command: 'pciplat.revealLocation', title: 'Go to source', arguments: [location] };
            item.contextValue = 'located';
        }
        return item;
    }

    async reveal(): Promise<void> {
        await vscode.commands.executeCommand('pciplat.trace.focus');
    }

    dispose(): void {
        for (const d of this.disposables) d.dispose();
    }
}
