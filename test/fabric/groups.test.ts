// ACS and IOMMU groups (src/fabric/groups) against the oracle (real Linux 6.1 at boot with ACS
// off, and after a rescan with ACS on) and DOMAIN.md B.2.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { enumerate } from '../../src/fabric/enumerate.js';
import { acsMode } from '../../src/fabric/groups/acs.js';
import { analyseIds } from '../../src/fabric/groups/analyse-ids.js';
import type { GroupOptions } from '../../src/fabric/groups/iommu-groups.js';
import { addOrder, probeOrder } from '../../src/fabric/groups/probe-order.js';
import type { Platform } from '../../src/model/platform.js';
import { hundredThousand } from '../helpers/large-platform.js';
import { platformFromText, platformsFromFile } from '../helpers/platforms.js';

const ORACLE = path.join(__dirname, '..', 'fixtures', 'oracle');
const TOPOLOGIES = ['flat', 'legacy', 'pxb', 'rootports', 'switch'];

interface Expected {
    functions: { name: string; groupAtBoot: number | null; groupWithAcs: number | null }[];
    groupsAtBoot: string[][];
    groupsWithAcs: string[][];
}

/** Groups as a sorted list of sorted name lists: compared as sets of sets. */
function asSets(groups: readonly (readonly string[])[]): string[][] {
    return groups.map((g) => [...g].sort()).sort((a, b) => (a.join() < b.join() ? -1 : 1));
}

function analyse(platform: Platform, options: GroupOptions = {}) {
    const topology = enumerate(platform).topology;
    return analyseIds(topology, platform, options);
}

async function oracle(topo: string): Promise<{ platform: Platform; expected: Expected }> {
    const [platform] = await platformsFromFile(path.join(ORACLE, topo, 'platform.pciplat'));
    const expected = JSON.parse(fs.readFileSync(path.join(ORACLE, topo, 'expected.json'), 'utf8')) as Expected;
    return { platform: platform!, expected };
}

function groupSets(platform: Platform, options: GroupOptions = {}): string[][] {
    return asSets(analyse(platform, options).groups.map((g) => g.members));
}

function ungrouped(platform: Platform, options: GroupOptions = {}): string[] {
    return analyse(platform, options)
        .functions.filter((f) => f.group === null)
        .map((f) => f.name)
        .sort();
}

function arm(pci: string, opts: { linux?: string; smmu?: string } = {}): string {
    return `platform p {
  arch arm64
  its its0 at 0x808_0000 device-id-bits 16
  smmu smmu0 ${opts.smmu ?? 'v3'} at 0x905_0000 stream-id-bits 16
  host-bridge pcie0 segment 0 {
    ecam at 0x40_1000_0000 size 256M
    bus-range 0x00..0xff
    iommu-map rid 0x0000 count 0x10000 -> smmu0 0x0000
    msi-map rid 0x0000 count 0x10000 -> its0 0x0000
${pci}
  }
${opts.linux ? `  linux { ${opts.linux} }` : ''}
}
`;
}

async function groupsOf(text: string, options: GroupOptions = {}): Promise<string[][]> {
    return groupSets(await platformFromText(text), options);
}

