// AMD-Vi: the IVRS read into per-function IOMMU scope, and Linux 6.1's IOMMU group numbers on
// AMD-Vi. Real data only: the oracle boot of QEMU q35 + amd-iommu (test/fixtures/import/amdvi/
// x86-amd: its IVRS, MCFG, DSDT and sysfs dump, and the groups Linux made), and the real IVRS of
// an AMD laptop (test/fixtures/import/ga503rm, from a public ACPI dump).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/engine/simulate.js';
import type { FunctionResult } from '../../src/engine/result.js';
import { readIvrs } from '../../src/import/acpi-ivrs.js';
import { readAcpi } from '../../src/import/acpi.js';
import { applyIommuScopes } from '../../src/import/iommu-scope.js';
import { importPlatform } from '../../src/import/import-platform.js';
import { printPlatform } from '../../src/import/print.js';
import { folderSnapshot } from '../../src/import/snapshot-fs.js';
import type { HostBridge, PciFunction } from '../../src/model/platform.js';
import { importText } from '../../src/cli/import-sources.js';
import { bdfOf, bridgeOf } from '../helpers/oracle-compare.js';
import { platformFromText } from '../helpers/platforms.js';
import { snapshotFromDump } from '../helpers/sysfs-snapshot.js';
import { buildTexts, diagnosticsOf } from '../helpers/workspace.js';
import type { Expected } from './oracle-import.test.js';

const DIR = path.join(__dirname, '..', 'fixtures', 'import', 'amdvi', 'x86-amd');
const read = (f: string) => ({ file: f, text: fs.readFileSync(path.join(DIR, f), 'utf8') });
const expected = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Expected;

async function simulated(text: string) {
    const result = simulate(await platformFromText(text), { profile: 'kvm' });
    return { result, byBdf: new Map<string, FunctionResult>(result.functions.map((f) => [bdfOf(f), f])) };
}

