// `pciplat compare` against real Linux: every oracle topology's real IOMMU groups, in each form
// users have them (test/fixtures/compare/<topo>/{loop.txt, find.txt, sysfs/}, made by make.sh from
// the oracle's raw dumps with the real lspci), compared with the oracle platforms' predictions
// (test/fixtures/oracle/<topo>/platform.pciplat) through the CLI with the real Langium loader.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { loadWithLangium } from '../../language/workspace/loader.js';

const fixtures = path.join(__dirname, '..', 'fixtures');
const REAL = path.join(fixtures, 'compare');
const ORACLE = path.join(fixtures, 'oracle');
const TOPOLOGIES = ['flat', 'switch', 'rootports', 'legacy', 'pxb'];
const FORMS = ['loop.txt', 'find.txt', 'sysfs'];

async function compare(cwd: string, ...args: string[]) {
    let out = '';
    let err = '';
    const code = await runCli(['compare', ...args], { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd }, loadWithLangium);
    return { code, out, err };
}

/** The functions Linux found: one folder each in the sysfs snapshot. */
function realFunctionCount(topo: string): number {
    return fs.readdirSync(path.join(REAL, topo, 'sysfs', 'sys', 'bus', 'pci', 'devices')).length;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-compare-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** An oracle platform with ACS on from the start, as Linux had it after the rescan and under UEFI/ACPI. */
function withAcs(topo: string): string {
    const text = fs.readFileSync(path.join(ORACLE, topo, 'platform.pciplat'), 'utf8');
    const enabled = text.replace('  uart pl011 at 0x900_0000 size 4K\n', '  uart pl011 at 0x900_0000 size 4K\n  linux { acs enabled }\n');
    expect(enabled).not.toBe(text);
    return enabled;
}

const rootportsWithAcs = () => withAcs('rootports');

function edit(text: string, from: string, to: string): string {
    expect(text).toContain(from);
    return text.replace(from, to);
}

describe.each(TOPOLOGIES)('oracle topology %s', (topo) => {
    it.each(FORMS)('agrees with every real group in %s', async (form) => {
        const r = await compare(REAL, path.join('..', 'oracle', topo, 'platform.pciplat'), path.join(topo, form));
        const n = realFunctionCount(topo);
        expect(r.err).toBe('');
        expect(r.out.split('\n').filter((l) => /^\d{4}:/.test(l)).every((l) => /^\S+ +\S+ +agree /.test(l))).toBe(true);
        expect(r.out).toContain(`\n${n} functions: ${n} agree, 0 differ, 0 only predicted, 0 only real\n`);
        expect(r.code).toBe(0);
    });
});

describe('the UEFI/ACPI boots (ACS on as the IORT brings the SMMU up first)', () => {
    it.each(['flat', 'switch', 'rootports', 'legacy'])('%s: the device-tree platform with linux { acs enabled } agrees with the UEFI boot', async (topo) => {
        fs.writeFileSync(path.join(tmp, `${topo}-acs.pciplat`), withAcs(topo));
        const r = await compare(REAL, path.join(tmp, `${topo}-acs.pciplat`), path.join(`${topo}-uefi`, 'loop.txt'));
        const n = realFunctionCount(`${topo}-uefi`);
        expect(r.out).toContain(`\n${n} functions: ${n} agree, 0 differ, 0 only predicted, 0 only real\n`);
        expect(r.code).toBe(0);
    });

    it("pxb: the device tree's platform lacks the expander's root bus, which ACPI gives Linux (oracle note 4)", async () => {
        fs.writeFileSync(path.join(tmp, 'pxb-acs.pciplat'), withAcs('pxb'));
        fs.copyFileSync(path.join(REAL, 'pxb-uefi', 'loop.txt'), path.join(tmp, 'pxb-uefi.txt'));
        const r = await compare(tmp, 'pxb-acs.pciplat', 'pxb-uefi.txt');
        expect(r.out.split('\n').filter((l) => /^\d{4}:/.test(l) && !/ agree /.test(l))).toEqual([
            '0000:80:00.0  -            only real       predicted: not in the platform  real group 0 {0000:80:00.0}  (PCI bridge [0604]: Red Hat, Inc. QEMU PCIe Root port [1b36:000c])',
            '0000:80:01.0  -            only real       predicted: not in the platform  real group 1 {0000:80:01.0}  (PCI bridge [0604]: Red Hat, Inc. QEMU PCIe Root port [1b36:000c])',
            '0000:81:00.0  -            only real       predicted: not in the platform  real group 6 {0000:81:00.0}  (Ethernet controller [0200]: Intel Corporation 82574L Gigabit Network Connection [8086:10d3])',
            '0000:82:00.0  -            only real       predicted: not in the platform  real group 7 {0000:82:00.0}  (Non-Volatile memory controller [0108]: Red Hat, Inc. QEMU NVM Express Controller [1b36:0010] (rev 02))',
        ]);
        expect(r.out).toContain('\n8 functions: 4 agree, 0 differ, 0 only predicted, 4 only real\n');
        expect(r.code).toBe(1);
    });
});

describe('x86 (q35 with VT-d, firmware-assigned): the ICH9 functions, multi-function without ACS, share a group', () => {
    it.each(FORMS)('flat-x86: the hand-written platform agrees with the real groups in %s', async (form) => {
        const r = await compare(REAL, path.join('flat-x86', 'platform.pciplat'), path.join('flat-x86', form));
        expect(r.out).toContain('0000:00:1f.3  smbus        agree           {0000:00:1f.0, 0000:00:1f.2, 0000:00:1f.3}\n');
        expect(r.out).toContain('\n9 functions: 9 agree, 0 differ, 0 only predicted, 0 only real\n');
        expect(r.code).toBe(0);
    });
});

describe('vendor:device IDs (lspci -nn) against the declared ones', () => {
    it('notes a real device with other IDs than declared, without failing on it when the groups agree', async () => {
        const flat = fs.readFileSync(path.join(ORACLE, 'flat', 'platform.pciplat'), 'utf8');
        fs.writeFileSync(path.join(tmp, 'flat-i210.pciplat'), edit(flat, 'e1000e0 at 00:01.0 vendor 0x8086 device 0x10d3', 'e1000e0 at 00:01.0 vendor 0x8086 device 0x1533'));
        fs.copyFileSync(path.join(REAL, 'flat', 'loop.txt'), path.join(tmp, 'flat-loop.txt'));
        const r = await compare(tmp, 'flat-i210.pciplat', 'flat-loop.txt');
        expect(r.out.split('\n').filter((l) => l.includes('[real device'))).toEqual(['0000:00:01.0  e1000e0      agree           {0000:00:01.0}  [real device 8086:10d3, declared 8086:1533]']);
        expect(r.out).toContain('\n6 functions: 6 agree, 0 differ, 0 only predicted, 0 only real; 1 with other vendor:device IDs than declared\n');
        expect(r.code).toBe(0);
    });
});

describe("the loop's variants (lspci -D, without lspci, one line per device)", () => {
    it.each(['loop-D.txt', 'loop-bare.txt', 'loop-oneline.txt'])('legacy: %s agrees', async (form) => {
        const r = await compare(REAL, path.join('..', 'oracle', 'legacy', 'platform.pciplat'), path.join('legacy', form));
        expect(r.out).toContain('\n14 functions: 14 agree, 0 differ, 0 only predicted, 0 only real\n');
        expect(r.code).toBe(0);
    });
});

describe('with ACS on (the rootports rescan)', () => {
    const platform = path.join(tmp, 'rootports-acs.pciplat');
    fs.writeFileSync(platform, rootportsWithAcs());

    it.each(FORMS)('linux { acs enabled } agrees with the real groups in %s', async (form) => {
        const r = await compare(REAL, platform, path.join('rootports-rescan', form));
        expect(r.out).toContain('\n14 functions: 14 agree, 0 differ, 0 only predicted, 0 only real\n');
        expect(r.code).toBe(0);
    });

    it('reports exactly what a wrong platform gets wrong: ACS removed from rp2, rp7 at the wrong address', async () => {
        let wrong = edit(rootportsWithAcs(), 'class 0x060400 {\n      bar 0 mem32 size 4K\n      msix entries 1 table bar 0 offset 0x0 pba bar 0 offset 0x800\n      acs sv tb rr cr uf dt\n      slot 2 hotplug', 'class 0x060400 {\n      bar 0 mem32 size 4K\n      msix entries 1 table bar 0 offset 0x0 pba bar 0 offset 0x800\n      slot 2 hotplug');
        wrong = edit(wrong, 'root-port rp7 at 00:07.0', 'root-port rp7 at 00:08.0');
        fs.writeFileSync(path.join(tmp, 'wrong.pciplat'), wrong);
        fs.copyFileSync(path.join(REAL, 'rootports-rescan', 'loop.txt'), path.join(tmp, 'loop.txt'));
        const r = await compare(tmp, 'wrong.pciplat', 'loop.txt');
        expect(r.out).toBe(
            [
                "Platform qemu_virt_rootports (wrong.pciplat) against the real machine's IOMMU groups in loop.txt",
                '(output of the iommu_groups loop: 12 groups, listing the PCI functions in a group); groups are compared as sets of functions, not by number',
                '',
                '0000:00:00.0  pcie_host    agree           {0000:00:00.0}',
                '0000:00:01.0  rp1          agree           {0000:00:01.0}',
                '0000:00:02.0  rp2          differs         predicted group 1 {0000:00:02.0, 0000:02:00.0}  real group 1 {0000:00:02.0}',
                '0000:00:03.0  rp3          agree           {0000:00:03.0}',
                '0000:00:04.0  rp4          agree           {0000:00:04.0}',
                '0000:00:05.0  rp5          agree           {0000:00:05.0, 0000:05:00.0}',
                '0000:00:06.0  rp6          agree           {0000:00:06.0, 0000:06:00.0}',
                '0000:00:07.0  -            only real       predicted: not in the platform  real group 6 {0000:00:07.0}  (PCI bridge [0604]: Red Hat, Inc. QEMU PCIe Root port [1b36:000c])',
                '0000:00:08.0  rp7          only predicted  predicted group 6 {0000:00:08.0}  real: not listed',
                '0000:01:00.0  e1000e0      agree           {0000:01:00.0}',
                '0000:02:00.0  virtio_net0  differs         predicted group 1 {0000:00:02.0, 0000:02:00.0}  real group 8 {0000:02:00.0}',
                '0000:03:00.0  nvme0        agree           {0000:03:00.0}',
                '0000:04:00.0  ivshmem0     agree           {0000:04:00.0}',
                '0000:05:00.0  e1000e1      agree           {0000:00:05.0, 0000:05:00.0}',
                '0000:06:00.0  virtio_rng0  agree           {0000:00:06.0, 0000:06:00.0}',
                '',
                '15 functions: 11 agree, 2 differ, 1 only predicted, 1 only real',
                '',
            ].join('\n'),
        );
        expect(r.code).toBe(1);
    });
});
