// Per-function IOMMU scope (`outside-iommu`, the AMD IOMMU's own function) and functions whose ACS
// the description does not give (`acs unknown`): groups, findings, the JSON fields and the
// hypervisor messages that depend on them.
import { describe, expect, it } from 'vitest';
import { enumerate } from '../../src/fabric/enumerate.js';
import { analyseIds } from '../../src/fabric/groups/analyse-ids.js';
import { simulate } from '../../src/engine/simulate.js';
import { platformFromText } from '../helpers/platforms.js';

function x86(body: string, opts: { iommu?: 'vt-d' | 'amd-vi'; after?: string } = {}): string {
    return `platform p {
  arch x86_64
  iommu iommu0 ${opts.iommu ?? 'vt-d'} at 0xfed9_0000 scope pcie0
  host-bridge pcie0 segment 0 {
    mcfg at 0xe000_0000 buses 0x00..0xff
    window mem32 at 0xc000_0000 size 512M
    window mem64 prefetch at 0x380_0000_0000 size 256G
${body}
  }
${opts.after ?? ''}
}
`;
}

async function analyse(text: string) {
    const platform = await platformFromText(text);
    return { platform, ids: analyseIds(enumerate(platform).topology, platform) };
}

describe('per-function IOMMU scope', () => {
    it('`outside-iommu`: no group, and the reason; its VFs follow the PF (DMAR matches a VF by its PF)', async () => {
        const { ids } = await analyse(
            x86(`    rc-endpoint hb at 00:00.0 vendor 0x8086 device 0x3e30 class 0x060000 { outside-iommu }
    rc-endpoint nic at 00:03.0 vendor 0x1af4 device 0x1041 { outside-iommu  bar 0 mem64 size 16K  sriov total-vfs 2 num-vfs 2 offset 1 stride 1 vf-device 0x1042 { vf-bar 0 mem64 size 16K } }
    rc-endpoint gpu at 00:02.0 vendor 0x1af4 device 0x1050 { bar 0 mem64 size 16K }`),
        );
        expect(ids.functions.map((f) => [f.name, f.group])).toEqual([
            ['hb', null],
            ['gpu', 0],
            ['nic', null],
            ['nic.vf[0]', null],
            ['nic.vf[1]', null],
        ]);
        expect(ids.byName.get('hb')!.noGroup).toBe("it is outside every IOMMU's scope (`outside-iommu`: no DMAR device scope or IVRS entry covers it)");
        expect(ids.byName.get('gpu')!.noGroup).toBeUndefined();
    });

    it("AMD-Vi: the IOMMU's own function (AMD, class 0x0806) gets no group; on VT-d the same function would", async () => {
        const body = `    rc-endpoint rc at 00:00.0 vendor 0x1022 device 0x1480 class 0x060000 { multifunction  outside-iommu }
    rc-endpoint amdvi at 00:00.2 vendor 0x1022 device 0x1481 class 0x080600 { bar 0 mem64 size 16K }
    rc-endpoint sata at 00:08.0 vendor 0x1022 device 0x7901 class 0x010601 { bar 0 mem32 size 4K }`;
        const amd = await analyse(x86(body, { iommu: 'amd-vi' }));
        expect(amd.ids.functions.map((f) => [f.name, f.group])).toEqual([
            ['rc', null],
            ['amdvi', null],
            ['sata', 0],
        ]);
        expect(amd.ids.byName.get('amdvi')!.noGroup).toBe("it is the AMD IOMMU iommu0's own function, which the AMD IOMMU driver never translates");
        const intel = await analyse(x86(body));
        expect(intel.ids.byName.get('amdvi')!.group).toBe(0);
    });

    it('KVM: assigning a function outside the IOMMU says why VFIO cannot take it', async () => {
        const platform = await platformFromText(
            x86(`    rc-endpoint gpu at 00:02.0 vendor 0x1af4 device 0x1050 { outside-iommu  bar 0 mem64 size 16K }`, { after: '  kvm { vm vm1 { memory 1G  assign gpu } }' }),
        );
        const found = simulate(platform, { profile: 'kvm' }).findings.filter((f) => f.code === 'HV-DEVICE-UNKNOWN');
        expect(found.map((f) => f.message)).toEqual([
            "vm1 cannot get gpu: it has no IOMMU group (it is outside every IOMMU's scope (`outside-iommu`: no DMAR device scope or IVRS entry covers it)), so VFIO cannot take it",
        ]);
    });
});

