// Editor features through the real server over stdio: completion (keywords of a function body,
// names in scope after `assign`, values after `bar 0`, also deep in a big file), go to
// definition, references and rename across files, formatting (idempotent, comments kept),
// semantic tokens (full, range, delta) and document links on imports.
// Needs the compiled server: `npx tsc -p tsconfig.json`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionItem, CompletionList, DocumentLink, Location, LocationLink, SemanticTokens, SemanticTokensDelta, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { MAX_COMPLETION_ITEMS } from '../../server/completion.js';
import { positionOf } from './fixtures.js';
import { applyEdits, fileUri, REPO, TestClient, WAIT } from './lsp-client.js';


const SOC = `// A SoC kept outside the workspace folder.
soc base {
  smmu smmu0 v3 at 0x4000_0000 stream-id-bits 16
  host-bridge soc_pcie segment 1 {
    ecam at 0x8_3000_0000 size 16M
    bus-range 0x00..0x0f
    window mem32 at 0x5000_0000 size 256M
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x10000
    root-port srp0 at 00:01.0 {
      endpoint sdev at 01:00.0 vendor 0x1af4 device 0x1041 { bar 0 mem64 size 16K }
    }
  }
}
`;

const BOARD = `import "../outside/soc.pciplat"

/* The board: one NIC on its own root port. */
platform board "Test board" {
  arch arm64
  soc base
  memory dram at 0x1_0000_0000 size 4G
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 256M
    bus-range 0x00..0xff
    window mem32 at 0x4000_0000 size 512M
    iommu-map rid 0x0 count 0x10000 -> smmu0 0x0
    root-port rp0 at 00:01.0 {
      endpoint nic0 at 01:00.0 vendor 0x8086 device 0x10c9 {
        bar 0 mem64 prefetch size 128K // the data BAR
      }
    }
  }
  xen {
    domain guest1 { memory 2G  assign nic0 }
    domain guest2 { memory 1G  assign sdev }
  }
  scenario bringup {
    boot
    start guest1
    assign sdev to dom0
  }
}
`;

/** A platform long enough (> 4 KiB before the cursor) for completion to parse a skeleton of the prefix. */
function bigPlatform(functions: number, tail: string): string {
    const lines = ['platform big {', '  arch arm64', '  host-bridge hb {', '    ecam at 0x3000_0000 size 256M', '    window mem32 at 0x4000_0000 size 512M'];
    for (let i = 0; i < functions; i++) lines.push(`    rc-endpoint e${i} at 00:${(i % 32).toString(16).padStart(2, '0')}.${i % 8} { bar 0 mem32 size 4K }`);
    lines.push('  }', tail, '}', '');
    return lines.join('\n');
}

function labels(result: CompletionList | CompletionItem[] | null): string[] {
    const items = Array.isArray(result) ? result : (result?.items ?? []);
    return items.map((i) => i.label);
}

interface DecodedToken {
    line: number;
    character: number;
    text: string;
    type: string;
    modifiers: string[];
}

function decode(data: readonly number[], text: string, legend: { tokenTypes: string[]; tokenModifiers: string[] }): DecodedToken[] {
    const lines = text.split('\n');
    const out: DecodedToken[] = [];
    let line = 0;
    let character = 0;
    for (let i = 0; i < data.length; i += 5) {
        line += data[i]!;
        character = data[i]! === 0 ? character + data[i + 1]! : data[i + 1]!;
        const modifiers = legend.tokenModifiers.filter((_, bit) => (data[i + 4]! & (1 << bit)) !== 0);
        out.push({ line, character, text: lines[line]!.slice(character, character + data[i + 2]!), type: legend.tokenTypes[data[i + 3]!]!, modifiers });
    }
    return out;
}

