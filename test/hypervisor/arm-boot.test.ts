// Booting Xen on Arm under the design and upstream profiles: how Xen learns host bridges, the
// segment rule, dom0's stage-2 mappings, device adds in Linux's order with their StreamIDs, and
// every way a device add goes wrong (DOMAIN.md B.3, B.5.1.4, B.8.1, B.12 #4 #27 #29 #30 #31 #48 #50).
import { describe, expect, it } from 'vitest';
import { at, codes, events, expectInOrder, only, run } from './helpers.js';

const SOC = `
  arch arm64
  memory dram at 0x80_0000_0000 size 8G
  its gits0 at 0x801_0002_0000 device-id-bits 20
  smmu smmu0 v3 at 0x4000_0000 stream-id-bits 16
  uart uart0 at 0x402_0000 size 4K`;

function arm(hostBridges: string, xen = '', extra = ''): string {
    return `platform board "test board" {${SOC}
${hostBridges}
  xen {
    owns uart0
${xen}
  }
${extra}
}
`;
}

const PCIE0 = `
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M
    bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    window mem64 prefetch at 0x80_0000_0000 size 16G
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x0
    msi-map rid 0x0 count 0x1000 -> gits0 0x0
    root-port rp0 at 00:01.0 {
      acs sv rr cr uf
      endpoint nic0 at 01:00.0 {
        bar 0 mem64 prefetch size 64K
        msix entries 20 table bar 0 offset 0x0 pba bar 0 offset 0x2000
        reset flr
        sriov total-vfs 4 num-vfs 2 offset 0x8 stride 1 { vf-bar 0 mem64 prefetch size 16K }
      }
    }
    rc-endpoint dma0 at 00:10.0 { bar 0 mem64 size 64K  msi vectors 4 }
  }`;

describe('arm-design boot', () => {
    it('registers host bridges, maps dom0, then adds devices bus by bus with StreamIDs and MAPDs', async () => {
        const r = await run(arm(PCIE0), 'arm-design');
        expect(r.result.findings).toEqual([]);
        expectInOrder(r, [
            '[1 boot] xen-boot profile=arm-design',
            'xen-keeps device=smmu0 kind=SMMUv3',
            'xen-keeps device=uart0',
            'dom0-build domain=dom0',
            'p2m-map domain=dom0 what="pcie0 ECAM" guest=0x30000000-0x30ffffff',
            'p2m-map domain=dom0 what="pcie0 mem32 window" guest=0x40000000-0x4fffffff',
            'p2m-map domain=dom0 what="gits0 GITS_TRANSLATER page" guest=0x80100030000-0x8010003ffff host=0x80100030000 size=64K',
            'PHYSDEVOP_pci_host_bridge_add seg=0x0 cfg_base=0x30000000 cfg_size=0x1000000 hostBridge=pcie0',
            // Linux's pci_bus_add_devices: every device of bus 0, then bus 1.
            'PHYSDEVOP_pci_device_add sbdf=0000:00:01.0 device=rp0 flags=0 result=0',
            'smmu-context smmu=smmu0 domain=dom0 vmid=1',
            'smmu-ste smmu=smmu0 sid=0x8 master=rp0 domain=dom0',
            'PHYSDEVOP_pci_device_add sbdf=0000:00:10.0 device=dma0',
            'smmu-ste smmu=smmu0 sid=0x80 master=dma0',
            'its-mapd its=gits0 deviceId=0x80 device=dma0 events=4 itt_size=1 domain=dom0 valid=1',
            'PHYSDEVOP_pci_device_add sbdf=0000:01:00.0 device=nic0',
            'smmu-ste smmu=smmu0 sid=0x100 master=nic0',
            // MSI-X 20 entries: a 32-event ITT (MAPD ITT_size = log2(32) - 1).
            'its-mapd its=gits0 deviceId=0x100 device=nic0 events=32 itt_size=4',
            // The implicit scenario: dom0 enables the declared VFs after their PF.
            '[2 enable-sriov] sriov-enable pf=nic0',
            'PHYSDEVOP_pci_device_add sbdf=0000:01:01.0 device=nic0.vf[0] flags=XEN_PCI_DEV_VIRTFN physfn=0000:01:00.0 result=0',
            'smmu-ste smmu=smmu0 sid=0x108 master=nic0.vf[0]',
            'PHYSDEVOP_pci_device_add sbdf=0000:01:01.1 device=nic0.vf[1]',
        ]);
        expect(r.result.owner).toMatchObject({ rp0: 'dom0', nic0: 'dom0', dma0: 'dom0', 'nic0.vf[1]': 'dom0' });
        expect(r.result.scenario).toBe('(implicit)');
    });

    it('translates every DMA alias in the design, and reports two masters sharing the bridge alias', async () => {
        const r = await run(
            arm(`
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x0
    pcie-pci-bridge ppb0 at 00:03.0 {
      secondary 0x01 subordinate 0x01
      pci-device legacy0 at 01:01.0 { bar 0 mem32 size 4K }
      pci-device legacy1 at 01:02.0 { bar 0 mem32 size 4K }
    }
  }`),
            'arm-design',
        );
        expect(events(r, 'smmu-ste', { master: 'legacy0' }).map((e) => e.args.sid)).toEqual(['0x108', '0x100']);
        const shared = only(r, 'XEN-STREAMID-SHARED');
        expect(shared.severity).toBe('warning');
        expect(shared.message).toBe(
            "legacy1 and legacy0 share StreamID 0x100 on smmu0 (Linux's SMMUv3 driver refuses the second master; one STE cannot translate for two masters)",
        );
        // The engine points a function's findings at its name.
        expect(at(r, shared)).toBe('legacy1');
        expect(shared.related.map((x) => x.message)).toEqual(['legacy0 uses StreamID 0x100 on smmu0']);
    });
});