describe('oracle agreement (Linux 6.1 on QEMU virt)', () => {
    it.each(TOPOLOGIES)('%s: groups at boot (device tree: ACS deferred) equal groupsAtBoot', async (topo) => {
        const { platform, expected } = await oracle(topo);
        expect(acsMode(platform)).toBe('deferred');
        expect(groupSets(platform)).toEqual(asSets(expected.groupsAtBoot));
        expect(ungrouped(platform)).toEqual(expected.functions.filter((f) => f.groupAtBoot === null).map((f) => f.name).sort());
    });

    it.each(TOPOLOGIES)('%s: groups with ACS on (the rescan) equal groupsWithAcs', async (topo) => {
        const { platform, expected } = await oracle(topo);
        const options: GroupOptions = { acs: 'enabled', order: 'rescan' };
        expect(groupSets(platform, options)).toEqual(asSets(expected.groupsWithAcs));
        expect(ungrouped(platform, options)).toEqual(expected.functions.filter((f) => f.groupWithAcs === null).map((f) => f.name).sort());
        // The same through the platform: linux { acs enabled }.
        const enabled: Platform = { ...platform, linux: { ...platform.linux, acs: 'enabled' } };
        expect(acsMode(enabled)).toBe('enabled');
        expect(groupSets(enabled, { order: 'rescan' })).toEqual(asSets(expected.groupsWithAcs));
    });

    it('legacy, ACS on at boot (the UEFI boot, devices-uefi.json): bridges probe first, so pb3 keeps StreamID 0x0300', async () => {
        const { platform } = await oracle('legacy');
        const options: GroupOptions = { acs: 'enabled', order: 'boot' };
        expect(groupSets(platform, options)).toEqual(asSets([['ppb1', 'e1000_0'], ['rp2'], ['pb4'], ['rp5'], ['ppb2', 'pb3'], ['pcie_host'], ['e1000e0']]));
        expect(ungrouped(platform, options)).toEqual(['e1000_1', 'e1000_2', 'rtl8139_0', 'virtio_blk0', 'virtio_net0']);
    });

    it('legacy: the second master on a shared StreamID gets no group, with SMMU-STREAM-ID-SHARED at it (oracle note 2)', async () => {
        const { platform } = await oracle('legacy');
        const result = analyse(platform);
        const shared = result.findings.filter((f) => f.code === 'SMMU-STREAM-ID-SHARED');
        expect(shared.map((f) => f.message.split(':')[0])).toEqual(['virtio_net0 (01', 'rtl8139_0 (01', 'e1000_1 (03', 'e1000_2 (04', 'virtio_blk0 (05']);
        expect(result.findings.map((f) => f.code)).toEqual(Array(5).fill('SMMU-STREAM-ID-SHARED'));
        const f = shared[0]!;
        expect(f.message).toBe(
            'virtio_net0 (01:02.0): StreamID 0x0100 on smmu0 (the DMA alias 0x0100 of bridge ppb1 (00:01.0): functions behind one aliasing bridge share it) already belongs to e1000_0 (01:01.0), probed first: the SMMUv3 driver refuses a second master for one StreamID ("stream 256 already in tree"), so virtio_net0 gets no IOMMU and no IOMMU group. Xen does not detect the clash; the last device assigned takes the StreamID.',
        );
        const text = fs.readFileSync(path.join(ORACLE, 'legacy', 'platform.pciplat'), 'utf8').split('\n');
        expect(f.loc!.start.line + 1).toBe(text.findIndex((l) => l.includes('pci-device virtio_net0')) + 1);
        expect(f.related.map((r) => [r.message, r.loc.start.line + 1])).toEqual([['e1000_0 (01:01.0) holds StreamID 0x0100', text.findIndex((l) => l.includes('pci-device e1000_0')) + 1]]);
        // virtio_blk0 collides with the bridge pb4's own RID (0x0018).
        expect(shared[4]!.message).toContain('StreamID 0x0018 on smmu0 (the DMA alias 0x0018 of bridge pb4 (00:03.0)');
        expect(shared[4]!.message).toContain('already belongs to pb4 (00:03.0)');
    });

    it('probe order: add order is bus by bus (pci_bus_add_devices); boot probes bridges first', async () => {
        const { platform } = await oracle('legacy');
        const topology = enumerate(platform).topology;
        expect(addOrder(topology).map((f) => f.name)).toEqual(['pcie_host', 'ppb1', 'rp2', 'pb4', 'rp5', 'e1000_0', 'virtio_net0', 'rtl8139_0', 'ppb2', 'e1000_1', 'pb3', 'e1000_2', 'virtio_blk0', 'e1000e0']);
        expect(probeOrder(addOrder(topology), 'boot').map((f) => f.name)).toEqual(['ppb1', 'rp2', 'pb4', 'rp5', 'ppb2', 'pb3', 'pcie_host', 'e1000_0', 'virtio_net0', 'rtl8139_0', 'e1000_1', 'e1000_2', 'virtio_blk0', 'e1000e0']);
        // Group numbers follow creation: at boot the bridges' groups come first.
        expect(analyse(platform).groups.map((g) => g.members)).toEqual([['ppb1', 'e1000_0'], ['rp2', 'ppb2', 'pb3'], ['pb4'], ['rp5', 'e1000e0'], ['pcie_host']]);
    });
});

