// The reader of a real machine's IOMMU groups (src/import/iommu-groups.ts) on every form users
// paste: the loop's output and its variants, find's output, sysfs snapshot entries, and garbage.
// The listings built from real Linux runs (test/fixtures/compare/) are read in compare.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGroupsSnapshot, readGroupsText, type RealGroups, type SnapshotEntry } from '../../src/import/iommu-groups.js';

const URI = 'file:///proj/real.txt';

/** `group: sbdf sbdf` per group, `none: ...` for functions without one. */
function groups(real: RealGroups): string[] {
    const by = new Map<string, string[]>();
    for (const f of real.functions) {
        const key = f.group === null ? 'none' : String(f.group);
        by.set(key, [...(by.get(key) ?? []), f.sbdf]);
    }
    return [...by].map(([g, members]) => `${g}: ${members.join(' ')}`);
}

function findings(real: RealGroups): string[] {
    return real.findings.map((f) => `${f.loc!.uri.replace('file:///proj/', '')}:${f.loc!.start.line + 1}: ${f.code} ${f.message}`);
}

describe('the iommu_groups loop', () => {
    it('reads the usual loop with lspci -nns, keeping the descriptions', () => {
        const real = readGroupsText(
            [
                'IOMMU Group 0:',
                '\t00:00.0 Host bridge [0600]: Intel Corporation Xeon E7 v4/Xeon E5 v4/Xeon E3 v4/Xeon D DMI2 [8086:6f00] (rev 01)',
                'IOMMU Group 10:',
                '\t00:1c.0 PCI bridge [0604]: Intel Corporation C610/X99 series chipset PCI Express Root Port #1 [8086:8d10] (rev d5)',
                '\t00:1c.4 PCI bridge [0604]: Intel Corporation C610/X99 series chipset PCI Express Root Port #5 [8086:8d18] (rev d5)',
                '\t05:00.0 USB controller [0c03]: ASMedia Technology Inc. ASM1142 USB 3.1 Host Controller [1b21:1242]',
                '',
            ].join('\n'),
            URI,
        );
        expect(real.form).toBe('loop');
        expect(findings(real)).toEqual([]);
        expect(groups(real)).toEqual(['0: 0000:00:00.0', '10: 0000:00:1c.0 0000:00:1c.4 0000:05:00.0']);
        expect(real.functions[3]).toMatchObject({ description: 'USB controller [0c03]: ASMedia Technology Inc. ASM1142 USB 3.1 Host Controller [1b21:1242]', loc: { start: { line: 5 } } });
        // lspci -nn's [vendor:device], before `(rev d5)` and, with -v, `(prog-if 00 [Normal decode])`.
        expect(real.functions.map((f) => f.ids && `${f.ids.vendor.toString(16)}:${f.ids.device.toString(16)}`)).toEqual(['8086:6f00', '8086:8d10', '8086:8d18', '1b21:1242']);
        expect(readGroupsText('IOMMU Group 1:\n\t00:1c.0 PCI bridge [0604]: Intel Corporation Device [8086:a110] (rev f0) (prog-if 00 [Normal decode])\n\t00:1d.0\n', URI).functions.map((f) => f.ids)).toEqual([{ vendor: 0x8086n, device: 0xa110n }, undefined]);
        expect(real.listsUngrouped).toBe(false);
    });

    it('reads lspci -D domains, bare sysfs names, CRLF, lost indentation and lower-case headers', () => {
        const real = readGroupsText('iommu group 3\r\n\t0001:00:00.0 PCI bridge [0604]: x\r\n0001:01:00.0 Non-Volatile memory controller [0108]: y\r\nIOMMU Group 4:\r\n    10000:e1:00.0\r\n', URI);
        expect(findings(real)).toEqual([]);
        expect(groups(real)).toEqual(['3: 0001:00:00.0 0001:01:00.0', '4: 10000:e1:00.0']);
    });

    it("reads the one-line-per-device variant (the Arch wiki's printf loop)", () => {
        const real = readGroupsText('IOMMU Group 1 00:01.0 PCI bridge [0604]: Intel Corporation Xeon E3-1200 v5/E3-1500 v5 [8086:1901] (rev 07)\nIOMMU Group 1 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [10de:1b80] (rev a1)\nIOMMU Group 1 01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)\n', URI);
        expect(groups(real)).toEqual(['1: 0000:00:01.0 0000:01:00.0 0000:01:00.1']);
    });

    it('counts group members that are not PCI functions (Arm platform devices) without comparing them', () => {
        // `lspci -nns 9000000.ethernet` prints nothing on stdout; without lspci the name itself.
        const real = readGroupsText('IOMMU Group 0:\n\t\nIOMMU Group 1:\n\t8b00000.ethernet\nIOMMU Group 2:\n\t0000:00:01.0\n', URI);
        expect(findings(real)).toEqual([]);
        expect(groups(real)).toEqual(['2: 0000:00:01.0']);
        expect(real.otherDevices).toBe(1);
    });

    it('reports the first garbled line once, counting the others, at its line', () => {
        const real = readGroupsText('$ ./iommu.sh\nIOMMU Group 0:\n\t00:00.0 Host bridge\nbash: lspci: command not found\n\tnot a device line\n', URI);
        expect(findings(real)).toEqual(["real.txt:1: GROUPS-BAD-LINE line 1 '$ ./iommu.sh' comes before any `IOMMU Group N:` line (and 2 more lines like it)"]);
    });

    it('reports a device listed in two groups, with the first listing as related', () => {
        const real = readGroupsText('IOMMU Group 0:\n\t00:01.0 a\nIOMMU Group 1:\n\t0000:00:01.0 a\n\t00:01.0 a\n', URI);
        expect(findings(real)).toEqual(['real.txt:4: GROUPS-DEVICE-TWICE 0000:00:01.0 is listed in group 0 and again in group 1; Linux puts a device in one group']);
        expect(real.findings[0]!.related.map((r) => r.loc.start.line)).toEqual([1]);
    });

    it('refuses a file in no known form, and an empty one', () => {
        expect(findings(readGroupsText('00:00.0 Host bridge [0600]: Intel\n00:01.0 PCI bridge\n', URI))).toEqual([
            "real.txt:1: GROUPS-UNRECOGNISED not a listing of IOMMU groups (line 1 is '00:00.0 Host bridge [0600]: Intel'); expected the output of the `for g in /sys/kernel/iommu_groups/*` loop (`IOMMU Group N:` lines) or of `find /sys/kernel/iommu_groups -type l`",
        ]);
        expect(findings(readGroupsText('\n\n', URI))[0]).toContain('GROUPS-UNRECOGNISED not a listing of IOMMU groups (the file is empty)');
    });

    it('says when no PCI function is in any group (no IOMMU)', () => {
        expect(findings(readGroupsText('IOMMU Group 0:\n\t9000000.pl011\n', URI))).toEqual([
            'real.txt:1: GROUPS-EMPTY the listing names no PCI function in an IOMMU group (only 1 non-PCI device): the machine runs without an IOMMU for PCI, so there is nothing to compare',
        ]);
    });

    it('reports a line too long to be a listing line without matching it', () => {
        const line = '1/devices/'.repeat(100_000);
        expect(findings(readGroupsText(`IOMMU Group 0:\n\t00:00.0\n${line}\n`, URI))).toEqual(["real.txt:3: GROUPS-BAD-LINE line 3 '(a line of more than 4096 characters)' is neither an `IOMMU Group N:` line nor a device line"]);
        expect(findings(readGroupsText(`/sys/kernel/iommu_groups/0/devices/0000:00:00.0\n${line}x y\n`, URI))).toEqual([
            "real.txt:2: GROUPS-BAD-LINE line 2 '(a line of more than 4096 characters)' is not a path /sys/kernel/iommu_groups/N/devices/DEVICE",
        ]);
    });

    it('refuses a listing over the size limit without reading it', () => {
        const huge = `IOMMU Group 0:\n${'\t00:00.0\n'.repeat(2_200_000)}`;
        expect(readGroupsText(huge, URI).findings.map((f) => f.code)).toEqual(['GROUPS-TOO-LARGE']);
    });
});

