// The real `pciplat import` (bin/pciplat.js over the compiled out/, with the real dtc) on good
// and bad inputs: a good machine gives a platform that checks clean; every bad input gives one
// coded finding with file and line, exit status 1, and no output file.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotFromDump } from '../helpers/sysfs-snapshot.js';

const bin = path.join(__dirname, '..', '..', 'bin', 'pciplat.js');
const oracle = path.join(__dirname, '..', 'fixtures', 'import', 'switch', 'dt');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-import-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function pciplat(...args: string[]) {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(name: string, content: string | Uint8Array): string {
    fs.writeFileSync(path.join(dir, name), content);
    return name;
}

const dts = fs.readFileSync(path.join(oracle, 'machine.dts'), 'utf8');
const lspci = fs.readFileSync(path.join(oracle, 'lspci.txt'), 'utf8');
write('machine.dts', dts);
write('lspci.txt', lspci);
snapshotFromDump(fs.readFileSync(path.join(oracle, 'linux.txt'), 'utf8'), path.join(dir, 'sysfs'));
const dtc = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', path.join(dir, 'machine.dtb'), path.join(dir, 'machine.dts')], { encoding: 'utf8' });

const exists = (name: string) => fs.existsSync(path.join(dir, name));
const uefi = path.join(__dirname, '..', 'fixtures', 'import', 'switch', 'uefi');
fs.mkdirSync(path.join(dir, 'acpi-dsl'));
fs.mkdirSync(path.join(dir, 'acpi-bin'));
for (const t of ['MCFG', 'APIC', 'IORT', 'DSDT']) fs.copyFileSync(path.join(uefi, `${t}.dsl`), path.join(dir, 'acpi-dsl', `${t}.dsl`));
snapshotFromDump(fs.readFileSync(path.join(uefi, 'linux.txt'), 'utf8'), path.join(dir, 'sysfs-uefi'));
// Binary tables as /sys/firmware/acpi/tables holds them, compiled from the disassemblies by the real iasl.
const iasl = ['MCFG', 'APIC', 'IORT'].map((t) => {
    const r = spawnSync('iasl', ['-p', path.join(dir, 'acpi-bin', t), path.join(dir, 'acpi-dsl', `${t}.dsl`)], { encoding: 'utf8' });
    if (r.status === 0) fs.renameSync(path.join(dir, 'acpi-bin', `${t}.aml`), path.join(dir, 'acpi-bin', t));
    return r.status;
});
const withoutComments = (text: string) => text.split('\n').map((l) => l.replace(/\s*\/\/.*$/, '')).filter((l) => l.trim() !== '').join('\n');

describe('pciplat import on a good machine', () => {
    it('the real dtc made the blob', () => expect(dtc.status).toBe(0));

    it('reads a .dtb through dtc and a sysfs snapshot, writes the platform and checks it clean (exit 0)', () => {
        const r = pciplat('import', '--dt', 'machine.dtb', '--sysfs', 'sysfs', '-o', 'board.pciplat');
        expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: '', stderr: '0 errors, 0 warnings\n' });
        const text = fs.readFileSync(path.join(dir, 'board.pciplat'), 'utf8');
        expect(text).toMatch(/^platform board \{$/m);
        expect(text).toMatch(/^ {10}endpoint nvme0 at 05:00\.0 vendor 0x1b36 device 0x0010 class 0x010802 /m);
        expect(pciplat('check', 'board.pciplat').status).toBe(0);
        expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });

    it('never overwrites an existing platform without --force (exit 2), and does with it', () => {
        write('kept.pciplat', '// mine\n');
        const r = pciplat('import', '--dt', 'machine.dts', '--sysfs', 'sysfs', '-o', 'kept.pciplat');
        expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: 'pciplat: kept.pciplat exists; use --force to overwrite it\n' });
        expect(fs.readFileSync(path.join(dir, 'kept.pciplat'), 'utf8')).toBe('// mine\n');
        expect(pciplat('import', '--dt', 'machine.dts', '--sysfs', 'sysfs', '-o', 'kept.pciplat', '--force').status).toBe(0);
        expect(fs.readFileSync(path.join(dir, 'kept.pciplat'), 'utf8')).toMatch(/^platform kept \{$/m);
    });

    it('an lspci listing without BAR sizes imports with warnings naming each unknown size (exit 0)', () => {
        const r = pciplat('import', '--dt', 'machine.dts', '--lspci', 'lspci.txt', '-o', 'from-lspci.pciplat');
        expect(r.status).toBe(0);
        expect(r.stdout.split('\n')[0]).toBe('lspci.txt:6:1: warning: IMPORT-UNKNOWN 0000:00:01.0 BAR 0 (mem32 at 0x10a00000): size unknown, left out');
    });
});