describe('ACS mode', () => {
    it('deferred on device-tree Arm, enabled with an IORT, on x86, or when written', async () => {
        const dt = await platformFromText(arm('    rc-endpoint a at 00:01.0'));
        expect(acsMode(dt)).toBe('deferred');
        expect(acsMode(await platformFromText(arm('    rc-endpoint a at 00:01.0', { linux: 'acs enabled' })))).toBe('enabled');
        const acpi = await platformFromText(
            arm('    rc-endpoint a at 00:01.0').replace('\n}\n', '\n  iort { its-group g { its0 }  root-complex pcie0 { map ids 0x0..0xffff -> smmu0 0x0 } }\n}\n'),
        );
        expect(acsMode(acpi)).toBe('enabled');
        expect(acsMode({ ...acpi, linux: { ...acpi.linux, acs: 'deferred' } })).toBe('deferred');
        const x86 = await platformFromText(`platform x {
  arch x86_64
  host-bridge pcie0 segment 0 { mcfg at 0xe000_0000 buses 0x00..0xff }
}
`);
        expect(acsMode(x86)).toBe('enabled');
    });
});

describe('pci_device_group (DOMAIN.md B.2.1)', () => {
    // DOMAIN.md B.1.2 worked example; SMMUv2 shares a stream-map entry between the two functions
    // behind the bridge, so pci_device_group decides alone (an SMMUv3 refuses the second).
    const worked = (rootPortAcs: string, smmu = 'v2') =>
        arm(
            `    root-port rp at 00:1c.0 {
${rootPortAcs}
      pcie-pci-bridge br at 01:00.0 {
        pci-device legacy at 02:03.0
        pci-device other at 02:04.0
      }
    }`,
            { linux: 'acs enabled', smmu },
        );

    it('B.1.2 worked example: the bridge plus every device on bus 2, plus the root port when it lacks ACS', async () => {
        expect(await groupsOf(worked('      acs sv rr cr uf'))).toEqual(asSets([['rp'], ['br', 'legacy', 'other']]));
        expect(await groupsOf(worked(''))).toEqual(asSets([['rp', 'br', 'legacy', 'other']]));
        // On an SMMUv3 the second function behind the bridge loses the alias StreamID 0x0200.
        const v3 = analyse(await platformFromText(worked('      acs sv rr cr uf', 'v3')));
        expect(asSets(v3.groups.map((g) => g.members))).toEqual(asSets([['rp'], ['br', 'legacy']]));
        expect(v3.byName.get('other')!.group).toBeNull();
        expect(v3.findings.map((f) => f.code)).toEqual(['SMMU-STREAM-ID-SHARED']);
    });

    it('ACS capability present but disabled, or deferred, never isolates; acs-isolated and no-acs quirks win', async () => {
        const port = (acs: string) => arm(`    root-port rp at 00:01.0 {\n${acs}\n      endpoint e at 01:00.0\n    }`, { linux: 'acs enabled' });
        expect(await groupsOf(port('      acs sv rr cr uf'))).toEqual(asSets([['rp'], ['e']]));
        expect(await groupsOf(port('      acs sv rr cr uf disabled'))).toEqual(asSets([['rp', 'e']]));
        expect(await groupsOf(port('      acs sv rr cr uf'), { acs: 'deferred' })).toEqual(asSets([['rp', 'e']]));
        expect(await groupsOf(port('      quirk acs-isolated'))).toEqual(asSets([['rp'], ['e']]));
        expect(await groupsOf(port('      acs sv rr cr uf  quirk no-acs'))).toEqual(asSets([['rp', 'e']]));
        // Requested features the capability lacks count as hard-wired on (acs_flags &= cap | EC).
        expect(await groupsOf(port('      acs tb dt'), { acs: 'deferred' })).toEqual(asSets([['rp'], ['e']]));
        // An implemented feature must be enabled.
        expect(await groupsOf(port('      acs sv rr cr'), { acs: 'enabled' })).toEqual(asSets([['rp'], ['e']]));
    });

    it('multi-function endpoints without ACS merge; with ACS enabled they split; pcie_acs_override=multifunction splits ACS-less ones', async () => {
        const mf = (acs: string, linux = 'acs enabled') =>
            arm(
                `    root-port rp at 00:01.0 {
      acs sv rr cr uf
      endpoint f0 at 01:00.0 { multifunction ${acs} }
      endpoint f1 at 01:00.1 { ${acs} }
    }`,
                { linux },
            );
        expect(await groupsOf(mf(''))).toEqual(asSets([['rp'], ['f0', 'f1']]));
        expect(await groupsOf(mf('acs sv rr cr uf'))).toEqual(asSets([['rp'], ['f0'], ['f1']]));
        expect(await groupsOf(mf('', 'acs enabled  acs-override multifunction'))).toEqual(asSets([['rp'], ['f0'], ['f1']]));
        // The override never applies to a device that has an ACS capability (here: ACS left off).
        expect(await groupsOf(mf('acs sv rr cr uf disabled', 'acs enabled  acs-override multifunction'))).toEqual(asSets([['rp'], ['f0', 'f1']]));
    });

    it('switch: an ACS-less downstream port groups with what is below it; the upstream port is isolated alone; acs-override downstream splits', async () => {
        const text = (linux: string) =>
            arm(
                `    root-port rp at 00:01.0 {
      acs sv rr cr uf
      switch-upstream up at 01:00.0 {
        downstream-port d0 at 02:00.0 { endpoint a at 03:00.0 }
        downstream-port d1 at 02:01.0 { acs sv rr cr uf  endpoint b at 04:00.0 }
      }
    }`,
                { linux },
            );
        expect(await groupsOf(text('acs enabled'))).toEqual(asSets([['rp'], ['up'], ['d0', 'a'], ['d1'], ['b']]));
        expect(await groupsOf(text('acs enabled  acs-override downstream'))).toEqual(asSets([['rp'], ['up'], ['d0'], ['a'], ['d1'], ['b']]));
        expect(await groupsOf(text('acs deferred'))).toEqual(asSets([['rp', 'up', 'd0', 'a', 'd1', 'b']]));
    });

    it('RC integrated endpoints: single-function ones alone, multi-function ones without ACS together', async () => {
        const text = arm(`    rc-endpoint s at 00:01.0
    rc-endpoint m0 at 00:02.0 { multifunction }
    rc-endpoint m1 at 00:02.1
    rc-endpoint i0 at 00:03.0 { multifunction acs sv rr cr uf }
    rc-endpoint i1 at 00:03.1 { acs sv rr cr uf }`, { linux: 'acs enabled' });
        expect(await groupsOf(text)).toEqual(asSets([['s'], ['m0', 'm1'], ['i0'], ['i1']]));
    });

    it('same-bus DMA-alias quirks merge functions even when ACS isolates them', async () => {
        const text = arm(`    root-port rp at 00:01.0 {
      acs sv rr cr uf
      endpoint f0 at 01:00.0 { multifunction acs sv rr cr uf }
      endpoint f1 at 01:00.1 { acs sv rr cr uf  quirk dma-func0-alias }
      endpoint f2 at 01:00.2 { acs sv rr cr uf }
    }`, { linux: 'acs enabled', smmu: 'v2' });
        expect(await groupsOf(text)).toEqual(asSets([['rp'], ['f0', 'f1'], ['f2']]));
    });

    it('VFs: not multi-function, grouped by the ACS of the ports above the PF', async () => {
        const text = (acs: string) =>
            arm(`    root-port rp at 00:01.0 {
      ${acs}
      endpoint pf at 01:00.0 { sriov total-vfs 2 num-vfs 2 offset 0x100 stride 1 }
    }`, { linux: 'acs enabled' });
        const isolated = analyse(await platformFromText(text('acs sv rr cr uf')));
        expect(asSets(isolated.groups.map((g) => g.members))).toEqual(asSets([['rp'], ['pf'], ['pf.vf[0]'], ['pf.vf[1]']]));
        expect(isolated.byName.get('pf.vf[1]')!.rid).toBe(0x0201n);
        expect(await groupsOf(text(''))).toEqual(asSets([['rp', 'pf', 'pf.vf[0]', 'pf.vf[1]']]));
    });

    it('SMMUv2: masters whose StreamIDs hit one stream-map entry share a group (an SMMUv3 refuses the second)', async () => {
        const text = (smmu: string, maps: string) =>
            arm('    rc-endpoint a at 00:01.0\n    rc-endpoint b at 00:02.0\n    rc-endpoint c at 00:03.0', { smmu, linux: 'acs enabled' }).replace(
                '    iommu-map rid 0x0000 count 0x10000 -> smmu0 0x0000\n',
                maps,
            );
        // a -> 0x41, b -> 0x49 (one SMR 0x40 mask 0xf), c -> 0x18 alone.
        const smr = text('v2', '    iommu-map rid 0x0008 count 0x10 -> smmu0 0x41\n    iommu-map rid 0x0018 count 1 -> smmu0 0x18\n').replace(
            'stream-id-bits 16',
            'stream-id-bits 16 { stream-match id 0x40 mask 0xf }',
        );
        expect(await groupsOf(smr)).toEqual(asSets([['a', 'b'], ['c']]));
        const same = '    iommu-map rid 0x0008 count 1 -> smmu0 0x50\n    iommu-map rid 0x0010 count 1 -> smmu0 0x50\n    iommu-map rid 0x0018 count 1 -> smmu0 0x18\n';
        expect(await groupsOf(text('v2', same))).toEqual(asSets([['a', 'b'], ['c']]));
        const v3 = analyse(await platformFromText(text('v3', same)));
        expect(asSets(v3.groups.map((g) => g.members))).toEqual(asSets([['a'], ['c']]));
        expect(v3.findings.map((f) => f.code)).toEqual(['SMMU-STREAM-ID-SHARED']);
        expect(v3.findings[0]!.message).toBe(
            'b (00:02.0): StreamID 0x0050 on smmu0 already belongs to a (00:01.0), probed first: the SMMUv3 driver refuses a second master for one StreamID ("stream 80 already in tree"), so b gets no IOMMU and no IOMMU group. Xen does not detect the clash; the last device assigned takes the StreamID.',
        );
    });

    it('SMMU-STREAM-MATCH-CONFLICT: an SMMUv2 master whose StreamIDs are in stream-map entries of two groups gets none', async () => {
        const text = `platform p {
  arch arm64
  smmu smmu0 v2 at 0x905_0000 stream-id-bits 16
  host-bridge pcie0 segment 0 {
    ecam at 0x40_1000_0000 size 256M
    bus-range 0x00..0xff
    iommu-map rid 0x0108 count 1 -> smmu0 0x8
    iommu-map rid 0x0100 count 1 -> smmu0 0x10
    iommu-map rid 0x0000 count 0x100 -> smmu0 0x0
    rc-endpoint a at 00:01.0
    rc-endpoint b at 00:02.0
    pcie-pci-bridge br at 00:03.0 { pci-device c at 01:01.0 }
  }
}
`;
        const result = analyse(await platformFromText(text));
        expect(asSets(result.groups.map((g) => g.members))).toEqual(asSets([['br'], ['a'], ['b']]));
        expect(result.byName.get('c')!.streamIds.map((x) => x.id)).toEqual([0x8n, 0x10n]);
        const f = result.findings.find((x) => x.code === 'SMMU-STREAM-MATCH-CONFLICT');
        expect(f?.message).toBe(
            'c (01:01.0): its StreamIDs on smmu0 hit stream-map entries of two IOMMU groups (1 and 2): the SMMUv2 driver cannot put one device in two groups and fails its probe (-EINVAL), so it gets no IOMMU group.',
        );
        expect(f!.loc!.start.line + 1).toBe(text.split('\n').findIndex((l) => l.includes('pci-device c')) + 1);
        expect(f!.related.map((r) => r.message)).toEqual(['a member of group 2']);
    });

    it('functions with no IOMMU (no iommu-map) get no group', async () => {
        const text = arm('    root-port rp at 00:01.0 { endpoint e at 01:00.0 }').replace(/    iommu-map.*\n/, '');
        const result = analyse(await platformFromText(text));
        expect(result.groups).toEqual([]);
        expect(result.functions.map((f) => [f.name, f.group])).toEqual([
            ['rp', null],
            ['e', null],
        ]);
        expect(result.grouping.noGroup.get(result.byName.get('e')!.fn)).toEqual({ reason: 'no-iommu' });
        expect(result.findings).toEqual([]);
    });

    it('a StreamID beyond the SMMU width: no group (the finding comes from the ID layer)', async () => {
        const text = arm('    rc-endpoint a at 00:01.0\n    rc-endpoint b at 00:02.0').replace('rid 0x0000 count 0x10000 -> smmu0 0x0000', 'rid 0x0000 count 0x10000 -> smmu0 0xfff0');
        const result = analyse(await platformFromText(text));
        expect(result.byName.get('a')!.group).toBe(0);
        expect(result.byName.get('b')!.group).toBeNull();
        expect(result.findings.map((f) => f.code)).toEqual(['SMMU-STREAM-ID-RANGE']);
    });

    it('per-function view: rid, aliases, MSI RID, StreamIDs, DeviceIDs and group', async () => {
        const { platform } = await oracle('legacy');
        const e = analyse(platform).byName.get('e1000_2')!;
        expect({ rid: e.rid, aliases: e.aliases, msiRid: e.msiRid, streamIds: e.streamIds, deviceIds: e.deviceIds, group: e.group }).toEqual({
            rid: 0x0408n,
            aliases: [0x0408n, 0x0310n, 0x0300n],
            msiRid: 0x0300n,
            streamIds: [
                { iommu: 'smmu0', id: 0x0408n },
                { iommu: 'smmu0', id: 0x0310n },
                { iommu: 'smmu0', id: 0x0300n },
            ],
            deviceIds: [{ its: 'its0', id: 0x0300n }],
            group: null,
        });
    });
});

