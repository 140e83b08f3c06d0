// Requester IDs, DMA aliases, MSI RID and their translation through iommu-map/msi-map and the
// IORT (src/fabric/ids), against the oracle (real Linux 6.1) and DOMAIN.md B.1-B.4.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { enumerate } from '../../src/fabric/enumerate.js';
import { computeIds } from '../../src/fabric/ids/compute-ids.js';
import { dmaAliases, phantomRids } from '../../src/fabric/ids/dma-aliases.js';
import { ofMapId } from '../../src/fabric/ids/dt-id-map.js';
import { msiRid } from '../../src/fabric/ids/msi-rid.js';
import { xenSidebandIds } from '../../src/fabric/ids/xen-sideband-ids.js';
import type { FunctionIds } from '../../src/fabric/ids/types.js';
import type { Topology } from '../../src/fabric/topology.js';
import type { Finding } from '../../src/findings/finding.js';
import type { MapEntry, Platform } from '../../src/model/platform.js';
import { hundredThousand } from '../helpers/large-platform.js';
import { platformFromText, platformsFromFile } from '../helpers/platforms.js';

const ORACLE = path.join(__dirname, '..', 'fixtures', 'oracle');
const TOPOLOGIES = ['flat', 'legacy', 'pxb', 'rootports', 'switch'];
const hex4 = (v: bigint) => `0x${v.toString(16).padStart(4, '0')}`;

async function topologyOf(text: string): Promise<{ platform: Platform; topology: Topology }> {
    const platform = await platformFromText(text);
    return { platform, topology: enumerate(platform).topology };
}

async function idsOf(text: string) {
    const { platform, topology } = await topologyOf(text);
    const result = computeIds(topology, platform);
    const byName = new Map(result.functions.map((f) => [f.fn.name, f]));
    const get = (name: string): FunctionIds => {
        const ids = byName.get(name);
        if (!ids) throw new Error(`no function ${name}`);
        return ids;
    };
    return { platform, topology, result, get };
}

const codes = (findings: readonly Finding[]) => findings.map((f) => f.code);
const lineOf = (f: Finding | undefined) => (f?.loc ? f.loc.start.line + 1 : undefined);
/** 1-based line of the first line of `text` containing `needle`. */
const lineIn = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

// A minimal Arm platform around the PCI text.
function arm(pci: string, opts: { maps?: string; extra?: string; smmuBits?: number; itsBits?: number } = {}): string {
    return `platform p {
  arch arm64
  its its0 at 0x808_0000 device-id-bits ${opts.itsBits ?? 16}
  smmu smmu0 v3 at 0x905_0000 stream-id-bits ${opts.smmuBits ?? 16}
  host-bridge pcie0 segment 0 {
    ecam at 0x40_1000_0000 size 256M
    bus-range 0x00..0xff
    window mem32 at 0x1000_0000 size 256M
${opts.maps ?? '    iommu-map rid 0x0000 count 0x10000 -> smmu0 0x0000\n    msi-map rid 0x0000 count 0x10000 -> its0 0x0000'}
${pci}
  }
${opts.extra ?? ''}
}
`;
}