describe('pciplat import from a sysfs tarball', () => {
    it('reads snapshot.tgz (tar czf of the folder) to the same platform as the folder (exit 0)', () => {
        expect(spawnSync('tar', ['czf', 'snapshot.tgz', 'sysfs'], { cwd: dir }).status).toBe(0);
        const fromTgz = pciplat('import', '--dt', 'machine.dts', '--sysfs', 'snapshot.tgz', '-o', 'tgz.pciplat', '--name', 'board');
        const fromDir = pciplat('import', '--dt', 'machine.dts', '--sysfs', 'sysfs', '-o', 'dir.pciplat', '--name', 'board');
        expect([fromTgz.status, fromDir.status]).toEqual([0, 0]);
        expect(withoutComments(fs.readFileSync(path.join(dir, 'tgz.pciplat'), 'utf8'))).toEqual(withoutComments(fs.readFileSync(path.join(dir, 'dir.pciplat'), 'utf8')));
    });
});

describe('pciplat import from ACPI tables', () => {
    it('the real iasl compiled the binary tables', () => expect(iasl).toEqual([0, 0, 0]));

    it('reads binary tables through iasl -d to the same platform as their disassemblies (exit 0)', () => {
        fs.copyFileSync(path.join(dir, 'acpi-dsl', 'DSDT.dsl'), path.join(dir, 'acpi-bin', 'DSDT.dsl'));
        const fromDsl = pciplat('import', '--acpi', 'acpi-dsl', '--sysfs', 'sysfs-uefi', '-o', 'uefi-dsl.pciplat', '--name', 'uefi');
        const fromBin = pciplat('import', '--acpi', 'acpi-bin', '--sysfs', 'sysfs-uefi', '-o', 'uefi-bin.pciplat', '--name', 'uefi');
        expect([fromDsl.status, fromBin.status]).toEqual([0, 0]);
        const dsl = fs.readFileSync(path.join(dir, 'uefi-dsl.pciplat'), 'utf8');
        expect(dsl).toMatch(/^ {2}iort \{$/m);
        expect(withoutComments(fs.readFileSync(path.join(dir, 'uefi-bin.pciplat'), 'utf8'))).toEqual(withoutComments(dsl));
    });
});

describe('pciplat import on bad input: one coded finding at the place, exit 1, nothing written', () => {
    const lines = lspci.split('\n');
    const cases: [string, () => string[], string][] = [
        [
            'a .dtb that is not one',
            () => ['--dt', write('noise.dtb', Uint8Array.from([0xd0, 0x0d, 0xfe, 0xed, 1, 2, 3, 4, 5, 6, 7, 8])), '--sysfs', 'sysfs'],
            'noise.dtb:1:1: error: IMPORT-NOT-DTB dtc -I dtb cannot read it: ',
        ],
        [
            'a truncated device tree source',
            () => ['--dt', write('cut.dts', dts.split('\n').slice(0, 300).join('\n')), '--sysfs', 'sysfs'],
            "cut.dts:300:1: error: IMPORT-DTS-SYNTAX node 'pcie' (line 293) is never closed: the file is truncated",
        ],
        [
            'a garbled lspci listing',
            () => ['--dt', 'machine.dts', '--lspci', write('garbled.txt', [...lines.slice(0, 9), 'Segmentation fault (core dumped)', ...lines.slice(9)].join('\n'))],
            "garbled.txt:10:1: error: IMPORT-LSPCI-SYNTAX 'Segmentation fault (core dumped)' is not an lspci function line (BB:DD.F class [cccc]: vendor device [vvvv:dddd])",
        ],
        [
            'an lspci listing cut inside a capability',
            () => ['--dt', 'machine.dts', '--lspci', write('cut.txt', lines.slice(0, lines.findIndex((l) => l.includes('MSI-X: Enable+ Count=1')) + 1).join('\n'))],
            'cut.txt:56:1: error: IMPORT-LSPCI-SYNTAX the MSI-X capability at line 56 lacks its detail lines: the listing is truncated',
        ],
        [
            'a device listed twice',
            () => ['--dt', 'machine.dts', '--lspci', write('twice.txt', `${lspci}\n${lines.slice(0, 4).join('\n')}\n`)],
            `twice.txt:${lines.length + 1}:1: error: IMPORT-DEVICE-TWICE 0000:00:00.0 is listed twice (first at twice.txt:1)`,
        ],
        [
            'a bridge whose bus numbers contradict its children',
            () => ['--dt', 'machine.dts', '--lspci', write('buses.txt', lspci.replace('Bus: primary=00, secondary=01, subordinate=06', 'Bus: primary=00, secondary=08, subordinate=08'))],
            `buses.txt:${lines.findIndex((l) => l.startsWith('01:00.0')) + 1}:1: error: IMPORT-BUS-CONTRADICTION 0000:01:00.0 is on bus 0x1, but no listed bridge has it as secondary bus and the root bus of pcie0 is 0x0`,
        ],
        [
            'a .dsl of another table',
            () => ['--mcfg', 'acpi-dsl/IORT.dsl', '--sysfs', 'sysfs-uefi'],
            'acpi-dsl/IORT.dsl:13:1: error: IMPORT-ACPI-TABLE this is the IORT table, not MCFG',
        ],
        [
            'a binary table of another signature',
            () => ['--iort', 'acpi-bin/MCFG', '--sysfs', 'sysfs-uefi'],
            'acpi-bin/MCFG:1:1: error: IMPORT-ACPI-TABLE this is the MCFG table, not IORT',
        ],
        ['a folder that is not a sysfs snapshot', () => (fs.mkdirSync(path.join(dir, 'empty'), { recursive: true }), ['--dt', 'machine.dts', '--sysfs', 'empty']), 'empty:1:1: error: IMPORT-SYSFS-LAYOUT no bus/pci/devices/DDDD:BB:DD.F folders: not a sysfs snapshot (see docs/import.md for the command that makes one)'],
        ['an MCFG given as the IVRS', () => ['--ivrs', 'acpi-dsl/MCFG.dsl', '--mcfg', 'acpi-dsl/MCFG.dsl', '--sysfs', 'sysfs-uefi'], 'acpi-dsl/MCFG.dsl:13:1: error: IMPORT-ACPI-TABLE this is the MCFG table, not IVRS'],
        [
            'a tarball cut short',
            () => {
                spawnSync('tar', ['cf', 'whole.tar', 'sysfs'], { cwd: dir });
                write('cut.tar', fs.readFileSync(path.join(dir, 'whole.tar')).subarray(0, 3000));
                return ['--dt', 'machine.dts', '--sysfs', 'cut.tar'];
            },
            'cut.tar:1:1: error: IMPORT-SYSFS-LAYOUT not a readable tar archive at byte',
        ],
        [
            'a config file too short to be one',
            () => {
                snapshotFromDump(fs.readFileSync(path.join(oracle, 'linux.txt'), 'utf8'), path.join(dir, 'short'));
                fs.writeFileSync(path.join(dir, 'short/bus/pci/devices/0000:00:02.0/config'), Uint8Array.from([0x36, 0x1b, 0x0c]));
                return ['--dt', 'machine.dts', '--sysfs', 'short'];
            },
            'short/bus/pci/devices/0000:00:02.0/config:1:1: error: IMPORT-CONFIG-BYTES 0000:00:02.0: a configuration space has at least 64 bytes, this one 3',
        ],
    ];
    it.each(cases)('%s', (_what, args, line) => {
        const out = `out-${_what.replace(/\W+/g, '-')}.pciplat`;
        const r = pciplat('import', ...args(), '-o', out);
        expect(r.stdout.startsWith(line), r.stdout).toBe(true);
        expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
        expect(r.status).toBe(1);
        expect(r.stderr).toBe('1 error, 0 warnings\n');
        expect(exists(out)).toBe(false);
    });
});

describe('pciplat import --format json', () => {
    it('prints the import error as a check document', () => {
        const r = pciplat('import', '--dt', 'machine.dts', '--lspci', write('json-bad.txt', 'not lspci at all\n'), '-o', 'json.pciplat', '--format', 'json');
        expect(r.status).toBe(1);
        const doc = JSON.parse(r.stdout) as { findings: { code: string; file: string; line: number }[] };
        expect(doc.findings.map((f) => `${f.file}:${f.line} ${f.code}`)).toEqual(['json-bad.txt:1 IMPORT-LSPCI-SYNTAX']);
        expect(exists('json.pciplat')).toBe(false);
    });
});