describe('editor features', () => {
    let root: string;
    let boardUri: string;
    let socUri: string;
    let client: TestClient;
    let legend: { tokenTypes: string[]; tokenModifiers: string[] };
    let capabilities: Record<string, unknown>;

    beforeAll(async () => {
        if (!fs.existsSync(path.join(REPO, 'out', 'server', 'main.js'))) throw new Error('compile the server first: npx tsc -p tsconfig.json');
        root = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-editor-'));
        fs.mkdirSync(path.join(root, 'ws'));
        fs.mkdirSync(path.join(root, 'outside'));
        fs.writeFileSync(path.join(root, 'ws', 'board.pciplat'), BOARD);
        fs.writeFileSync(path.join(root, 'outside', 'soc.pciplat'), SOC);
        boardUri = fileUri(path.join(root, 'ws', 'board.pciplat'));
        socUri = fileUri(path.join(root, 'outside', 'soc.pciplat'));
        client = TestClient.start();
        const init = (await client.initialize(path.join(root, 'ws'), { systemPciIds: false })) as { capabilities: Record<string, unknown> };
        capabilities = init.capabilities;
        legend = (capabilities.semanticTokensProvider as { legend: typeof legend }).legend;
        await client.open(boardUri, BOARD, 1);
        await client.waitForDiagnostics(boardUri, (p) => p.version === 1, WAIT, 'board diagnostics');
    });

    afterAll(async () => {
        await client?.stop();
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it('announces code actions, semantic tokens (full with deltas, range) and document links', () => {
        expect(capabilities).toMatchObject({ codeActionProvider: true, documentLinkProvider: {}, renameProvider: { prepareProvider: true }, completionProvider: {} });
        expect(capabilities.semanticTokensProvider).toMatchObject({ full: { delta: true }, range: true });
        expect(legend.tokenTypes).toEqual(expect.arrayContaining(['namespace', 'type', 'variable', 'property', 'enumMember', 'keyword', 'number']));
        expect(legend.tokenModifiers).toEqual(['declaration', 'defaultLibrary', 'pciAddress']);
    });

    describe('completion', () => {
        it('offers the statements of a function body', async () => {
            const result = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri: boardUri }, position: positionOf(BOARD, '        bar 0 mem64', 8) });
            expect(labels(result)).toEqual(expect.arrayContaining(['bar', 'rom', 'msi', 'msix', 'sriov', 'acs', 'reset', 'multifunction', 'endpoint']));
            expect(labels(result)).not.toContain('platform');
        });

        it('offers the functions in scope after `assign`, from this file and the imported one', async () => {
            const result = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri: boardUri }, position: positionOf(BOARD, 'assign nic0', 'assign '.length) });
            expect(labels(result)).toEqual(expect.arrayContaining(['nic0', 'rp0', 'sdev', 'srp0']));
            expect(labels(result)).not.toContain('guest1');
        });

        it('offers the BAR kinds after `bar 0`', async () => {
            const uri = fileUri(path.join(root, 'ws', 'typing.pciplat'));
            const text = 'platform t {\n  host-bridge hb {\n    rc-endpoint e at 00:01.0 {\n      bar 0 \n    }\n  }\n}\n';
            await client.open(uri, text, 1);
            const result = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: positionOf(text, 'bar 0 ', 'bar 0 '.length) });
            expect(labels(result).sort()).toEqual(['io', 'mem32', 'mem64']);
        });

        it('answers the same deep in a big file, where the prefix is cut to a skeleton', async () => {
            const uri = fileUri(path.join(root, 'ws', 'big.pciplat'));
            const text = bigPlatform(300, '  xen {\n    domain d { assign e1 }\n  }');
            await client.open(uri, text, 1);
            await client.waitForDiagnostics(uri, (p) => p.version === 1, WAIT, 'big diagnostics');
            const names = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: positionOf(text, 'assign e1', 'assign '.length) });
            // Keywords first, then names in scope order, up to the cap (MAX_COMPLETION_ITEMS).
            expect(labels(names)).toEqual(expect.arrayContaining(['e0', 'e1', 'e100']));
            expect(labels(names)).not.toContain('hb');
            // Inside the last function's body, after its BAR.
            const body = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: positionOf(text, 'e299 at 00:0b.3 { bar 0 mem32 size 4K', 'e299 at 00:0b.3 { bar 0 mem32 size 4K '.length) });
            expect(labels(body)).toEqual(expect.arrayContaining(['bar', 'rom', 'msi', 'at']));
            expect(labels(body)).not.toContain('platform');
        });

        it('caps long lists and marks them incomplete, so the client asks again as the user types', async () => {
            const uri = fileUri(path.join(root, 'ws', 'many.pciplat'));
            const text = bigPlatform(700, '  xen {\n    domain d { assign e12 }\n  }');
            await client.open(uri, text, 1);
            await client.waitForDiagnostics(uri, (p) => p.version === 1, WAIT, 'many diagnostics');
            const all = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: positionOf(text, 'assign e12', 'assign '.length) });
            expect(all.isIncomplete).toBe(true);
            expect(all.items.length).toBe(MAX_COMPLETION_ITEMS);
            // What the user typed narrows the names down on the server.
            const typed = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: positionOf(text, 'assign e12', 'assign e12'.length) });
            expect(labels(typed)).toContain('e12');
            expect(labels(typed).length).toBeLessThan(MAX_COMPLETION_ITEMS);
        });
    });

    describe('navigation', () => {
        it('goes to a definition in the imported file', async () => {
            const result = await client.request<LocationLink[] | Location[]>('textDocument/definition', { textDocument: { uri: boardUri }, position: positionOf(BOARD, 'assign sdev', 'assign s'.length) });
            const target = result[0]!;
            const uri = 'targetUri' in target ? target.targetUri : target.uri;
            const range = 'targetSelectionRange' in target ? target.targetSelectionRange : target.range;
            expect(uri).toBe(socUri);
            expect(range.start).toEqual(positionOf(SOC, 'sdev at'));
            const soc = await client.request<LocationLink[]>('textDocument/definition', { textDocument: { uri: boardUri }, position: positionOf(BOARD, 'soc base', 'soc b'.length) });
            expect(soc[0]!.targetUri).toBe(socUri);
        });

        it('finds the references of a declaration in every file', async () => {
            const refs = await client.request<Location[]>('textDocument/references', { textDocument: { uri: socUri }, position: positionOf(SOC, 'sdev at', 1), context: { includeDeclaration: true } });
            const found = refs.map((r) => `${r.uri === socUri ? 'soc' : 'board'}:${r.range.start.line}`).sort();
            expect(found).toEqual([`board:${positionOf(BOARD, 'assign sdev to').line}`, `board:${positionOf(BOARD, 'assign sdev }').line}`, `soc:${positionOf(SOC, 'sdev at').line}`].sort());
            const smmu = await client.request<Location[]>('textDocument/references', { textDocument: { uri: socUri }, position: positionOf(SOC, 'smmu0 v3', 1), context: { includeDeclaration: false } });
            expect(smmu.map((r) => r.uri).sort()).toEqual([boardUri, socUri].sort());
        });

        it('renames a function of the imported file in both files', async () => {
            const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: boardUri }, position: positionOf(BOARD, 'assign sdev }', 'assign s'.length), newName: 'storage0' });
            const changes = edit.changes ?? {};
            expect(Object.keys(changes).sort()).toEqual([boardUri, socUri].sort());
            const board = applyEdits(BOARD, changes[boardUri]!);
            const soc = applyEdits(SOC, changes[socUri]!);
            expect(board).toContain('assign storage0 }');
            expect(board).toContain('assign storage0 to dom0');
            expect(board).not.toContain('sdev');
            expect(soc).toContain('endpoint storage0 at 01:00.0');
        });
    });

    describe('formatting', () => {
        const messy = 'platform f {\n// a comment { with a brace\n      arch arm64   \n  host-bridge hb {   /* block */\n rc-endpoint e at 00:01.0 { bar 0 mem32 size 4K }\n/* keep\n     this */\n        }\n}\n\n\n';

        it('formats once: the second pass changes nothing and every comment stays', async () => {
            const uri = fileUri(path.join(root, 'ws', 'format.pciplat'));
            await client.open(uri, messy, 1);
            const options = { tabSize: 2, insertSpaces: true };
            const once = applyEdits(messy, await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options }));
            expect(once).toBe('platform f {\n  // a comment { with a brace\n  arch arm64\n  host-bridge hb {   /* block */\n    rc-endpoint e at 00:01.0 { bar 0 mem32 size 4K }\n    /* keep\n     this */\n  }\n}\n');
            await client.change(uri, once, 2);
            const again = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options });
            expect(applyEdits(once, again)).toBe(once);
            expect(again).toEqual([]);
            for (const comment of ['// a comment { with a brace', '/* block */', '/* keep\n     this */']) expect(once).toContain(comment);
        });
    });

    describe('semantic tokens', () => {
        let tokens: DecodedToken[];
        const at = (needle: string, offset = 0) => {
            const p = positionOf(BOARD, needle, offset);
            return tokens.find((t) => t.line === p.line && t.character === p.character);
        };

        beforeAll(async () => {
            const result = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: boardUri } });
            tokens = decode(result.data, BOARD, legend);
        });

        it('classifies names as declarations or references by what they name', () => {
            expect(at('board "')).toMatchObject({ text: 'board', type: 'namespace', modifiers: ['declaration'] });
            expect(at('pcie0 segment')).toMatchObject({ type: 'struct', modifiers: ['declaration'] });
            expect(at('nic0 at')).toMatchObject({ text: 'nic0', type: 'variable', modifiers: ['declaration'] });
            expect(at('nic0 }')).toMatchObject({ text: 'nic0', type: 'variable', modifiers: [] });
            expect(at('sdev }')).toMatchObject({ text: 'sdev', type: 'variable', modifiers: [] }); // declared in the SoC file
            expect(at('smmu0 0x0')).toMatchObject({ type: 'interface', modifiers: [] });
            expect(at('base\n')).toMatchObject({ text: 'base', type: 'namespace', modifiers: [] });
            expect(at('guest1 {')).toMatchObject({ type: 'class', modifiers: ['declaration'] });
            expect(at('guest1\n')).toMatchObject({ text: 'guest1', type: 'class', modifiers: [] });
            expect(at('bringup')).toMatchObject({ type: 'function', modifiers: ['declaration'] });
            expect(at('dom0\n')).toMatchObject({ text: 'dom0', type: 'class', modifiers: ['defaultLibrary'] });
        });

        it('classifies kinds, keywords by role, numbers, PCI addresses, strings, comments and operators', () => {
            expect(at('platform board')).toMatchObject({ text: 'platform', type: 'keyword' });
            expect(at('import')).toMatchObject({ type: 'keyword' });
            expect(at('endpoint nic0')).toMatchObject({ text: 'endpoint', type: 'type' });
            expect(at('root-port')).toMatchObject({ type: 'type' });
            expect(at('host-bridge')).toMatchObject({ type: 'type' });
            expect(at('memory dram')).toMatchObject({ text: 'memory', type: 'type' });
            expect(at('memory 2G')).toMatchObject({ text: 'memory', type: 'property' });
            expect(at('bar 0')).toMatchObject({ text: 'bar', type: 'property' });
            expect(at('vendor 0x8086')).toMatchObject({ type: 'property' });
            expect(at('mem64 prefetch')).toMatchObject({ text: 'mem64', type: 'enumMember' });
            expect(at('prefetch size')).toMatchObject({ text: 'prefetch', type: 'enumMember' });
            expect(at('arm64')).toMatchObject({ type: 'enumMember' });
            expect(at('boot')).toMatchObject({ type: 'function', modifiers: [] });
            expect(at('assign sdev to')).toMatchObject({ text: 'assign', type: 'function' });
            expect(at('assign nic0')).toMatchObject({ text: 'assign', type: 'property' });
            expect(at('at 00:01.0')).toMatchObject({ text: 'at', type: 'keyword' });
            expect(at('0x8086')).toMatchObject({ type: 'number', modifiers: [] });
            expect(at('128K')).toMatchObject({ type: 'number' });
            expect(at('01:00.0')).toMatchObject({ text: '01:00.0', type: 'number', modifiers: ['pciAddress'] });
            expect(at('"../outside')).toMatchObject({ type: 'string' });
            expect(at('"Test board"')).toMatchObject({ type: 'string' });
            expect(at('// the data BAR')).toMatchObject({ type: 'comment' });
            expect(at('/* The board')).toMatchObject({ type: 'comment' });
            expect(at('-> smmu0')).toMatchObject({ text: '->', type: 'operator' });
            expect(at('..0xff')).toMatchObject({ text: '..', type: 'operator' });
        });

        it('answers range requests with the tokens of those lines only', async () => {
            const line = positionOf(BOARD, 'endpoint nic0').line;
            const result = await client.request<SemanticTokens>('textDocument/semanticTokens/range', { textDocument: { uri: boardUri }, range: { start: { line, character: 0 }, end: { line, character: 200 } } });
            const ranged = decode(result.data, BOARD, legend);
            expect(ranged.map((t) => t.text)).toEqual(['endpoint', 'nic0', 'at', '01:00.0', 'vendor', '0x8086', 'device', '0x10c9']);
        });

        it('answers a delta request with the edits since the last result', async () => {
            const uri = fileUri(path.join(root, 'ws', 'delta.pciplat'));
            const text = 'platform d {\n  arch arm64\n  memory m at 0x0 size 4K\n}\n';
            await client.open(uri, text, 1);
            const first = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
            expect(first.resultId).toBeDefined();
            const changed = text.replace('  arch arm64\n', '  arch arm64\n  memory n at 0x1000 size 4K\n');
            await client.change(uri, changed, 2);
            await client.waitForDiagnostics(uri, (p) => p.version === 2, WAIT, 'delta diagnostics');
            const delta = await client.request<SemanticTokensDelta | SemanticTokens>('textDocument/semanticTokens/full/delta', { textDocument: { uri }, previousResultId: first.resultId });
            expect('edits' in delta).toBe(true);
            const edits = (delta as SemanticTokensDelta).edits;
            const data = [...first.data];
            for (const e of [...edits].sort((a, b) => b.start - a.start)) data.splice(e.start, e.deleteCount, ...(e.data ?? []));
            const full = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
            expect(data).toEqual(full.data);
            expect(decode(full.data, changed, legend).filter((t) => t.type === 'variable').map((t) => t.text)).toEqual(['n', 'm']);
        });
    });

    describe('document links', () => {
        it('links an import to the file it names, and a missing file to nothing', async () => {
            const links = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: boardUri } });
            expect(links).toHaveLength(1);
            expect(links[0]!.target).toBe(socUri);
            const start = positionOf(BOARD, '../outside');
            expect(links[0]!.range).toEqual({ start, end: { line: start.line, character: start.character + '../outside/soc.pciplat'.length } });
            const uri = fileUri(path.join(root, 'ws', 'missing.pciplat'));
            await client.open(uri, 'import "nowhere.pciplat"\nimport "board.pciplat"\n', 1);
            const missing = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri } });
            expect(missing.map((l) => l.target)).toEqual([boardUri]);
        });
    });
});
