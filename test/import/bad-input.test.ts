// Whatever the input, the readers end with facts or a coded ImportError — never another
// exception, a hang or unbounded output. Every oracle input cut at many points and with bytes
// flipped is fed to the reader of its format.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAcpi } from '../../src/import/acpi.js';
import { readDeviceTree } from '../../src/import/device-tree.js';
import { ImportError } from '../../src/import/errors.js';
import { readLspci } from '../../src/import/lspci.js';

const fixtures = path.join(__dirname, '..', 'fixtures', 'import');
const read = (p: string) => fs.readFileSync(path.join(fixtures, p), 'utf8');

/** 40 cuts and 40 one-character corruptions of `text`, deterministic. */
function variants(text: string): string[] {
    const out: string[] = [];
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 1; i <= 40; i++) out.push(text.slice(0, Math.floor((text.length * i) / 41)));
    for (let i = 0; i < 40; i++) {
        const at = next() % text.length;
        out.push(text.slice(0, at) + '{};<>"[]:=@\t\n'.charAt(next() % 15) + text.slice(at + 1));
    }
    return out;
}

function outcome(run: () => unknown): string {
    try {
        run();
        return 'ok';
    } catch (error) {
        if (error instanceof ImportError) return error.code;
        return `CRASH ${(error as Error).stack}`;
    }
}

describe('readers on damaged inputs', () => {
    it('lspci listings', () => {
        const results = variants(read('legacy/dt/lspci.txt')).map((t) => outcome(() => readLspci(t, 'l.txt')));
        expect(results.filter((r) => r.startsWith('CRASH'))).toEqual([]);
        expect(results).toContain('IMPORT-LSPCI-SYNTAX');
    });

    it('device tree source', () => {
        const results = variants(read('switch/dt/machine.dts')).map((t) => outcome(() => readDeviceTree(t, 'm.dts', new Map())));
        expect(results.filter((r) => r.startsWith('CRASH'))).toEqual([]);
        expect(results).toContain('IMPORT-DTS-SYNTAX');
    });

    it('ACPI tables', () => {
        const iort = read('pxb/uefi/IORT.dsl');
        const mcfg = read('pxb/uefi/MCFG.dsl');
        const results = [
            ...variants(iort).map((t) => outcome(() => readAcpi({ mcfg: { file: 'MCFG.dsl', text: mcfg }, iort: { file: 'IORT.dsl', text: t } }, new Map()))),
            ...variants(read('pxb/uefi/DSDT.dsl')).map((t) => outcome(() => readAcpi({ mcfg: { file: 'MCFG.dsl', text: mcfg }, dsdt: { file: 'DSDT.dsl', text: t } }, new Map()))),
            ...variants(read('switch/x86/DMAR.dsl')).map((t) => outcome(() => readAcpi({ mcfg: { file: 'MCFG.dsl', text: read('switch/x86/MCFG.dsl') }, dmar: { file: 'DMAR.dsl', text: t } }, new Map()))),
            ...variants(read('amdvi/x86-amd/IVRS.dsl')).map((t) => outcome(() => readAcpi({ mcfg: { file: 'MCFG.dsl', text: read('amdvi/x86-amd/MCFG.dsl') }, ivrs: { file: 'IVRS.dsl', text: t } }, new Map()))),
            ...variants(read('ga503rm/ivrs.dsl')).map((t) => outcome(() => readAcpi({ mcfg: { file: 'mcfg.dsl', text: read('ga503rm/mcfg.dsl') }, ivrs: { file: 'ivrs.dsl', text: t } }, new Map()))),
        ];
        expect(results.filter((r) => r.startsWith('CRASH'))).toEqual([]);
        expect(results).toContain('IMPORT-ACPI-TABLE');
    });

    it('a device tree nested deeper than any real one is refused, not recursed into', () => {
        const deep = `/dts-v1/;\n/ {\n${'a {\n'.repeat(100)}${'};\n'.repeat(100)}};\n`;
        expect(outcome(() => readDeviceTree(deep, 'deep.dts', new Map()))).toBe('IMPORT-DTS-SYNTAX');
    });
});
