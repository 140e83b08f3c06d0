// The address-map webview panel: `pciplat/addressMap` for the host maps (and the last simulation
// result's guest layout, when the engine reports one), drawn by render.ts. Strict CSP: only the
// extension's own script (with a fresh nonce) and stylesheet; no remote content; the SVG is inline
// markup. Clicking a region posts its location back, and the panel opens the declaration.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { reveal, toLocation } from '../locations.js';
import { settings } from '../config.js';
import { ADDRESS_MAP_METHOD, SIMULATE_METHOD, type AddressMapResult, type RichSimulateResult, type SourceRange } from '../protocol.js';
import { errorLine } from '../simulation.js';
import { escapeXml } from './layout.js';
import { mapSections, renderSections } from './render.js';

export class AddressMapPanel implements vscode.Disposable {
    private panel: vscode.WebviewPanel | undefined;
    private document: vscode.Uri | undefined;
    private readonly disposables: vscode.Disposable[] = [];
    private timer: NodeJS.Timeout | undefined;
    private generation = 0;
    /** Overlaps found in the last render (for tests and the title). */
    lastOverlapCount = 0;
    /** Whether the webview holds our page (later contents are posted to it). */
    private loaded = false;
    private shownKey: string | undefined;

    constructor(
        private readonly extensionUri: vscode.Uri,
        private readonly getClient: () => LanguageClient | undefined,
    ) {
        this.disposables.push(
            vscode.languages.onDidChangeDiagnostics((e) => {
                if (this.panel && this.document && e.uris.some((u) => u.toString() === this.document!.toString())) this.schedule(500);
            }),
        );
    }

    async show(uri: vscode.Uri): Promise<void> {
        this.document = uri;
        if (!this.panel) {
            this.panel = vscode.window.createWebviewPanel('pciplat.addressMap', 'Address map', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
                enableScripts: true,
                enableFindWidget: true,
                localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'media')],
            });
            this.panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'client', 'images', 'icon.png');
            this.panel.onDidDispose(
                () => {
                    this.panel = undefined;
                    this.loaded = false;
                    this.shownKey = undefined;
                },
                undefined,
                this.disposables,
            );
            // A hidden webview is rebuilt from its HTML when shown again: send the whole page then.
            this.panel.onDidChangeViewState(
                (e) => {
                    if (!e.webviewPanel.visible) return;
                    this.loaded = false;
                    this.shownKey = undefined;
                    this.schedule(0);
                },
                undefined,
                this.disposables,
            );
            this.panel.webview.onDidReceiveMessage((message: { type?: string; loc?: SourceRange }) => {
                if (message?.type === 'reveal' && message.loc) {
                    const location = toLocation(message.loc);
                    if (location) void reveal(location);
                } else if (message?.type === 'refresh') this.schedule(0);
            }, undefined, this.disposables);
        } else this.panel.reveal(vscode.ViewColumn.Beside, true);
        this.panel.title = `Address map: ${vscode.workspace.asRelativePath(uri, false).split('/').pop()}`;
        await this.load();
    }

    private schedule(delay: number): void {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.load(), delay);
    }

    private async load(): Promise<void> {
        const panel = this.panel;
        const uri = this.document;
        const client = this.getClient();
        if (!panel || !uri) return;
        const generation = ++this.generation;
        if (!client || !client.isRunning()) {
            this.setContent('<p class="note">The pciplat language server is not running.</p>', {});
            return;
        }
        try {
            const map = await client.sendRequest<AddressMapResult>(ADDRESS_MAP_METHOD, { uri: uri.toString() });
            if (generation !== this.generation || this.panel !== panel) return;
            // Guest maps come from a simulation of the current text (implicit scenario: every
            // guest started), one per platform; on a worker thread in the server.
            const simulations: RichSimulateResult[] = [];
            const failures: string[] = [];
            for (const platform of map.platforms) {
                try {
                    const profile = settings().profile;
                    simulations.push(await client.sendRequest<RichSimulateResult>(SIMULATE_METHOD, { uri: uri.toString(), platform: platform.platform, ...(profile ? { profile } : {}) }));
                } catch (error) {
                    failures.push(`${platform.platform}: ${errorLine(error)}`);
                }
            }
            if (generation !== this.generation || this.panel !== panel) return;
            const withGuests = simulations.filter((r) => Array.isArray(r.domains) && r.domains.length > 0);
            const guestNote =
                failures.length > 0
                    ? `Guest maps: the simulation failed (${failures.join('; ')}).`
                    : simulations.length > 0 && simulations.every((r) => !Array.isArray(r.domains))
                      ? 'Guest maps: this simulator version does not report guest layouts (the `domains` field of pciplat/simulate).'
                      : withGuests.length === 0 && simulations.length > 0
                        ? 'No guests: the platform declares no Xen domain or KVM VM.'
                        : undefined;
            const sections = [...mapSections(map), ...withGuests.flatMap((r) => mapSections({ uri: map.uri, platforms: [] }, r))];
            const rendered = renderSections(sections, guestNote);
            this.lastOverlapCount = rendered.overlapCount;
            const header = `<header><h1>Address map</h1><span class="meta">${escapeXml(vscode.workspace.asRelativePath(uri))} · ${new Date().toLocaleTimeString()}${rendered.overlapCount ? ` · <strong class="bad">${rendered.overlapCount} overlap${rendered.overlapCount === 1 ? '' : 's'}</strong>` : ''}</span><button id="refresh" type="button">Refresh</button></header>`;
            this.setContent(header + rendered.html, rendered.details);
        } catch (error) {
            if (generation !== this.generation || this.panel !== panel) return;
            this.setContent(`<header><h1>Address map</h1></header><p class="note">pciplat could not compute the address map: ${escapeXml(errorLine(error))}</p>`, {});
        }
    }

    /**
     * The first content becomes the webview's HTML; later ones are posted to its script, which
     * swaps them in place (scroll position and focus survive a refresh). Same content: nothing.
     */
    private setContent(body: string, details: unknown): void {
        const panel = this.panel;
        if (!panel) return;
        const key = JSON.stringify([body.replace(/ · \d{1,2}:\d{2}:\d{2}[^<]*/, ''), details]);
        if (key === this.shownKey) return;
        this.shownKey = key;
        if (this.loaded) void panel.webview.postMessage({ type: 'update', body, details });
        else panel.webview.html = this.html(body, details);
        this.loaded = true;
    }

    private html(body: string, details: unknown): string {
        const webview = this.panel!.webview;
        const nonce = crypto.randomBytes(16).toString('base64');
        const media = vscode.Uri.joinPath(this.extensionUri, 'dist', 'media');
        const css = webview.asWebviewUri(vscode.Uri.joinPath(media, 'address-map.css'));
        const js = webview.asWebviewUri(vscode.Uri.joinPath(media, 'address-map.js'));
        const csp = [`default-src 'none'`, `img-src ${webview.cspSource} data:`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
        // JSON in a script element: `<` escaped so no text can close the element.
        const data = JSON.stringify(details).replace(/</g, '\\u003c');
        return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}">
<title>Address map</title>
</head>
<body>
<main id="content">${body}</main>
<div id="hover-card" hidden></div>
<script type="application/json" id="pciplat-data" nonce="${nonce}">${data}</script>
<script nonce="${nonce}" src="${js}"></script>
</body>
</html>`;
    }

    dispose(): void {
        clearTimeout(this.timer);
        this.panel?.dispose();
        for (const d of this.disposables) d.dispose();
    }
}