describe('arm-upstream boot', () => {
    it('finds host bridges in the device tree (no hypercall) and writes linux,pci-domain for dom0', async () => {
        const r = await run(arm(PCIE0.replace('host-bridge pcie0 segment 0', 'host-bridge pcie0')), 'arm-upstream');
        expect(events(r, 'PHYSDEVOP_pci_host_bridge_add')).toEqual([]);
        expectInOrder(r, [
            'xen-pci-host-bridge hostBridge=pcie0 seg=0x0 ecam=0x30000000-0x30ffffff buses=0x0-0xf source="device tree"',
            'dom0-dt-property node=pcie0 property="linux,pci-domain" value=0x0',
            'dom0-build',
            'PHYSDEVOP_pci_device_add sbdf=0000:00:01.0',
        ]);
    });

    it('programs only the own RID and warns about bridge aliases while dom0 holds the device (#31)', async () => {
        const r = await run(
            arm(`
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x0
    pcie-pci-bridge ppb0 at 00:03.0 {
      secondary 0x01 subordinate 0x01
      pci-device legacy0 at 01:01.0 { bar 0 mem32 size 4K }
    }
  }`),
            'arm-upstream',
        );
        expect(events(r, 'smmu-ste', { master: 'legacy0' }).map((e) => e.args.sid)).toEqual(['0x108']);
        const f = only(r, 'XEN-BRIDGE-ALIAS');
        expect(f.severity).toBe('warning');
        expect(f.message).toBe(
            'legacy0 also issues DMA as 0x100 (the alias of ppb0), but Xen programs only its own RID 0x108: DMA tagged with the alias hits a stream-table entry Xen never wrote and aborts (arm-upstream: iommu_add_dt_pci_sideband_ids does not walk bridge aliases)',
        );
        expect(at(r, f)).toBe('legacy0');
        expect(f.related[0]!.message).toBe('ppb0 rewrites the requester ID');
    });

    it('reports a mix of linux,pci-domain at the bridge without it (B.12 #4)', async () => {
        const text = arm(`${PCIE0}
  host-bridge pcie1 {
    ecam at 0x3100_0000 size 16M  bus-range 0x00..0x0f
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x1000
  }`);
        for (const profile of ['arm-upstream', 'arm-design'] as const) {
            const r = await run(text, profile);
            const f = only(r, 'XEN-SEGMENT-MIXED');
            expect(at(r, f)).toBe('pcie1');
            expect(f.message).toContain('Host bridge pcie1 has no linux,pci-domain while pcie0 (segment 0x0) has one');
            expect(f.message).toContain(profile === 'arm-upstream' ? '(arm-upstream: Xen BUG()s at boot in pci_bus_find_domain_nr)' : '(arm-design: Linux rejects');
            expect(f.related[0]!.message).toBe('pcie0 writes linux,pci-domain 0x0');
        }
    });
});