describe('oracle agreement (Linux 6.1 on QEMU virt)', () => {
    it.each(TOPOLOGIES)('%s: aliases, StreamIDs and MSI DeviceIDs equal the dt_iommu_map / dt_msi_map lookups', async (topo) => {
        const [platform] = await platformsFromFile(path.join(ORACLE, topo, 'platform.pciplat'));
        const expected = JSON.parse(fs.readFileSync(path.join(ORACLE, topo, 'expected.json'), 'utf8')) as {
            functions: { name: string; dtIommuMap: string[]; dtMsiMap: string[] }[];
        };
        const topology = enumerate(platform!).topology;
        const ids = computeIds(topology, platform!);
        const byName = new Map(ids.functions.map((f) => [f.fn.name, f]));
        for (const fn of expected.functions) {
            const got = byName.get(fn.name);
            expect(got, fn.name).toBeDefined();
            // The oracle lists each lookup's input; the map is the identity on QEMU virt.
            expect(got!.aliases.map((a) => hex4(a.rid)), fn.name).toEqual(fn.dtIommuMap);
            expect(got!.streamIds.map((s) => hex4(s.id)), fn.name).toEqual(fn.dtIommuMap);
            expect(got!.streamIds.every((s) => s.iommu === 'smmu0')).toBe(true);
            expect([hex4(got!.msiRid)], fn.name).toEqual(fn.dtMsiMap);
            expect(got!.deviceIds.map((d) => `${d.its} ${hex4(d.id)}`), fn.name).toEqual(fn.dtMsiMap.map((m) => `its0 ${m}`));
        }
        expect(ids.functions).toHaveLength(expected.functions.length);
        expect(ids.findings).toEqual([]);
    });

    it('legacy: the aliases of oracle note 3, own RID first and every aliasing bridge up to the root', async () => {
        const [platform] = await platformsFromFile(path.join(ORACLE, 'legacy', 'platform.pciplat'));
        const topology = enumerate(platform!).topology;
        const aliases = (name: string) => dmaAliases(topology.byName.get(name)!).map((a) => `${hex4(a.rid)}:${a.kind}:${a.via.name}`);
        expect(aliases('e1000_0')).toEqual(['0x0108:own:e1000_0', '0x0100:bridge:ppb1']);
        expect(aliases('e1000_2')).toEqual(['0x0408:own:e1000_2', '0x0310:bridge:pb3', '0x0300:bridge:ppb2']);
        expect(aliases('virtio_blk0')).toEqual(['0x0508:own:virtio_blk0', '0x0018:bridge:pb4']);
        // "MSI uses the last alias": the last bus-changing one.
        expect(hex4(msiRid(topology.byName.get('e1000_2')!))).toBe('0x0300');
        expect(hex4(msiRid(topology.byName.get('virtio_blk0')!))).toBe('0x0018');
    });
});