describe('find /sys/kernel/iommu_groups', () => {
    it('reads -type l output, absolute or relative, skipping what plain find adds', () => {
        const real = readGroupsText(
            [
                '/sys/kernel/iommu_groups',
                '/sys/kernel/iommu_groups/7',
                '/sys/kernel/iommu_groups/7/devices',
                '/sys/kernel/iommu_groups/7/type',
                '/sys/kernel/iommu_groups/7/reserved_regions',
                '/sys/kernel/iommu_groups/7/devices/0000:00:1f.3',
                '/sys/kernel/iommu_groups//7/devices/0000:00:1f.0',
                './12/devices/0000:02:00.0',
                '12/devices/fd500000.pcie',
            ].join('\n'),
            URI,
        );
        expect(real.form).toBe('find');
        expect(findings(real)).toEqual([]);
        expect(groups(real)).toEqual(['7: 0000:00:1f.3 0000:00:1f.0', '12: 0000:02:00.0']);
        expect(real.otherDevices).toBe(1);
    });

    it('reports a path outside iommu_groups as a bad line', () => {
        expect(findings(readGroupsText('/sys/kernel/iommu_groups/1/devices/0000:00:01.0\n/sys/bus/pci/devices/0000:00:02.0\n', URI))).toEqual([
            "real.txt:2: GROUPS-BAD-LINE line 2 '/sys/bus/pci/devices/0000:00:02.0' is not a path /sys/kernel/iommu_groups/N/devices/DEVICE",
        ]);
    });
});

