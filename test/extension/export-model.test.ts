// "pciplat: Export…" without VS Code: the choices offered for the server's export targets, the
// preview store, and the manifest's commands and menus (the command is declared, shown on
// pciplat editors, and "Save as…" only on export previews).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_SCHEME, exportChoices, ExportStore } from '../../client/src/export-model.js';
import type { ExportResult } from '../../client/src/protocol.js';

const result = (fileName: string, text: string | null = 'text\n'): ExportResult => ({ uri: 'file:///w/a.pciplat', platform: 'p', format: 'xl', text, fileName, language: 'plaintext', errors: 0 });

describe('export choices', () => {
    it('names the format and the guest it is for', () => {
        const choices = exportChoices([
            { format: 'groups', summary: 'the groups' },
            { format: 'xl', summary: 'an xl.cfg', domain: 'web' },
            { format: 'qemu', summary: 'QEMU', vm: 'win11' },
        ]);
        expect(choices.map((c) => [c.label, c.description])).toEqual([
            ['groups', 'the groups'],
            ['xl: domain web', 'an xl.cfg'],
            ['qemu: VM win11', 'QEMU'],
        ]);
        expect(choices[1]!.target).toEqual({ format: 'xl', summary: 'an xl.cfg', domain: 'web' });
    });
});

describe('the preview store', () => {
    it('keeps each export under its own path, with its file name and source', () => {
        const store = new ExportStore();
        const a = store.add(result('p.web.cfg', 'one\n'), 'file:///w/a.pciplat');
        const b = store.add(result('p.web.cfg', 'two\n'), 'file:///w/a.pciplat');
        expect([a, b]).toEqual(['/1/p.web.cfg', '/2/p.web.cfg']);
        expect(store.get(a)).toEqual({ text: 'one\n', fileName: 'p.web.cfg', language: 'plaintext', source: 'file:///w/a.pciplat' });
        expect(store.get(b)?.text).toBe('two\n');
        expect(store.get('/3/x')).toBeUndefined();
    });

    it('forgets the oldest beyond its limit', () => {
        const store = new ExportStore(2);
        const keys = ['a', 'b', 'c'].map((n) => store.add(result(`${n}.txt`), 'file:///w/a.pciplat'));
        expect(keys.map((k) => store.get(k)?.fileName)).toEqual([undefined, 'b.txt', 'c.txt']);
    });
});

describe('the manifest', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
        activationEvents: string[];
        contributes: { commands: { command: string; title: string }[]; menus: Record<string, { command: string; when: string }[]> };
    };

    it('declares Export… and Save Export As…, the first on pciplat editors, the second on previews only', () => {
        const titles = Object.fromEntries(manifest.contributes.commands.map((c) => [c.command, c.title]));
        expect(titles['pciplat.export']).toBe('Export…');
        expect(titles['pciplat.exportSaveAs']).toBe('Save Export As…');
        expect(manifest.activationEvents).toContain('onCommand:pciplat.export');
        const title = manifest.contributes.menus['editor/title']!;
        expect(title.find((m) => m.command === 'pciplat.export')?.when).toBe('editorLangId == pciplat');
        expect(title.find((m) => m.command === 'pciplat.exportSaveAs')?.when).toBe(`resourceScheme == ${EXPORT_SCHEME}`);
        expect(manifest.contributes.menus.commandPalette!.find((m) => m.command === 'pciplat.exportSaveAs')?.when).toBe(`resourceScheme == ${EXPORT_SCHEME}`);
    });
});