describe('DMA aliases (pci_for_each_dma_alias, DOMAIN.md B.1.2)', () => {
    // DOMAIN.md B.1.2 worked example: Root Port 00:1c.0 (sec 1) -> PCIe-to-PCI bridge 01:00.0
    // (sec 2) -> conventional device 02:03.0.
    const worked = arm(
        `    root-port rp at 00:1c.0 {
      pcie-pci-bridge br at 01:00.0 {
        pci-device legacy at 02:03.0
        pci-device other at 02:04.0
      }
    }`,
        { maps: '    iommu-map rid 0 count 0x10000 -> smmu0 0x10000\n    msi-map rid 0 count 0x10000 -> its0 0', smmuBits: 17 },
    );

    it('B.1.2 worked example: StreamIDs {0x10218, 0x10200}, MSI RID 0x0200', async () => {
        const { get, result } = await idsOf(worked);
        const legacy = get('legacy');
        expect(legacy.rid).toBe(0x0218n);
        expect(legacy.aliases.map((a) => a.rid)).toEqual([0x0218n, 0x0200n]);
        expect(legacy.streamIds).toEqual([
            { iommu: 'smmu0', id: 0x10218n },
            { iommu: 'smmu0', id: 0x10200n },
        ]);
        expect(legacy.msiRid).toBe(0x0200n);
        expect(legacy.deviceIds).toEqual([{ its: 'its0', id: 0x0200n }]);
        // The bridge itself: its own RID only (the root port above adds nothing).
        expect(get('br').aliases.map((a) => a.rid)).toEqual([0x0100n]);
        expect(result.findings).toEqual([]);
    });

    it('bridge kinds: PCI-to-PCIe gives its own RID, conventional bridges their own RID or (sec, 00.0) with pcie-bridge-alias', async () => {
        const { get } = await idsOf(
            arm(`    pci-pcie-bridge up at 00:01.0 {
      endpoint below at 01:00.0
    }
    pci-bridge pb at 00:02.0 { pci-device a at 03:01.0 }
    pci-bridge pba at 00:03.0 { quirk pcie-bridge-alias  pci-device b at 04:01.0 }`),
        );
        expect(get('below').aliases.map((a) => a.rid)).toEqual([0x0100n, 0x0008n]);
        expect(get('a').aliases.map((a) => a.rid)).toEqual([0x0308n, 0x0010n]);
        expect(get('b').aliases.map((a) => a.rid)).toEqual([0x0408n, 0x0400n]);
    });

    it('pci-bridge-no-alias drops the PCIe-to-PCI alias; bridge-xlate-root stops the walk', async () => {
        const { get } = await idsOf(
            arm(`    root-port rp at 00:01.0 {
      quirk bridge-xlate-root
      pcie-pci-bridge br at 01:00.0 { pci-bridge pb at 02:01.0 { pci-device d at 03:00.0 } }
    }
    pcie-pci-bridge ast at 00:02.0 { quirk pci-bridge-no-alias  pci-device v at 05:00.0 }`),
        );
        // Walk from d: pb (own RID 0x0208), br ((sec 2, 00.0) = 0x0200), then rp stops it.
        expect(get('d').aliases.map((a) => a.rid)).toEqual([0x0300n, 0x0208n, 0x0200n]);
        expect(get('v').aliases.map((a) => a.rid)).toEqual([0x0500n]);
    });

    it('same-bus quirk aliases follow the own RID in devfn order, each once; they never change the MSI RID', async () => {
        const { get } = await idsOf(
            arm(`    root-port rp at 00:01.0 {
      endpoint f0 at 01:00.0 { multifunction }
      endpoint f2 at 01:00.2 { quirk dma-func1-alias  quirk dma-alias 1f.7  quirk dma-func0-alias  quirk dma-alias 00.1 }
      endpoint f1 at 01:00.1 { quirk dma-func1-alias }
    }`),
        );
        const f2 = get('f2');
        expect(f2.aliases.map((a) => [a.rid, a.kind])).toEqual([
            [0x0102n, 'own'],
            [0x0100n, 'quirk'],
            [0x0101n, 'quirk'],
            [0x01ffn, 'quirk'],
        ]);
        expect(f2.msiRid).toBe(0x0102n);
        // dma-func1-alias on function 1 itself adds nothing.
        expect(get('f1').aliases.map((a) => a.rid)).toEqual([0x0101n]);
    });

    it('VFs: own RID, the virtual bus skipped, then the bridges above the PF', async () => {
        const { get } = await idsOf(
            arm(`    pcie-pci-bridge br at 00:01.0 {
      endpoint pf at 01:00.0 { sriov total-vfs 4 num-vfs 2 offset 0x100 stride 1 }
    }`),
        );
        // VF 0: RID 0x0100 + 0x100 = 0x0200, on bus 2 (no bridge), aliased by br as (1, 00.0).
        const vf = get('pf.vf[1]');
        expect(vf.aliases.map((a) => [a.rid, a.via.name])).toEqual([
            [0x0201n, 'pf.vf[1]'],
            [0x0100n, 'br'],
        ]);
        expect(vf.msiRid).toBe(0x0100n);
    });

    it('phantom functions (Xen): stride 8 >> N in the same slot; none when fn >= stride', async () => {
        const { topology } = await topologyOf(
            arm(`    root-port rp at 00:01.0 {
      endpoint p at 01:00.0 { multifunction quirk phantom 2 }
      endpoint q at 01:00.3 { quirk phantom 2 }
    }
    rc-endpoint r at 00:02.0 { quirk phantom 1 }`),
        );
        expect(phantomRids(topology.byName.get('p')!)).toEqual([0x0102n, 0x0104n, 0x0106n]);
        expect(phantomRids(topology.byName.get('q')!)).toEqual([]);
        expect(phantomRids(topology.byName.get('r')!)).toEqual([0x0014n]);
        // Linux ignores them.
        expect(dmaAliases(topology.byName.get('p')!).map((a) => a.rid)).toEqual([0x0100n]);
    });
});

describe('Xen on Arm sideband IDs (DOMAIN.md B.1.4.2, B.3.5)', () => {
    it('own RID and phantom functions through iommu-map, no bridge aliases', async () => {
        const [platform] = await platformsFromFile(path.join(ORACLE, 'legacy', 'platform.pciplat'));
        const topology = enumerate(platform!).topology;
        expect(xenSidebandIds(topology.byName.get('e1000_0')!)).toEqual({ kind: 'ok', streamIds: [{ iommu: 'smmu0', id: 0x0108n }] });
        const { topology: t2 } = await topologyOf(
            arm('    root-port rp at 00:01.0 { endpoint p at 01:00.0 { quirk phantom 1 } }', { maps: '    iommu-map rid 0x0100 count 4 -> smmu0 0x0' }),
        );
        expect(xenSidebandIds(t2.byName.get('p')!)).toEqual({ kind: 'unmapped', rid: 0x0104n });
        expect(xenSidebandIds(t2.byName.get('rp')!)).toEqual({ kind: 'unmapped', rid: 0x0008n });
        const { topology: t3 } = await topologyOf(arm('    rc-endpoint r at 00:01.0', { maps: '' }));
        expect(xenSidebandIds(t3.byName.get('r')!)).toEqual({ kind: 'no-map' });
    });
});