describe('imported AMD-Vi oracle (Linux 6.1, QEMU q35 + amd-iommu: IVRS, MCFG, DSDT + sysfs)', async () => {
    const sysfs = snapshotFromDump(fs.readFileSync(path.join(DIR, 'linux.txt'), 'utf8'));
    const imported = importPlatform({ name: 'amdvi', acpi: { mcfg: read('MCFG.dsl'), dsdt: read('DSDT.dsl'), ivrs: read('IVRS.dsl') }, sysfs: folderSnapshot(sysfs, 'sysfs') });
    const text = printPlatform(imported.platform, { comments: imported.comments, header: [] });
    const { result, byBdf } = await simulated(text);

    it('writes the IVHD as one amd-vi unit at its register base, scoping the host bridge', () => {
        expect(text).toMatch(/^ {2}iommu amdvi0 amd-vi at 0xfed8_?0000 scope pci0000_00$/m);
    });

    it('prints a platform the language accepts without a finding', async () => {
        const { roots } = await buildTexts({ 'imported.pciplat': text });
        expect(diagnosticsOf(roots[0]!).map((d) => `${d.range.start.line + 1}: ${String(d.code)} ${d.message}`)).toEqual([]);
    });

    it('writes outside-iommu on exactly the AMD IOMMU function (IVHD DeviceId 0x0008 = 00:01.0) and says why', () => {
        expect(text.split('\n').filter((l) => /^\s*outside-iommu$/.test(l))).toHaveLength(1);
        const at = text.split('\n').findIndex((l) => /^\s*outside-iommu$/.test(l));
        const block = text.split('\n').slice(Math.max(0, at - 12), at).join('\n');
        expect(block).toContain("0000:00:01.0");
        expect(block).toContain("the AMD IOMMU's own function (IVHD DeviceId 0x0008)");
    });

    it('writes an IVRS alias on the function\'s own bus as a DMA alias (setup_aliases): bus 1 seen as 01:00.0, not bus 6 seen as 00:08.0', () => {
        const fns = imported.platform.hostBridges.flatMap((h) => {
            const all = (fs: typeof h.functions): typeof fs => fs.flatMap((f) => [f, ...all(f.children)]);
            return all(h.functions);
        });
        const withAlias = fns.filter((f) => f.quirks.some((q) => q.kind === 'dma-alias')).map((f) => `${f.address.bus}:${f.address.device}.${f.address.fn}`);
        expect(withAlias).toEqual(['1:1.0', '1:2.0']);
        expect(text.split('\n').filter((l) => /^\s*quirk dma-alias 00\.0$/.test(l))).toHaveLength(2);
        const nic = result.functions.find((f) => bdfOf(f) === '0000:01:01.0')!;
        expect(nic.aliases.map((a) => Number(a))).toEqual([0x108, 0x100, 0x100]);
    });

    it('has every function Linux enumerated, on its bus, and every bridge with its bus numbers and windows', () => {
        expect(expected.functions.map((f) => `${f.bdf} ${byBdf.get(f.bdf)?.bus}`)).toEqual(expected.functions.map((f) => `${f.bdf} ${f.bus}`));
        expect(expected.bridges.map((b) => ({ bdf: b.bdf, ...bridgeOf(byBdf.get(b.bdf)) }))).toEqual(expected.bridges);
    });

    it('gives every function the IOMMU group number Linux 6.1 gave it (bus_iommu_probe in add order), and none to the IOMMU itself', () => {
        const got = expected.functions.map((f) => `${f.bdf} ${byBdf.get(f.bdf)?.group ?? null}`);
        expect(got).toEqual(expected.functions.map((f) => `${f.bdf} ${f.group}`));
        expect(byBdf.get('0000:00:01.0')?.noGroup).toBeDefined();
    });

    it('finds only the io window Linux could not assign either', () => {
        expect(expected.noSpace).toEqual([['0000:03:01.0', 'io']]);
        expect(result.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual([]);
    });

    it('reads the binary IVRS through the real iasl to the same platform (the CLI path)', async () => {
        const cwd = DIR;
        const fromDat = await importText({ ivrs: 'IVRS.dat', mcfg: 'MCFG.dsl', dsdt: 'DSDT.dsl', sysfs }, 'amdvi', cwd);
        const fromDsl = await importText({ ivrs: 'IVRS.dsl', mcfg: 'MCFG.dsl', dsdt: 'DSDT.dsl', sysfs }, 'amdvi', cwd);
        const body = (t: string) => t.split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n');
        expect(body(fromDat.text)).toEqual(body(fromDsl.text));
        expect(body(fromDat.text)).toContain('outside-iommu');
        // --acpi DIR as /sys/firmware/acpi/tables holds them: the binary table named by its signature.
        const tables = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-acpi-'));
        fs.copyFileSync(path.join(DIR, 'IVRS.dat'), path.join(tables, 'IVRS'));
        for (const t of ['MCFG', 'DSDT']) fs.copyFileSync(path.join(DIR, `${t}.dsl`), path.join(tables, `${t}.dsl`));
        const fromDir = await importText({ acpi: tables, sysfs }, 'amdvi', cwd);
        fs.rmSync(tables, { recursive: true, force: true });
        expect(body(fromDir.text)).toEqual(body(fromDsl.text));
    });
});

// Both AMD-Vi oracle boots (amdvi; amdsriov: SR-IOV PFs with their VFs enabled, a switch, a
// hot-plug port): imported from IVRS, MCFG, DSDT + sysfs, every function gets Linux's bus and
// group number, and the simulation fails exactly the windows Linux could not assign.
describe.each(['amdvi', 'amdsriov'])('AMD-Vi oracle %s: Linux 6.1\'s numbers', async (topology) => {
    const dir = path.join(__dirname, '..', 'fixtures', 'import', topology, 'x86-amd');
    const file = (f: string) => ({ file: f, text: fs.readFileSync(path.join(dir, f), 'utf8') });
    const want = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
    const imp = importPlatform({ name: topology, acpi: { mcfg: file('MCFG.dsl'), dsdt: file('DSDT.dsl'), ivrs: file('IVRS.dsl') }, sysfs: folderSnapshot(snapshotFromDump(file('linux.txt').text), 'sysfs') });
    const { result, byBdf } = await simulated(printPlatform(imp.platform, { comments: imp.comments, header: [] }));

    it('every function Linux enumerated (VFs too), on its bus, with its IOMMU group number (none for the IOMMU itself)', () => {
        expect(want.functions.map((f) => `${f.bdf} bus ${byBdf.get(f.bdf)?.bus} group ${byBdf.get(f.bdf)?.group ?? null}`)).toEqual(want.functions.map((f) => `${f.bdf} bus ${f.bus} group ${f.group}`));
    });

    // dmesg also logs windows whose first try failed and a retry placed (amdsriov's io windows
    // of the switch): the import writes where they ended, so only the ones Linux left closed
    // (no such window in its final state) can be reported.
    const closedAtEnd = want.noSpace.filter(([bdf, w]) => !want.bridges.find((b) => b.bdf === bdf)?.windows[w as 'io' | 'mem' | 'prefetch']);
    it("fails to place exactly the bridge windows Linux could not assign and left closed (dmesg's \"can't assign; no space\")", () => {
        const bdfOfName = new Map(result.functions.map((f) => [f.name, bdfOf(f)]));
        const reported = result.findings.filter((f) => f.code === 'PCI-RESOURCE-NO-SPACE').map((f) => {
            const m = /^The (io|mem|prefetch) window of \S+ (\S+) /.exec(f.message) ?? /^The hot-plug reservation of \S+ (\S+), all of its (io|mem|prefetch) window/.exec(f.message);
            return m ? (m[0].startsWith('The hot-plug') ? `${bdfOfName.get(m[1]!)} ${m[2]}` : `${bdfOfName.get(m[2]!)} ${m[1]}`) : f.message;
        });
        expect(reported.sort()).toEqual(closedAtEnd.map(([bdf, w]) => `${bdf} ${w}`).sort());
        expect(result.findings.filter((f) => f.code !== 'PCI-RESOURCE-NO-SPACE').map((f) => f.code)).toEqual([]);
    });
});

describe('a real AMD laptop IVRS (ASUS GA503RM, Ryzen 6900HS)', () => {
    const FIX = path.join(__dirname, '..', 'fixtures', 'import', 'ga503rm');
    const ivrs = { file: 'ivrs.dsl', text: fs.readFileSync(path.join(FIX, 'ivrs.dsl'), 'utf8') };
    const mcfg = { file: 'mcfg.dsl', text: fs.readFileSync(path.join(FIX, 'mcfg.dsl'), 'utf8') };

    it('reads the newer iasl layout (hex lengths, device entries as "Subtable Type") and uses only the type 0x40 IVHD, as Linux does', () => {
        const hw = readAcpi({ mcfg, ivrs }, new Map());
        expect(hw.x86Iommus.map((u) => `${u.name} ${u.kind} 0x${u.base.toString(16)} ${u.scope.join(' ')}`)).toEqual(['amdvi0 amd-vi 0xfd400000 pci0000_00']);
        expect(hw.scopes).toHaveLength(1);
        const rules = hw.scopes[0]!.rules.map((r) => (r.kind === 'ids' ? `${r.first.toString(16)}..${r.last.toString(16)}` : r.kind));
        // range 0x0008..0xfffe, alias range 0xff00..0xffff seen as 0x00a5, IOAPIC/HPET requester IDs
        expect(rules).toEqual(['8..fffe', 'ff00..ffff', 'a5..a5', 'a0..a0', 'a0..a0', '1..1']);
        expect(hw.scopes[0]!.except.map((e) => e.id)).toEqual([2]);
    });

    it('leaves the root complex 00:00.0 and the IOMMU 00:00.2 outside, and everything from 00:01.0 on inside', () => {
        const hw = readAcpi({ mcfg, ivrs }, new Map());
        const fn = (bus: bigint, device: bigint, f: bigint, children: PciFunction[] = []): PciFunction => ({
            name: `f${bus}_${device}_${f}`,
            kind: 'pci-device',
            address: { bus, device, fn: f, loc: hw.hostBridges[0]!.loc },
            multifunction: false,
            ariForwarding: false,
            ioWindow1k: false,
            bars: [],
            resets: [],
            quirks: [],
            windows: [],
            children,
            loc: hw.hostBridges[0]!.loc,
            nameLoc: hw.hostBridges[0]!.loc,
        });
        const hb: HostBridge = {
            ...hw.hostBridges[0]!,
            functions: [fn(0n, 0n, 0n), fn(0n, 0n, 2n), fn(0n, 0n, 3n), fn(0n, 1n, 0n), fn(0n, 8n, 1n), fn(0n, 0x14n, 0n), fn(1n, 0n, 0n), fn(0xffn, 0x1fn, 7n)],
        };
        const comments = new Map();
        const marked = applyIommuScopes([hb], hw.scopes, comments).map((f) => f.name);
        // device IDs 0x0000, 0x0002 (the IOMMU, taken out) and 0x0003 are in no entry
        expect(marked.sort()).toEqual(['f0_0_0', 'f0_0_2', 'f0_0_3']);
        expect(comments.get(hb.functions[0])).toEqual(['outside-iommu: no amdvi0 (ivrs.dsl) device entry or scope covers it, so Linux gives it no IOMMU group']);
    });

    it('stops with a coded error on an IVRS without an IVHD, naming the file', () => {
        const cut = ivrs.text.split('\n').filter((l) => !/Subtable Type/.test(l)).join('\n');
        expect(() => readIvrs({ file: 'cut.dsl', text: cut }, [], new Map())).toThrow(/IVRS without an IVHD/);
    });
});
