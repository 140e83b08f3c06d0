// Issue 14 in the hypervisor layer, beyond the check fixtures (test/fixtures/check): the other
// party of each finding (related locations) and what the trace shows — the guest PHBs QEMU gets
// on POWER, the devices on them, and the host bridge Xen cannot reach.
import { describe, expect, it } from 'vitest';
import { events, only, run, textAt } from './helpers.js';

const POWER = `platform p7 {
  arch ppc64
  memory dram at 0x0 size 64G
  host-bridge phb0 segment 0 {
    config-access index-data at 0x3fff_e400_0000 size 8
    window mem64 prefetch at 0x2000_0000_0000 size 64G
    root-port rp0 at 00:00.0 { endpoint gpu at 01:00.0 { bar 0 mem64 prefetch size 16M reset flr } }
  }
  host-bridge phb1 segment 1 {
    config-access index-data at 0x3fff_e410_0000 size 8
    window mem64 prefetch at 0x2100_0000_0000 size 64G
    root-port rp1 at 00:00.0 { endpoint nic at 01:00.0 { bar 0 mem64 prefetch size 32M reset flr } }
  }
  kvm {
    vfio-iommu IOMMU
    vm lpar { memory 16G assign gpu PHB }
  }
}
`;

describe('VFIO on POWER', () => {
    it('gives QEMU each written PHB and puts its devices on its bus 0', async () => {
        const r = await run(POWER.replace('IOMMU', 'spapr-tce').replace('PHB', '\n      phb phb1 index 1 { assign nic }'), 'kvm');
        expect(r.result.findings).toEqual([]);
        expect(events(r, 'qemu-device', { device: 'phb1' }).map((e) => e.args.arg)).toEqual(['-device spapr-pci-host-bridge,index=1,id=phb1']);
        expect(events(r, 'qemu-device', { device: 'nic' }).map((e) => e.args.arg)).toEqual([expect.stringContaining('bus=phb1.0')]);
        expect(events(r, 'vfio-group-attach').map((e) => e.args.group)).toEqual(['0', '1']);
    });

    it('refuses a second group on the default PHB with the v1 TCE IOMMU, naming the first group and the backend', async () => {
        const r = await run(POWER.replace('IOMMU', 'spapr-tce').replace('PHB', 'nic'), 'kvm');
        const f = only(r, 'KVM-SPAPR-PHB-SHARED');
        expect(textAt(r.text, f.loc)).toBe('nic');
        expect(f.related.map((x) => [x.message, textAt(r.text, x.loc)])).toEqual([
            ['gpu (group 0)', 'gpu'],
            ['vfio-iommu spapr-tce', 'vfio-iommu spapr-tce'],
        ]);
        // The refused group stays with the host; the first one is attached.
        expect(events(r, 'vfio-group-attach').map((e) => e.args.group)).toEqual(['0']);
    });

    it('counts the groups a running VM holds: a hot-plugged second group on the default PHB is refused at the step', async () => {
        const text = POWER.replace('IOMMU', 'spapr-tce').replace('PHB', '').replace(/\n}\n$/, '\n  scenario plug { boot start lpar hot-plug nic to lpar }\n}\n');
        const r = await run(text, 'kvm', { scenario: 'plug' });
        const f = only(r, 'KVM-SPAPR-PHB-SHARED');
        expect(textAt(r.text, f.loc)).toBe('hot-plug nic to lpar');
        expect(f.message).toContain('lpar puts nic (IOMMU group 1) on the default PHB (index 0), which already holds gpu (group 0)');
        expect(events(r, 'vfio-group-attach').map((e) => e.args.group)).toEqual(['0']);
    });

    it('lets v2 put both groups on the default PHB', async () => {
        const r = await run(POWER.replace('IOMMU', 'spapr-tce-v2').replace('PHB', 'nic'), 'kvm');
        expect(r.result.findings).toEqual([]);
        expect(events(r, 'vfio-group-attach').map((e) => e.args.group)).toEqual(['0', '1']);
    });
});

const DESIGN = `platform board {
  arch arm64
  memory dram at 0x8000_0000 size 4G
  smmu smmu0 v3 at 0x0500_0000 stream-id-bits 16
  host-bridge dw0 segment 0 {
    ecam at 0x0340_0000 size 4K
    child-ecam at 0x40_0000_0000 size 256K
    config-access dbi
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x0
    root-port rp at 00:00.0 { acs sv rr cr uf endpoint nic at 01:00.0 { bar 0 mem32 size 128K reset flr } }
  }
  xen { domain io { memory 512M assign nic } }
}
`;

describe('Xen and a DesignWare controller', () => {
    it('arm-design: reports the bridge once, at its config-access, with the assignment as the other party', async () => {
        const r = await run(DESIGN, 'arm-design');
        const f = only(r, 'XEN-CONFIG-ACCESS');
        expect(textAt(r.text, f.loc)).toBe('config-access dbi');
        expect(f.severity).toBe('error');
        expect(f.related.map((x) => [x.message, textAt(r.text, x.loc)])).toEqual([['nic goes to io', 'nic']]);
    });

    it('arm-design: a scenario step that assigns a device there is reported once, at the config-access, with the step', async () => {
        const text = DESIGN.replace('xen { domain io { memory 512M assign nic } }', 'xen { domain io { memory 512M } }\n  scenario s { boot start io hot-plug nic to io }');
        const r = await run(text, 'arm-design', { scenario: 's' });
        const f = only(r, 'XEN-CONFIG-ACCESS');
        expect(textAt(r.text, f.loc)).toBe('config-access dbi');
        expect(f.related.map((x) => [x.message, textAt(r.text, x.loc)])).toEqual([
            ['nic goes to io', 'hot-plug nic to io'],
            ['step 3 (hot-plug)', 'hot-plug nic to io'],
        ]);
    });

    it('KVM: VFIO reaches configuration space through the host driver, so nothing is reported', async () => {
        const r = await run(DESIGN.replace(/xen \{.*\}/, 'kvm { vm vm1 { memory 1G assign nic } }'), 'kvm');
        expect(r.result.findings.map((x) => x.code)).not.toContain('XEN-CONFIG-ACCESS');
    });
});

describe('Xen on 32-bit Arm', () => {
    it('boots as arm32 in the trace, and the design lets the domU have its NIC', async () => {
        const r = await run(`platform a15 {
  arch arm32 lpae
  memory dram at 0x8000_0000 size 2G
  smmu smmu0 v2 at 0x2b40_0000 stream-id-bits 15
  host-bridge pcie0 segment 0 {
    ecam at 0x10_0000_0000 size 16M
    bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x0
    root-port rp0 at 00:00.0 { acs sv rr cr uf endpoint nic at 01:00.0 { bar 0 mem32 size 128K reset flr } }
  }
  xen { domain guest { memory 256M assign nic } }
}
`, 'arm-design');
        expect(r.result.findings).toEqual([]);
        expect(events(r, 'xen-boot').map((e) => e.args.arch)).toEqual(['arm32']);
        expect(events(r, 'XEN_DOMCTL_assign_device', { device: 'nic' }).map((e) => [e.args.domain, e.args.result])).toEqual([[expect.stringContaining('guest'), '0']]);
    });
});