describe('of_map_id (DOMAIN.md B.3)', () => {
    const loc = { uri: 'file:///x', start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
    const e = (ridBase: bigint, count: bigint, target: string, targetBase: bigint): MapEntry => ({ ridBase, count, target, targetBase, loc });

    it('ANDs the mask before matching and takes the first matching entry', () => {
        const map = [e(0x0000n, 0x100n, 'a', 0x1000n), e(0x0000n, 0x10000n, 'b', 0x0n)];
        expect(ofMapId(map, 0xffn, 0x1234n)).toMatchObject({ kind: 'match', index: 0, target: 'a', id: 0x1034n });
        expect(ofMapId(map, undefined, 0x1234n)).toMatchObject({ kind: 'match', index: 1, target: 'b', id: 0x1234n });
    });

    it('a later entry only gets IDs no earlier entry covers', () => {
        const map = [e(0x0100n, 0x100n, 'a', 0n), e(0x0000n, 0x300n, 'b', 0x5000n)];
        expect(ofMapId(map, undefined, 0x00ffn)).toMatchObject({ target: 'b', id: 0x50ffn });
        expect(ofMapId(map, undefined, 0x0100n)).toMatchObject({ target: 'a', id: 0n });
        expect(ofMapId(map, undefined, 0x0200n)).toMatchObject({ target: 'b', id: 0x5200n });
        expect(ofMapId(map, undefined, 0x0300n)).toEqual({ kind: 'bypass', id: 0x0300n });
    });

    it('no match bypasses with the unmasked ID; an absent map is reported as such', () => {
        expect(ofMapId([e(0n, 0x10n, 'a', 0n)], 0xffn, 0x0120n)).toEqual({ kind: 'bypass', id: 0x0120n });
        expect(ofMapId([], undefined, 0x0120n)).toEqual({ kind: 'absent', id: 0x0120n });
    });

    it('wraps the output in u32 and an end past 2^32 matches nothing', () => {
        expect(ofMapId([e(0n, 0x10000n, 'a', 0xffff_ff00n)], undefined, 0x0200n)).toMatchObject({ kind: 'match', id: 0x100n });
        expect(ofMapId([e(0xffff_0000n, 0x10000n, 'a', 0n)], undefined, 0xffff_0001n)).toEqual({ kind: 'bypass', id: 0xffff_0001n });
    });

    it('an entry with rid-base outside the mask fails the lookup when reached before a match (-EFAULT)', () => {
        const map = [e(0n, 0x10n, 'a', 0n), e(0x1_0000n, 0x10n, 'b', 0n), e(0x20n, 0x10n, 'c', 0n)];
        expect(ofMapId(map, 0xffffn, 0x5n)).toMatchObject({ kind: 'match', target: 'a' });
        expect(ofMapId(map, 0xffffn, 0x25n)).toMatchObject({ kind: 'bad-entry', index: 1 });
    });
});

describe('IORT translation (DOMAIN.md B.4)', () => {
    const platformWithIort = (rc: string, smmu = 'smmu-v3 smmu0 { map ids 0x0..0xffff -> itsg 0x0 }', extraPci = '') =>
        arm(
            `    root-port rp at 00:01.0 { endpoint nic at 01:00.0 }
    root-port rp7 at 00:07.0 { endpoint far at 07:00.0 }
${extraPci}`,
            {
                maps: '',
                extra: `  iort {
    its-group itsg { its0 }
    ${smmu}
    root-complex pcie0 { ${rc} }
  }`,
            },
        );

    it('RC -> SMMU gives the StreamID, RC -> SMMU -> ITS the DeviceID; id-count is inclusive', async () => {
        const { get, result } = await idsOf(platformWithIort('map input 0x0 id-count 0xffff -> smmu0 0x10000', 'smmu-v3 smmu0 { map input 0x10000 id-count 0xffff -> itsg 0x20000 }'));
        const nic = get('nic');
        expect(nic.translation?.source).toBe('iort');
        expect(nic.streamIds).toEqual([{ iommu: 'smmu0', id: 0x10100n }]);
        expect(nic.deviceIds).toEqual([{ its: 'its0', id: 0x20100n }]);
        // smmu0 has 16 stream-id bits and its0 16 device-id bits: both are out of range.
        expect(codes(result.findings)).toEqual(['SMMU-STREAM-ID-RANGE', 'ITS-DEVICE-ID-RANGE']);
    });

    it("QEMU's table: 0x0000..0x0700 to the SMMU, 0x0700.. to the ITS; RID 0x0700 takes the later mapping (off-by-one workaround)", async () => {
        const { get, result } = await idsOf(platformWithIort('map input 0x0 id-count 0x700 -> smmu0 0x0  map input 0x700 id-count 0xf8ff -> itsg 0x700'));
        expect(get('nic').streamIds).toEqual([{ iommu: 'smmu0', id: 0x0100n }]);
        expect(get('nic').deviceIds).toEqual([{ its: 'its0', id: 0x0100n }]);
        // 07:00.0 = 0x0700: the provisional SMMU match is superseded by the ITS mapping: no IOMMU.
        expect(get('far').iommu).toBeUndefined();
        expect(get('far').translation?.noIommu?.reason).toBe('unmapped');
        expect(get('far').deviceIds).toEqual([{ its: 'its0', id: 0x0700n }]);
        const f = result.findings.find((x) => x.code === 'IORT-RID-UNMAPPED');
        expect(f?.message).toBe("far (07:00.0): its requester ID 0x0700 is not mapped to an SMMU by IORT root-complex pcie0: Linux gives the device no IOMMU (no StreamIDs, no IOMMU group).");
        expect(codes(result.findings)).toEqual(['IORT-RID-UNMAPPED']);
    });

    it('a provisional end-of-range match stands when no later mapping starts on that ID', async () => {
        const { get } = await idsOf(platformWithIort('map input 0x0 id-count 0x700 -> smmu0 0x0  map input 0x600 id-count 0x200 -> itsg 0x0'));
        expect(get('far').streamIds).toEqual([{ iommu: 'smmu0', id: 0x0700n }]);
    });

    it('a single mapping on the RC ignores the input; the SMMUv3 device-id-index mapping is skipped', async () => {
        const { get } = await idsOf(
            platformWithIort('map ids 0x0..0xffff -> smmu0 0x0', 'smmu-v3 smmu0 { map input 0x0 id-count 0 -> itsg 0x9999 single  map ids 0x0..0xffff -> itsg 0x40000  device-id-index 0 }'),
        );
        expect(get('nic').deviceIds).toEqual([{ its: 'its0', id: 0x40100n }]);
        const { get: get2 } = await idsOf(platformWithIort('map input 0x0 id-count 0 -> itsg 0x42 single'));
        expect(get2('nic').deviceIds).toEqual([{ its: 'its0', id: 0x42n }]);
        expect(get2('nic').iommu).toBeUndefined();
    });

    it('IORT-RC-MISSING: a host bridge whose segment has no root-complex node', async () => {
        const text = `platform p {
  arch arm64
  its its0 at 0x808_0000 device-id-bits 16
  smmu smmu0 v3 at 0x905_0000 stream-id-bits 16
  host-bridge pcie0 segment 0 {
    ecam at 0x40_1000_0000 size 256M
    bus-range 0x00..0xff
    rc-endpoint a at 00:01.0
  }
  host-bridge pcie1 segment 1 {
    ecam at 0x50_1000_0000 size 256M
    bus-range 0x00..0xff
    rc-endpoint b at 00:01.0
  }
  iort {
    its-group itsg { its0 }
    root-complex pcie0 { map ids 0x0..0xffff -> smmu0 0x0 }
  }
}
`;
        const { result, get } = await idsOf(text);
        expect(get('b').translation?.noIommu?.reason).toBe('no-root-complex');
        expect(get('a').iommu).toBe('smmu0');
        expect(result.findings).toHaveLength(1);
        const f = result.findings[0]!;
        expect(f.code).toBe('IORT-RC-MISSING');
        expect(f.message).toBe('Host bridge pcie1 (segment 0x0001) has no IORT root-complex node: Linux matches RC nodes by segment and finds none, so none of its 1 function gets an IOMMU or an IORT MSI mapping.');
        expect(lineOf(f)).toBe(lineIn(text, 'host-bridge pcie1'));
        expect(f.related.map((r) => r.message)).toEqual(['the IORT']);
    });

    it('IORT-MAPPING-OVERLAP fires for a real overlap and stays quiet for the one-ID off-by-one', async () => {
        const text = platformWithIort('map ids 0x0..0x1ff -> smmu0 0x0  map ids 0x100..0x2ff -> smmu0 0x8000');
        const { result } = await idsOf(text);
        // far (07:00.0) is outside both mappings.
        expect(codes(result.findings)).toEqual(['IORT-MAPPING-OVERLAP', 'IORT-RID-UNMAPPED']);
        const f = result.findings[0]!;
        expect(lineOf(f)).toBe(lineIn(text, 'root-complex pcie0'));
        expect(f.message).toBe(`IORT root-complex pcie0 mapping ids 0x0100..0x02ff -> smmu0 0x8000 overlaps mapping ids 0x0000..0x01ff -> smmu0 0x0000 (line ${lineIn(text, 'root-complex pcie0')}) on IDs 0x0100..0x01ff: Linux uses the first matching mapping (later ones are a "conflicting mapping", FW_BUG), so these IDs go to smmu0.`);
        expect(f.related.map((r) => r.message)).toEqual(['the mapping that wins for 0x0100..0x01ff']);
        const quiet = await idsOf(platformWithIort('map input 0x0 id-count 0x700 -> smmu0 0x0  map input 0x700 id-count 0xf8ff -> smmu0 0x800'));
        expect(codes(quiet.result.findings)).toEqual([]);
        expect(quiet.get('far').streamIds).toEqual([{ iommu: 'smmu0', id: 0x0800n }]);
    });
});

describe('findings about ID translation', () => {
    it('MAP-RID-UNMAPPED (B.12 #27): a DMA master whose alias no entry covers; quiet for covered functions and bridges', async () => {
        const text = arm(
            `    pcie-pci-bridge br at 00:01.0 {
      pci-device d at 01:02.0
    }
    root-port rp at 00:02.0 { endpoint e at 02:00.0 }`,
            { maps: '    iommu-map rid 0x0100 count 0x200 -> smmu0 0x0' },
        );
        const { result, get } = await idsOf(text);
        // d: own RID 0x0110 maps; the bridge alias 0x0100 maps too. e (0x0200) maps. br (0x0008) does not, but is no DMA master.
        expect(codes(result.findings)).toEqual([]);
        expect(get('br').iommu).toBeUndefined();
        expect(get('d').streamIds.map((s) => s.id)).toEqual([0x10n, 0x0n]);

        const text2 = arm(`    pcie-pci-bridge br at 00:01.0 {
      pci-device d at 01:02.0
    }`, { maps: '    iommu-map rid 0x0108 count 0x100 -> smmu0 0x0' });
        const r2 = await idsOf(text2);
        expect(codes(r2.result.findings)).toEqual(['MAP-RID-UNMAPPED']);
        const f = r2.result.findings[0]!;
        expect(f.message).toBe('d (01:02.0): its DMA alias 0x0100 (taken by bridge br (00:01.0)) matches no iommu-map entry of host bridge pcie0: Linux stops there and gives the device no IOMMU (no StreamIDs, no IOMMU group), and Xen on Arm cannot add it to the SMMU.');
        expect(lineOf(f)).toBe(lineIn(text2, 'pci-device d'));
        expect(f.related.map((r) => r.message)).toEqual(['iommu-map of host bridge pcie0', 'bridge br, which aliases the DMA as 0x0100']);
        // The lookups stop at the failing alias, as pci_for_each_dma_alias does.
        expect(r2.get('d').translation?.lookups.map((l) => [l.alias.rid, l.iommu])).toEqual([
            [0x0110n, 'smmu0'],
            [0x0100n, undefined],
        ]);
        expect(r2.get('d').streamIds).toEqual([]);
    });

    it('MAP-OVERLAP (B.12 #28): says which entry wins; quiet when both translate the shared IDs alike', async () => {
        const text = arm('    rc-endpoint a at 00:01.0', {
            maps: '    iommu-map rid 0x0000 count 0x200 -> smmu0 0x0\n    iommu-map rid 0x0100 count 0x200 -> smmu0 0x8000\n    iommu-map rid 0x0000 count 0x100 -> smmu0 0x0',
        });
        const { result } = await idsOf(text);
        // The third entry overlaps the first with the same translation: quiet.
        expect(codes(result.findings)).toEqual(['MAP-OVERLAP']);
        const f = result.findings[0]!;
        const first = lineIn(text, 'rid 0x0000 count 0x200');
        expect(f.message).toBe(
            `The iommu-map entry rid 0x0100 count 0x0200 -> smmu0 0x8000 of host bridge pcie0 overlaps the entry at line ${first} (rid 0x0000 count 0x0200 -> smmu0 0x0000) on IDs 0x0100..0x01ff: the first matching entry wins, so these IDs go to smmu0 0x0100..0x01ff, not through this entry.`,
        );
        expect(lineOf(f)).toBe(lineIn(text, 'rid 0x0100 count 0x200'));
        expect(f.related.map((r) => [r.message, r.loc.start.line + 1])).toEqual([['the iommu-map entry that wins for 0x0100..0x01ff', first]]);
    });

    it('SMMU-STREAM-ID-RANGE (B.12 #29), once per entry with a count of the others', async () => {
        const text = arm('    rc-endpoint a at 00:01.0\n    rc-endpoint b at 00:02.0\n    rc-endpoint c at 00:03.0', {
            maps: '    iommu-map rid 0x0000 count 0x10 -> smmu0 0x0\n    iommu-map rid 0x0010 count 0x100 -> smmu0 0x10000',
            smmuBits: 16,
        });
        const { result } = await idsOf(text);
        expect(codes(result.findings)).toEqual(['SMMU-STREAM-ID-RANGE']);
        const f = result.findings[0]!;
        expect(f.message).toBe(
            'The iommu-map entry rid 0x0010 count 0x0100 -> smmu0 0x10000 of host bridge pcie0 gives b (00:02.0) StreamID 0x10000 on smmu0, beyond its 16 stream-id bits (StreamIDs below 0x10000) (and 1 more function): the SMMU driver rejects the master (-ERANGE), so it gets no IOMMU group.',
        );
        expect(lineOf(f)).toBe(lineIn(text, 'rid 0x0010 count 0x100'));
        expect(f.related.map((r) => r.message)).toEqual(['smmu0: stream-id-bits 16', 'b (00:02.0)']);
        const quiet = await idsOf(arm('    rc-endpoint a at 00:01.0', { smmuBits: 16 }));
        expect(quiet.result.findings).toEqual([]);
    });

    it('ITS-DEVICE-ID-RANGE (B.12 #36)', async () => {
        const text = arm('    root-port rp at 00:01.0 { endpoint e at 01:00.0 }', {
            maps: '    iommu-map rid 0x0000 count 0x10000 -> smmu0 0x0\n    msi-map rid 0x0000 count 0x10000 -> its0 0x100',
            itsBits: 8,
        });
        const { result, get } = await idsOf(text);
        expect(get('e').deviceIds).toEqual([{ its: 'its0', id: 0x200n }]);
        expect(codes(result.findings)).toEqual(['ITS-DEVICE-ID-RANGE']);
        const f = result.findings[0]!;
        expect(f.message).toBe(
            'The msi-map entry rid 0x0000 count 0x10000 -> its0 0x0100 of host bridge pcie0 gives rp (00:01.0) ITS DeviceID 0x0108 on its0, beyond its 8 device-id bits (DeviceIDs below 0x0100) (and 1 more function): the ITS cannot map the device (MAPD fails), so its MSIs never arrive.',
        );
        expect(lineOf(f)).toBe(lineIn(text, 'msi-map rid'));
        expect(f.related.map((r) => r.message)).toEqual(['its0: device-id-bits 8', 'rp (00:01.0)']);
    });

    it('msi-parent: the DeviceID is the MSI RID when msi-map is absent or does not match', async () => {
        const { get } = await idsOf(
            arm('    root-port rp at 00:01.0 { endpoint e at 01:00.0 }', {
                maps: '    iommu-map rid 0x0000 count 0x10000 -> smmu0 0x0\n    msi-map rid 0x0000 count 0x100 -> its0 0x5000\n    msi-parent its0',
            }),
        );
        expect(get('rp').deviceIds).toEqual([{ its: 'its0', id: 0x5008n }]);
        expect(get('e').deviceIds).toEqual([{ its: 'its0', id: 0x0100n }]);
    });

    it('MAP-ALIAS-SPLIT: aliases on two SMMUs of one driver are recorded under the first', async () => {
        const text = arm(
            `    pcie-pci-bridge br at 00:01.0 {
      pci-device d at 01:02.0
    }`,
            { maps: '    iommu-map rid 0x0100 count 0x10 -> smmu1 0x0\n    iommu-map rid 0x0000 count 0x10000 -> smmu0 0x0', extra: '  smmu smmu1 v3 at 0x906_0000 stream-id-bits 16' },
        );
        const { result, get } = await idsOf(text);
        expect(get('d').iommu).toBe('smmu0');
        expect(get('d').streamIds).toEqual([
            { iommu: 'smmu0', id: 0x0110n },
            { iommu: 'smmu0', id: 0x0n },
        ]);
        expect(codes(result.findings)).toEqual(['MAP-OVERLAP', 'MAP-ALIAS-SPLIT']);
        const f = result.findings[1]!;
        expect(f.message).toBe(
            'd (01:02.0): its requester ID 0x0110 translates to smmu0 but DMA alias 0x0100 (taken by bridge br (00:01.0)) to smmu1 (through iommu-map): Linux keeps one IOMMU per device and records StreamID 0x0000 under smmu0, so DMA tagged with the alias reaches smmu1, which has no entry for it.',
        );
        expect(lineOf(f)).toBe(lineIn(text, 'pci-device d'));
    });

    it('MAP-IORT-MISMATCH: device-tree maps and the IORT translating one function differently; quiet when they agree', async () => {
        const make = (iortBase: string) =>
            arm('    root-port rp at 00:01.0 { endpoint e at 01:00.0 }', {
                extra: `  iort {
    its-group itsg { its0 }
    smmu-v3 smmu0 { map ids 0x0..0xffff -> itsg 0x0 }
    root-complex pcie0 { map ids 0x0..0xffff -> smmu0 ${iortBase} }
  }`,
            });
        const agree = await idsOf(make('0x0'));
        expect(agree.result.findings).toEqual([]);
        expect(agree.get('e').translation?.source).toBe('iort');
        expect(agree.get('e').dt?.streamIds).toEqual(agree.get('e').iort?.streamIds);

        const text = make('0x10');
        const { result, get } = await idsOf(text);
        expect(get('e').streamIds).toEqual([{ iommu: 'smmu0', id: 0x0110n }]);
        expect(get('e').dt?.streamIds).toEqual([{ iommu: 'smmu0', id: 0x0100n }]);
        expect(codes(result.findings)).toEqual(['MAP-IORT-MISMATCH', 'MAP-IORT-MISMATCH']);
        expect(result.findings[0]!.message).toBe(
            'The iommu-map of host bridge pcie0 and the IORT translate rp (00:01.0) differently (and 1 more function): for alias 0x0008 the iommu-map gives StreamID 0x0008 on smmu0 but the IORT gives StreamID 0x0018 on smmu0. A device-tree boot (and Xen) and an ACPI boot would program different IDs.',
        );
        expect(lineOf(result.findings[0])).toBe(lineIn(text, 'iommu-map rid'));
        expect(result.findings[0]!.related.map((r) => [r.message, r.loc.start.line + 1])).toEqual([['the IORT mapping', lineIn(text, 'root-complex pcie0')]]);
        expect(result.findings[1]!.message).toBe(
            'The msi-map of host bridge pcie0 and the IORT translate rp (00:01.0) differently (and 1 more function): for MSI requester ID 0x0008 the msi-map gives DeviceID 0x0008 on its0 but the IORT gives DeviceID 0x0018 on its0. A device-tree boot (and Xen) and an ACPI boot would program different IDs.',
        );
    });

    it('x86: an IOMMU in scope sees every alias as its own source ID', async () => {
        const { get, result } = await idsOf(`platform x {
  arch x86_64
  iommu dmar0 vt-d at 0xfed9_0000 scope pcie0
  host-bridge pcie0 segment 0 {
    mcfg at 0xe000_0000 buses 0x00..0xff
    pcie-pci-bridge br at 00:1e.0 { pci-device old at 01:03.0 }
  }
}
`);
        expect(get('old').streamIds).toEqual([
            { iommu: 'dmar0', id: 0x0118n },
            { iommu: 'dmar0', id: 0x0100n },
        ]);
        expect(get('old').deviceIds).toEqual([]);
        expect(result.findings).toEqual([]);
    });
});

describe('scale', () => {
    // Speed is measured by `npm run bench`; this checks the result holds at 100k functions.
    it('100k functions: every function gets its IDs, no finding', async () => {
        const { platform, topology } = await topologyOf(hundredThousand());
        const ids = computeIds(topology, platform);
        expect(ids.functions.length).toBeGreaterThan(100_000);
        expect(ids.findings).toEqual([]);
    });
});