describe('device adds that fail', () => {
    it('fails PHYSDEVOP_pci_device_add without an iommu-map, and the VFs of that PF fail after it without a second finding (#27, #50)', async () => {
        const r = await run(arm(PCIE0.replace('iommu-map rid 0x0 count 0x1000 -> smmu0 0x0', '')), 'arm-design');
        expect(events(r, 'PHYSDEVOP_pci_device_add', { device: 'nic0' })[0]!.args.result).toBe('-ENODEV');
        const missing = r.result.findings.filter((f) => f.code === 'XEN-NO-STREAMID');
        expect(missing.map((f) => f.message)).toContain(
            'nic0 (0000:01:00.0, RID 0x100) gets no StreamID: host bridge pcie0 has no iommu-map; PHYSDEVOP_pci_device_add fails with -ENODEV, so Xen does not know the device, its DMA hits no stream-table entry and aborts, and it cannot be assigned',
        );
        // The VFs' adds fail because the PF's did: that is the PF's finding, not a boot order
        // problem (XEN-VF-BEFORE-PF) and not one finding per VF.
        expect(r.result.findings.filter((f) => f.code === 'XEN-VF-BEFORE-PF' || f.message.includes('nic0.vf['))).toEqual([]);
        expect(events(r, 'PHYSDEVOP_pci_device_add', { device: 'nic0.vf[0]' })[0]!.args.result).toBe('-ENODEV');
        expect(r.result.functions.find((f) => f.name === 'nic0')).toMatchObject({ added: false, owner: 'dom0' });
    });

    it('points an unmatched RID at the device and a bad entry at the entry (#26 #27)', async () => {
        const r = await run(
            arm(`
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x100 -> smmu0 0x0
    rc-endpoint a0 at 00:01.0 { bar 0 mem32 size 4K }
    root-port rp0 at 00:02.0 { endpoint far0 at 01:00.0 { bar 0 mem32 size 4K } }
  }`),
            'arm-design',
        );
        const f = only(r, 'XEN-NO-STREAMID');
        expect(f.message).toContain('far0 (0000:01:00.0, RID 0x100) gets no StreamID: no iommu-map entry of pcie0 covers RID 0x100;');
        expect(at(r, f)).toBe('far0');
        expect(f.related[0]!.message).toBe('host bridge pcie0');

        const bad = await run(
            arm(`
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map-mask 0xff
    iommu-map rid 0x100 count 0x100 -> smmu0 0x0
    rc-endpoint a0 at 00:01.0 { bar 0 mem32 size 4K }
  }`),
            'arm-design',
        );
        const e = only(bad, 'XEN-NO-STREAMID');
        expect(e.message).toContain('the iommu-map entry with rid-base 0x100 has bits outside the mask 0xff (-EFAULT)');
        expect(at(bad, { ...e, loc: e.related[0]!.loc })).toBe('iommu-map rid 0x100 count 0x100 -> smmu0 0x0');
    });

    it('rejects a StreamID beyond the SMMU width (-ERANGE, #29)', async () => {
        const r = await run(arm(PCIE0.replace('-> smmu0 0x0', '-> smmu0 0xff00')), 'arm-design');
        const f = r.result.findings.find((x) => x.code === 'XEN-NO-STREAMID' && x.message.startsWith('nic0 '))!;
        expect(f.message).toContain("StreamID 0x10000 is beyond smmu0's StreamID width (-ERANGE)");
    });

    it('warns when a phantom function lands on a real function (#48)', async () => {
        const r = await run(
            arm(`
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x0
    rc-endpoint ph0 at 00:01.0 { multifunction  bar 0 mem32 size 4K  quirk phantom 1 }
    rc-endpoint ph4 at 00:01.4 { bar 0 mem32 size 4K }
  }`),
            'arm-design',
        );
        const f = only(r, 'XEN-PHANTOM-OCCUPIED');
        expect(f.message).toBe("ph0's phantom function 0xc is the RID of ph4: Xen adds the phantom to ph0's IOMMU entries, so ph4's DMA follows dom0");
        expect(events(r, 'smmu-ste', { master: 'ph0' }).map((e) => e.args.sid)).toEqual(['0x8', '0xc']);
    });

    it('warns when SR-IOV is already on as the PF is added (#50)', async () => {
        const r = await run(arm(PCIE0, '', 'scenario early { enable-sriov nic0 num-vfs 2  boot  enable-sriov nic0 num-vfs 2 }'), 'arm-design', { scenario: 'early' });
        const f = only(r, 'XEN-SRIOV-AT-ADD');
        expect(f.message).toBe(
            "nic0 is reported to Xen with VF Enable already set (2 VFs enabled before boot): Xen sizes VF BARs only when VF Enable and VF MSE are clear, so it does not know nic0's VF BARs; Linux then clears VF Enable in sriov_init",
        );
        expectInOrder(r, ['[1 enable-sriov] sriov-enable pf=nic0 numvfs=2 by="firmware (before boot)"', 'PHYSDEVOP_pci_device_add sbdf=0000:01:00.0', 'sriov-disable pf=nic0 by="Linux sriov_init', '[2 boot] sriov-enable pf=nic0', 'device=nic0.vf[1]']);
        expect(codes(r)).toEqual(['XEN-SRIOV-AT-ADD']);
    });
});