describe('scale', () => {
    // Speed is measured by `npm run bench`; this checks the grouping holds at 100k functions.
    it('100k functions: groups with ACS on and deferred', async () => {
        const platform = await platformFromText(hundredThousand());
        const topology = enumerate(platform).topology;
        const result = analyseIds(topology, platform, { acs: 'enabled' });
        expect(result.functions.length).toBeGreaterThan(100_000);
        // Each root port, PF and VF alone (ACS on every port, VFs single-function).
        expect(result.groups.length).toBe(result.functions.length);
        expect(result.findings).toEqual([]);
        const deferred = analyseIds(topology, platform);
        // Deferred: one group per slot of 8 root ports (multi-function ports without ACS merge, with all below them).
        expect(deferred.groups.length).toBe(2 * 25);
    });
});


describe('an ACS capability with no control', () => {
    const device = (acs: string) => `    root-port rp at 00:01.0 {
      acs sv rr cr uf
      endpoint f0 at 01:00.0 { multifunction ${acs} }
      endpoint f1 at 01:00.1 { ${acs} }
    }`;

    it('isolates the functions of a multi-function device (controls it lacks count as on)', async () => {
        expect(await groupsOf(arm(device('acs'), { linux: 'acs enabled' }))).toEqual([['f0'], ['f1'], ['rp']]);
    });

    it('without any ACS capability the functions share a group', async () => {
        expect(await groupsOf(arm(device(''), { linux: 'acs enabled' }))).toEqual([['f0', 'f1'], ['rp']]);
    });
});