describe('a sysfs snapshot folder', () => {
    const FOLDER = 'file:///proj/snap';
    const link = (path: string, target: string): SnapshotEntry => ({ path, kind: 'link', target });
    const dir = (path: string): SnapshotEntry => ({ path, kind: 'dir' });

    it('reads iommu_groups entries and iommu_group links, and lists the functions without a group', () => {
        const real = readGroupsSnapshot(
            [
                dir('sys/bus/pci/devices/0000:00:01.0'),
                link('sys/bus/pci/devices/0000:00:01.0/iommu_group', '../../../../kernel/iommu_groups/0'),
                dir('sys/bus/pci/devices/0000:01:02.0'),
                link('sys/kernel/iommu_groups/0/devices/0000:00:01.0', '../../../../devices/platform/4010000000.pcie/pci0000:00/0000:00:01.0'),
                link('sys/kernel/iommu_groups/0/devices/0000:01:01.0', '../../../../devices/platform/x/0000:01:01.0'),
                link('sys/kernel/iommu_groups/3/devices/9000000.pl011', '../../../../devices/platform/9000000.pl011'),
            ],
            FOLDER,
        );
        expect(findings(real)).toEqual([]);
        expect(groups(real)).toEqual(['0: 0000:00:01.0 0000:01:01.0', 'none: 0000:01:02.0']);
        expect(real).toMatchObject({ form: 'sysfs', listsUngrouped: true, otherDevices: 1 });
    });

    it('reads cp -a of /sys/bus/pci/devices (links) and iommu_group files holding the path', () => {
        const real = readGroupsSnapshot([link('devices/0000:00:02.0', '../../../devices/pci0000:00/0000:00:02.0'), { path: 'x/0000:00:02.0/iommu_group', kind: 'file', target: '../../../kernel/iommu_groups/5\n' }], FOLDER);
        expect(groups(real)).toEqual(['5: 0000:00:02.0']);
    });

    it('reports an iommu_group that is a folder or points elsewhere, and links that disagree', () => {
        const real = readGroupsSnapshot(
            [
                dir('sys/bus/pci/devices/0000:00:01.0/iommu_group'),
                link('sys/bus/pci/devices/0000:00:02.0/iommu_group', '../../somewhere'),
                link('sys/bus/pci/devices/0000:00:03.0/iommu_group', '../../../../kernel/iommu_groups/2'),
                link('sys/kernel/iommu_groups/4/devices/0000:00:03.0', 'x'),
            ],
            FOLDER,
        );
        expect(findings(real)).toEqual([
            'snap/sys/bus/pci/devices/0000%3A00%3A01.0/iommu_group:1: GROUPS-BAD-LINK sys/bus/pci/devices/0000:00:01.0/iommu_group is a folder (sysfs was copied following links), not to /sys/kernel/iommu_groups/N',
            "snap/sys/bus/pci/devices/0000%3A00%3A02.0/iommu_group:1: GROUPS-BAD-LINK sys/bus/pci/devices/0000:00:02.0/iommu_group links to '../../somewhere', not to /sys/kernel/iommu_groups/N",
            'snap/sys/kernel/iommu_groups/4/devices/0000%3A00%3A03.0:1: GROUPS-DEVICE-TWICE 0000:00:03.0 is listed in group 2 and again in group 4; Linux puts a device in one group',
        ]);
    });

    it('reads /sys/kernel/iommu_groups itself, and says an empty one means no IOMMU', () => {
        expect(groups(readGroupsSnapshot([dir('3'), dir('3/devices'), link('3/devices/0000:00:1f.0', 'x'), { path: '3/type', kind: 'file' }], 'file:///sys/kernel/iommu_groups'))).toEqual(['3: 0000:00:1f.0']);
        expect(findings(readGroupsSnapshot([dir('kernel/iommu_groups'), dir('bus/pci/devices'), link('bus/pci/devices/0000:00:01.0', '../../../devices/pci0000:00/0000:00:01.0')], 'file:///proj/sys'))).toEqual([
            'sys:1: GROUPS-EMPTY the folder names no PCI function in an IOMMU group: the machine runs without an IOMMU for PCI, so there is nothing to compare',
        ]);
    });

    it('refuses a folder with no group information', () => {
        expect(findings(readGroupsSnapshot([dir('devices/0000:00:01.0'), { path: 'devices/0000:00:01.0/vendor', kind: 'file' }], FOLDER))).toEqual([
            'snap:1: GROUPS-UNRECOGNISED not a sysfs snapshot of IOMMU groups (it has 1 PCI device folders but no iommu_group link and no iommu_groups folder); copy them with `cp -a /sys/kernel/iommu_groups /sys/bus/pci/devices SNAPSHOT/`',
        ]);
    });
});