describe('`acs unknown`', () => {
    const ports = (rp1Acs: string) =>
        x86(`    root-port rp0 at 00:1c.0 vendor 0x1af4 device 0x000c { multifunction  acs unknown
      endpoint e0 at 01:00.0 vendor 0x1af4 device 0x1041 { bar 0 mem64 size 16K }
    }
    root-port rp1 at 00:1c.1 vendor 0x1af4 device 0x000c { ${rp1Acs}
      endpoint e1 at 02:00.0 vendor 0x1af4 device 0x1041 { bar 0 mem64 size 16K }
    }`);

    it('is computed as no ACS capability, and every group it decided says so, with one finding at the acs line', async () => {
        const text = ports('acs sv rr cr uf');
        const { ids } = await analyse(text);
        // rp0 without ACS: e0 joins rp0; rp1 isolates.
        expect(ids.groups.map((g) => g.members)).toEqual([['rp0', 'e0'], ['rp1'], ['e1']]);
        expect(ids.byName.get('e0')!.acsUnknown).toEqual(['rp0']);
        expect(ids.byName.get('rp0')!.acsUnknown).toEqual(['rp0']);
        expect(ids.byName.get('e1')!.acsUnknown).toBeUndefined();
        const found = ids.findings.filter((f) => f.code === 'GROUP-ACS-UNKNOWN');
        expect(found.map((f) => f.message)).toEqual([
            'The IOMMU groups of rp0, e0 depend on the ACS of rp0 (00:1c.0), which the description does not give (`acs unknown`): computed as if rp0 had no ACS capability; with ACS there the groups may be smaller.',
        ]);
        const lines = text.split('\n');
        expect(lines[found[0]!.loc!.start.line]).toContain('acs unknown');
        expect(found[0]!.related.map((r) => r.message)).toEqual(["rp0's group depends on it", "e0's group depends on it"]);
    });

    it('a written ACS decides alone: no finding, no note', async () => {
        const { ids } = await analyse(ports('acs sv rr cr uf').replace('acs unknown', 'acs sv rr cr uf'));
        expect(ids.findings.filter((f) => f.code === 'GROUP-ACS-UNKNOWN')).toEqual([]);
        expect(ids.functions.every((f) => f.acsUnknown === undefined)).toBe(true);
    });

    it('a group split under KVM names the unknown ACS it rests on', async () => {
        // vfio-pci binds no bridge (KVM-ASSIGN-BRIDGE), so the second VM takes a second function below rp0.
        const text = ports('acs sv rr cr uf')
            .replace('endpoint e0 at 01:00.0 vendor 0x1af4 device 0x1041 { bar 0 mem64 size 16K }', 'endpoint e0 at 01:00.0 vendor 0x1af4 device 0x1041 { multifunction  bar 0 mem64 size 16K }\n      endpoint e0b at 01:00.1 vendor 0x1af4 device 0x1041 { bar 0 mem64 size 16K }')
            .replace('\n}\n', '\n  kvm { vm vm1 { memory 1G  assign e0 } vm vm2 { memory 1G  assign e0b } }\n}\n');
        expect(text).toContain('e0b at 01:00.1');
        const platform = await platformFromText(text);
        const found = simulate(platform, { profile: 'kvm' }).findings.filter((f) => f.code.startsWith('KVM-') || f.code === 'HV-GROUP-SPLIT');
        expect(found.length).toBeGreaterThan(0);
        for (const f of found) expect(f.message).toContain('depends on the ACS of rp0, which the description does not give (`acs unknown`), and is computed as if it has none');
    });
});
