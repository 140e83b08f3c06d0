// The VS Code-free half of "pciplat: Import platform…" (client/src/import-model.ts): the picked
// sources → pciplat/import params, the suggested output name, and a pciplat/import answer → the
// Problems panel's entries for the sources and the notification; and the manifest's command.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMPORT_COMMAND, importDiagnostics, importOutcome, importParamsOf, SOURCE_KINDS, suggestedOutputName } from '../../client/src/import-model.js';
import type { ImportResult } from '../../client/src/protocol.js';

const OUT = 'file:///ws/board.pciplat';
const at = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 0 } });

describe('the picked sources → pciplat/import params', () => {
    it('names each source by its kind, and single ACPI tables by their signature', () => {
        expect(importParamsOf([{ kind: 'dt', uris: ['file:///m/board.dtb'] }, { kind: 'sysfs', uris: ['file:///m/snap'] }], OUT)).toEqual({ params: { output: OUT, dt: 'file:///m/board.dtb', sysfs: 'file:///m/snap' } });
        const tables = importParamsOf([{ kind: 'tables', uris: ['file:///t/MCFG', 'file:///t/iort.dsl', 'file:///t/APIC.dat', 'file:///t/DSDT'] }, { kind: 'lspci', uris: ['file:///t/lspci.txt'] }], OUT, true);
        expect(tables).toEqual({ params: { output: OUT, force: true, mcfg: 'file:///t/MCFG', iort: 'file:///t/iort.dsl', madt: 'file:///t/APIC.dat', dsdt: 'file:///t/DSDT', lspci: 'file:///t/lspci.txt' } });
        expect(importParamsOf([{ kind: 'acpi', uris: ['file:///t/tables'] }], OUT)).toEqual({ params: { output: OUT, acpi: 'file:///t/tables' } });
        expect(importParamsOf([{ kind: 'acpi', uris: ['file:///t/tables'] }, { kind: 'sysfs-tarball', uris: ['file:///m/snapshot.tgz'] }], OUT)).toEqual({ params: { output: OUT, acpi: 'file:///t/tables', sysfs: 'file:///m/snapshot.tgz' } });
    });

    it('says why picks do not go together', () => {
        expect(importParamsOf([], OUT)).toEqual({ problem: 'pick at least one source' });
        expect(importParamsOf([{ kind: 'sysfs', uris: ['file:///s'] }, { kind: 'sysfs-tarball', uris: ['file:///s.tgz'] }], OUT)).toEqual({ problem: 'pick one sysfs snapshot: a folder or a tarball' });
        expect(importParamsOf([{ kind: 'sysfs', uris: ['file:///s'] }, { kind: 'lspci', uris: ['file:///l.txt'] }], OUT)).toEqual({ problem: 'pick either a sysfs snapshot or an lspci listing: both describe the PCI fabric' });
        expect(importParamsOf([{ kind: 'dt', uris: ['file:///b.dts'] }, { kind: 'tables', uris: ['file:///t/IORT'] }], OUT)).toEqual({ problem: 'pick either a device tree or ACPI tables: both describe the host bridges' });
        expect(importParamsOf([{ kind: 'tables', uris: ['file:///t/FACP'] }], OUT)).toEqual({ problem: 'FACP is not named for an ACPI table the import reads (MCFG, APIC, IORT, DMAR, DSDT or IVRS, optionally .dsl or .dat)' });
        expect(importParamsOf([{ kind: 'tables', uris: ['file:///t/IORT', 'file:///t/IORT.dsl'] }], OUT)).toEqual({ problem: 'two IORT tables picked: IORT and IORT.dsl' });
    });

    it('suggests the device tree\'s name for the output, else a neutral one', () => {
        expect(suggestedOutputName([{ kind: 'sysfs', uris: ['file:///m/snap'] }, { kind: 'dt', uris: ['file:///m/ls1028a-rdb.dtb'] }])).toBe('ls1028a-rdb.pciplat');
        expect(suggestedOutputName([{ kind: 'lspci', uris: ['file:///m/x99%20desk.txt'] }])).toBe('x99_desk.pciplat');
        expect(suggestedOutputName([{ kind: 'sysfs', uris: ['file:///m/sysfs/'] }])).toBe('platform.pciplat');
        expect(suggestedOutputName([{ kind: 'tables', uris: ['file:///t/MCFG'] }])).toBe('MCFG.pciplat');
    });

    it('offers every kind of source with the dialog it needs', () => {
        expect(SOURCE_KINDS.map((k) => [k.kind, k.folder, k.many])).toEqual([
            ['dt', false, false],
            ['acpi', true, false],
            ['tables', false, true],
            ['sysfs', true, false],
            ['sysfs-tarball', false, false],
            ['lspci', false, false],
        ]);
    });
});

describe('a pciplat/import answer → diagnostics and the notification', () => {
    const garbled = 'file:///m/lspci.txt';
    const failed: ImportResult = {
        uri: null,
        exists: false,
        errors: 1,
        findings: [{ code: 'IMPORT-LSPCI-SYNTAX', severity: 'error', message: "'x' is not an lspci function line", uri: garbled, line: 10, loc: { uri: garbled, range: at(9) } }],
        message: "nothing written: lspci.txt:10: IMPORT-LSPCI-SYNTAX 'x' is not an lspci function line",
    };

    it('puts a failed import\'s finding on the source line and offers to open it', () => {
        expect([...importDiagnostics(failed)]).toEqual([[garbled, [{ range: at(9), severity: 'error', code: 'IMPORT-LSPCI-SYNTAX', message: "'x' is not an lspci function line" }]]]);
        expect(importOutcome(failed)).toEqual({ level: 'error', message: `pciplat: ${failed.message}`, source: { uri: garbled, range: at(9) } });
    });

    it('keeps the written platform\'s own findings out (the server publishes them) and warns about remarks', () => {
        const written: ImportResult = {
            uri: OUT,
            exists: false,
            errors: 0,
            findings: [
                { code: 'IMPORT-UNKNOWN', severity: 'warning', message: 'BAR 0: size unknown, left out', uri: garbled, line: 6, loc: { uri: garbled, range: at(5) } },
                { code: 'PCI-SOMETHING', severity: 'warning', message: 'in the platform', uri: OUT, line: 3, loc: { uri: OUT, range: at(2) } },
            ],
            message: 'wrote board.pciplat (platform board), 1 import remark',
        };
        expect([...importDiagnostics(written).keys()]).toEqual([garbled]);
        expect(importOutcome(written)).toEqual({ level: 'warning', message: 'pciplat: wrote board.pciplat (platform board), 1 import remark', source: { uri: garbled, range: at(5) } });
        expect(importOutcome({ uri: OUT, exists: false, errors: 0, findings: [], message: 'wrote board.pciplat (platform board)' })).toEqual({ level: 'info', message: 'pciplat: wrote board.pciplat (platform board)' });
    });
});

describe('the manifest', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
        activationEvents: string[];
        contributes: { commands: { command: string; title: string; category: string }[]; menus: Record<string, { command: string; when?: string }[]> };
    };

    it('declares "pciplat: Import platform…", activated by the command and in the palette everywhere', () => {
        expect(manifest.contributes.commands.find((c) => c.command === IMPORT_COMMAND)).toMatchObject({ title: 'Import platform…', category: 'pciplat' });
        expect(manifest.activationEvents).toContain(`onCommand:${IMPORT_COMMAND}`);
        expect(manifest.contributes.menus.commandPalette!.find((m) => m.command === IMPORT_COMMAND)).toEqual({ command: IMPORT_COMMAND });
    });
});