describe("real Linux's groups, in every form (test/fixtures/compare, from the oracle)", () => {
    const root = path.join(__dirname, '..', 'fixtures', 'compare');
    const topologies = fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'linux-groups.json')));

    /** The snapshot's entries as src/cli/real-groups.ts walks them (links read, nothing followed). */
    function entries(dir: string, rel = ''): SnapshotEntry[] {
        return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((d): SnapshotEntry[] => {
            const p = rel === '' ? d.name : `${rel}/${d.name}`;
            if (d.isSymbolicLink()) return [{ path: p, kind: 'link', target: fs.readlinkSync(path.join(dir, p)) }];
            if (d.isDirectory()) return [{ path: p, kind: 'dir' }, ...entries(dir, p)];
            return [{ path: p, kind: 'file' }];
        });
    }

    const asLinux = (real: RealGroups) =>
        [...new Set(real.functions.flatMap((f) => (f.group === null ? [] : [f.group])))].sort((a, b) => a - b).map((group) => ({ group, devices: real.functions.filter((f) => f.group === group).map((f) => f.sbdf).sort() }));

    it.each(topologies)('%s: the loop, find and the snapshot give the groups of devices.json', (topo) => {
        const linux = (JSON.parse(fs.readFileSync(path.join(root, topo, 'linux-groups.json'), 'utf8')) as { group: number; devices: string[] }[]).sort((a, b) => a.group - b.group);
        const variants = fs.readdirSync(path.join(root, topo)).filter((f) => /^(loop|find).*\.txt$/.test(f));
        for (const file of variants) {
            const real = readGroupsText(fs.readFileSync(path.join(root, topo, file), 'utf8'), URI);
            expect({ file, findings: real.findings, groups: asLinux(real) }).toEqual({ file, findings: [], groups: linux });
        }
        const snapshot = readGroupsSnapshot(entries(path.join(root, topo, 'sysfs')), 'file:///snap');
        expect(snapshot.findings).toEqual([]);
        expect(asLinux(snapshot)).toEqual(linux);
        // The snapshot also names the functions Linux gave no group (legacy: the SMMU refused them).
        const grouped = new Set(linux.flatMap((g) => g.devices));
        expect(snapshot.functions.filter((f) => f.group === null).map((f) => f.sbdf).sort()).toEqual(fs.readdirSync(path.join(root, topo, 'sysfs', 'sys', 'bus', 'pci', 'devices')).filter((d) => !grouped.has(d)).sort());
    });
});
