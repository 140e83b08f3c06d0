// The x86 PVH dom0 of seed 001: identity maps, virtual IO-APICs, MMCFG registered and trapped
// before use, BARs mapped on memory decode with the MSI-X pages trapped, BAR relocation through
// vPCI's traps, and what a PVH dom0 does not support (DOMAIN.md B.6.3, B.7.6, B.9).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { at, codes, events, expectInOrder, only, run } from './helpers.js';

const EXAMPLE = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'hypervisor', 'x86-pvh.pciplat'), 'utf8');

describe('x86-pvh', () => {
    it('builds the PVH dom0 and plays the example scenario', async () => {
        const r = await run(EXAMPLE, 'x86-pvh', { scenario: 'sriov' });
        expectInOrder(r, [
            '[1 boot] xen-boot profile=x86-pvh arch=x86_64 iommu=on',
            'xen-keeps device=dmar0 kind=vt-d base=0xfed90000',
            'xen-keeps device=ioapic0 kind=IO-APIC',
            'xen-keeps device=serialio kind="PCI function" why="owns (pci_ro_device: read-only to dom0, owned by DomXEN)"',
            'dom0-build domain=dom0 domid=0 type="PVH hardware domain"',
            // Low 1 MiB: everything that is not RAM (the 640K region is RAM).
            'p2m-map domain=dom0 what="non-RAM below 1 MiB" guest=0xa0000-0xfffff host=0xa0000 size=384K type=identity',
            'p2m-map domain=dom0 what="acpi0 (e820 ACPI)" guest=0xbfee0000-0xbfeeffff',
            'p2m-map domain=dom0 what="nvs0 (e820 NVS)" guest=0xbfef0000-0xbfefffff',
            'vioapic name=ioapic0 base=0xfec00000 gsi_base=0 pins=24',
            'vioapic name=ioapic1 base=0xfec01000 gsi_base=24 pins=32',
            // MCFG base is bus 0's; registered and trapped before dom0 reports a device.
            'mmcfg-register seg=0x0 address=0xe0000000 start_bus=0x0 end_bus=0x3f trapped=0xe0000000-0xe3ffffff source=MCFG',
            'vpci-trap domain=dom0 what="pcie0 MMCFG" range=0xe0000000-0xe3ffffff size=64M',
            'PHYSDEVOP_pci_device_add sbdf=0000:00:02.0 device=igd flags=0 result=0',
            'iommu-domain iommu=dmar0 domain=dom0',
            'iommu-context iommu=dmar0 rid=0x10 master=igd domain=dom0',
            'vpci-trap domain=dom0 device=igd what="MSI capability (control, address, data, mask)"',
            'PHYSDEVOP_pci_device_add sbdf=0000:00:1e.0 device=serialio',
            'PHYSDEVOP_pci_device_add sbdf=0000:01:00.0 device=nic0',
            'vpci-trap domain=dom0 device=nic0 what="MSI-X control"',
            '"nic0 BAR 4"',
            'vpci-trap domain=dom0 device=nic0 what="MSI-X table"',
            'vpci-trap domain=dom0 device=nic0 what="MSI-X PBA"',
            // The written `boot` enables the declared num-vfs 8 (step 2 writes the same number: nothing to do).
            '[1 boot] sriov-enable pf=nic0',
            'PHYSDEVOP_pci_device_add sbdf=0000:01:10.0 device=nic0.vf[0] flags=XEN_PCI_DEV_VIRTFN physfn=0000:01:00.0 result=0',
            'vpci-skip device=nic0.vf[0]',
            '[3 start] xl-create domain=hvm1 domid=1 pci=2',
            'XEN_DOMCTL_assign_device domain="hvm1 (domid 1)" machine_sbdf=0000:01:10.2 device=nic0.vf[1]',
            'iommu-context iommu=dmar0 rid=0x182 master=nic0.vf[1] domain="hvm1 (domid 1)"',
            // QEMU keeps slots 0-3; the first passed-through device gets 00:04.0.
            'qemu-xen-pt domain="hvm1 (domid 1)" device=nic0.vf[1] host=0000:01:10.2 addr=0000:00:04.0',
            'XEN_DOMCTL_memory_mapping domain="hvm1 (domid 1)" what="nic0.vf[1] BAR 0"',
            'by="QEMU (xen_pt)"',
        ]);
        // Linux placed xhci BAR 0 at 0xc120_0000, after igd's 16M and rp0's 2M hot-plug memory
        // window (0xc100_0000-0xc11f_ffff): the example's target 0xc100_0000 is inside rp0's
        // window, which forwards it to the bus below, so the move is refused and nothing is remapped.
        expect(r.result.trace.some((e) => e.stepKind === 'relocate-bar' && e.event.startsWith('p2m'))).toBe(false);
        expect(r.result.findings.find((f) => f.code === 'HV-RELOCATE-INVALID')!.message).toBe(
            'relocate-bar xhci BAR 0 to 0xc1000000: 0xc1000000-0xc100ffff overlaps the mem window of rp0 (0xc1000000..0xc11fffff), which forwards those addresses to the bus below it',
        );
        // rp0 has no ACS: Linux puts rp0, both ports of the NIC and every VF in one IOMMU group
        // (VFs group by the ports above their PF, DOMAIN.md B.2.1.4). hvm1 takes two VFs; the two
        // PFs and the six other VFs stay with dom0: one split of group 2 between hvm1 and dom0,
        // with the eight functions left behind as related locations. On VT-d groups are numbered
        // in add order (bus_iommu_probe): igd 0, xhci 1, then rp0's group 2.
        expect(r.real.input.groups.map((g) => g.members[0])).toEqual(['igd', 'xhci', 'rp0', 'serialio']);
        const group = r.real.input.groups[2]!;
        expect(group.members).toEqual(['rp0', 'nic0', 'nic0p1', ...Array.from({ length: 8 }, (_, i) => `nic0.vf[${i}]`)]);
        expect(codes(r)).toEqual(['XEN-PVH-SRIOV', 'HV-GROUP-SPLIT', 'HV-RELOCATE-INVALID']);
        expect(r.result.findings[1]!.message).toBe(
            `IOMMU group ${group.id} is split: nic0.vf[1] and nic0.vf[2] go to hvm1 (domid 1) but nic0, nic0p1, nic0.vf[0] and 5 more stay with dom0; peer-to-peer DMA inside a group bypasses the IOMMU, so the domains are not isolated (x86-pvh: Xen's VT-d grouping ignores ACS, so nothing stops this split)`,
        );
        expect(r.result.findings[1]!.related.map((x) => x.message)).toEqual([
            // The finding is at the step (start hvm1); the assignment is where it was configured.
            'configured here',
            ...['nic0', 'nic0p1', 'nic0.vf[0]', 'nic0.vf[3]', 'nic0.vf[4]', 'nic0.vf[5]', 'nic0.vf[6]', 'nic0.vf[7]'].map((n) => `${n} stays with dom0 (IOMMU group ${group.id})`),
        ]);
        const f = r.result.findings[0]!;
        expect(f.message).toBe(
            "enable-sriov nic0: a PVH dom0 does not support SR-IOV; vPCI does not handle the VFs' BARs, which Xen finds only in the PF's SR-IOV capability (x86-pvh: SUPPORT.md, CHANGELOG 4.21)",
        );
        expect(at(r, f)).toMatch(/^sriov total-vfs 63 num-vfs 8 /);
        expect(r.result.owner).toMatchObject({ serialio: 'xen', 'nic0.vf[1]': 'hvm1', 'nic0.vf[2]': 'hvm1', nic0: 'dom0' });
        const msix = events(r, 'p2m-map', { what: 'nic0 BAR 4' })[0]!;
        expect(msix.args.except).toMatch(/^MSI-X table 0x[0-9a-f]+-0x[0-9a-f]+, MSI-X PBA 0x[0-9a-f]+-0x[0-9a-f]+$/);
    });

    const BOX = (body: string, xen = '', extra = '') => `platform box "x86 box" {
  arch x86_64
  memory ram at 0x0 size 2G
  iommu dmar0 vt-d at 0xfed9_0000 scope pcie0
  host-bridge pcie0 segment 0 {
    mcfg at 0xe000_0000 buses 0x00..0x3f
    window mem32 at 0xc000_0000 size 512M
    window mem64 prefetch at 0x380_0000_0000 size 64G
${body}
  }
  xen { profile x86-pvh
${xen} }
${extra}
}
`;

    it('moves a 64-bit BAR with decoding off (unmap old, map new) and ignores a 32-bit BAR write while decoding (B.6.3.5)', async () => {
        const r = await run(
            BOX(
                `    rc-endpoint wide at 00:02.0 { bar 0 mem64 size 64K at 0xc000_0000 }
    rc-endpoint narrow at 00:03.0 { bar 0 mem32 size 64K at 0xc001_0000 }`,
                '',
                'scenario move { boot  relocate-bar wide bar 0 to 0xc100_0000  relocate-bar narrow bar 0 to 0xc200_0000 }',
            ),
            'x86-pvh',
            { scenario: 'move' },
        );
        expectInOrder(r, [
            '[2 relocate-bar] cfg-write device=wide reg=COMMAND value="memory decoding off" by=dom0',
            'p2m-unmap domain=dom0 what="wide BAR 0" guest=0xc0000000-0xc000ffff',
            'cfg-write device=wide reg="BAR 0" old=0xc0000000 new=0xc1000000 by=dom0 result="vPCI records the new address"',
            'cfg-write device=wide reg=COMMAND value="memory decoding on" by=dom0',
            'p2m-map domain=dom0 what="wide BAR 0" guest=0xc1000000-0xc100ffff host=0xc1000000 size=64K type=identity',
            '[3 relocate-bar] cfg-write device=narrow reg="BAR 0" old=0xc0010000 new=0xc2000000 by=dom0 result="ignored by vPCI (memory decoding on)"',
        ]);
        const f = only(r, 'XEN-BAR-WRITE-IGNORED');
        expect(f.message).toBe(
            'relocate-bar narrow BAR 0 to 0xc2000000: memory decoding is on and Linux turns it off only around 64-bit BAR updates, so vPCI ignores the write ("ignored BAR 0 write while mapped") and the BAR stays at 0xc0010000 (x86-pvh: header.c bar_write)',
        );
        expect(at(r, f)).toBe('relocate-bar narrow bar 0 to 0xc200_0000');
    });

    it('refuses passthrough to a PV guest and warns about a host bridge without MMCFG', async () => {
        const r = await run(
            `platform box "x86 box" {
  arch x86_64
  memory ram at 0x0 size 2G
  iommu dmar0 vt-d at 0xfed9_0000 scope pcie0 pcie1
  host-bridge pcie0 segment 0 {
    mcfg at 0xe000_0000 buses 0x00..0x3f
    window mem32 at 0xc000_0000 size 512M
    rc-endpoint nic at 00:02.0 { bar 0 mem32 size 64K at 0xc000_0000  reset flr }
  }
  host-bridge pcie1 segment 1 {
    window mem32 at 0xd000_0000 size 256M
  }
  xen { profile x86-pvh
    domain pv1 { type pv  assign nic }
  }
}
`,
            'x86-pvh',
        );
        expect(codes(r)).toEqual(['XEN-MMCFG-MISSING', 'XEN-PVH-GUEST-TYPE']);
        const [mmcfg, pv] = r.result.findings;
        expect(mmcfg!.message).toBe(
            "Host bridge pcie1 (segment 0x1) has no MMCFG area: Xen cannot trap dom0's extended configuration space there, and dom0 reaches segment 0x1 only through I/O ports, which serve segment 0 only (x86-pvh: vPCI needs the area registered, B.9.3)",
        );
        expect(at(r, mmcfg)).toBe('pcie1');
        expect(pv!.message).toBe(
            'pv1 is a PV guest with PCI devices, but with a PVH dom0 there is no pciback/pcifront path: passthrough works only to HVM guests (x86-pvh: CHANGELOG 4.21; SUPPORT.md lists passthrough with a PVH dom0 as missing)',
        );
        expect(r.result.domains[0]!.xlConfig).toEqual(['name = "pv1"', 'type = "pv"', 'pci = [ "0000:00:02.0" ]']);
    });

    it('keeps QEMU slots and reports a device Xen keeps given to a guest', async () => {
        const r = await run(
            BOX(`    rc-endpoint nic at 00:02.0 { bar 0 mem32 size 64K at 0xc000_0000  reset flr }
    rc-endpoint uart1 at 00:1e.0 { bar 0 mem32 size 4K at 0xc001_0000 }`, `    owns uart1\n    domain hvm1 { type hvm  assign nic as 00:02.0  assign uart1 }`),
            'x86-pvh',
        );
        expect(codes(r)).toEqual(['XEN-OWNED', 'HV-VSLOT-TAKEN']);
        expect(r.result.findings[1]!.message).toBe(
            'nic asks for guest slot 00:02.0 of hvm1, which QEMU keeps for its own devices (slots 0-3: host bridge, PIIX3, VGA, Xen platform device)',
        );
    });
});

// Devices behind one PCIe-to-PCI bridge reach the x86 IOMMU with the bridge's requester ID: the
// finding names that ID as the IOMMU does (VT-d source-id, AMD-Vi DeviceID), never a StreamID.
function legacyBox(iommu: string, domain: string): string {
    return `platform legacybox {
  arch x86_64
  memory ram at 0x10_0000 size 0xbfe0_0000
  ioapic ioapic0 at 0xfec0_0000 gsi-base 0 pins 24
  ${iommu}
  host-bridge pcie0 segment 0 {
    mcfg at 0xe000_0000 buses 0x00..0x3f
    window mem32 at 0xc000_0000 size 512M
    pcie-pci-bridge ppb0 at 00:1e.0 { secondary 0x05 subordinate 0x05
      pci-device legacy0 at 05:01.0 { bar 0 mem32 size 4K  reset flr }
      pci-device legacy1 at 05:02.0 { bar 0 mem32 size 4K  reset flr }
    }
  }
  xen {
    profile x86-pvh
    ${domain}
  }
}
`;
}

describe('a requester ID shared across domains on x86', () => {
    it('VT-d: XEN-REQUESTER-ID-SHARED names the source-ids of the context table (the bridge\'s own and its alias), once, at the assignment', async () => {
        const r = await run(legacyBox('iommu dmar0 vt-d at 0xfed9_0000 scope pcie0', 'domain hvm1 { memory 1G  assign legacy0 }'), 'x86-pvh');
        const f = only(r, 'XEN-REQUESTER-ID-SHARED');
        expect(f.severity).toBe('error');
        expect(f.message).toBe(
            "legacy0 and legacy1 share source-ids (requester IDs) 0xf0 and 0x500 in the VT-d context table of dmar0: the entries now translate for hvm1 (domid 1), so legacy1's DMA (owned by dom0) goes through hvm1 (domid 1)'s tables",
        );
        expect(at(r, f)).toBe('legacy0');
        expect(f.related.map((x) => x.message)).toEqual(['legacy1 uses source-ids (requester IDs) 0xf0 and 0x500 in the VT-d context table of dmar0']);
        expect(codes(r)).not.toContain('XEN-STREAMID-SHARED');
        // One cause, one finding: the shared entry is also why the two are one IOMMU group, so
        // no HV-GROUP-SPLIT repeats it.
        expect(codes(r)).toEqual(['XEN-REQUESTER-ID-SHARED']);
        expect(r.result.findings.map((x) => x.message).join('\n')).not.toMatch(/StreamID|SMMU|STE/);
        // Both with dom0: VT-d shares the context entry by design, nothing to report.
        const quiet = await run(legacyBox('iommu dmar0 vt-d at 0xfed9_0000 scope pcie0', 'domain hvm1 { memory 1G }'), 'x86-pvh');
        expect(codes(quiet)).not.toContain('XEN-REQUESTER-ID-SHARED');
    });

    it('AMD-Vi: the DeviceID of the device table', async () => {
        const r = await run(legacyBox('iommu ivhd0 amd-vi at 0xfd20_0000 scope pcie0', 'domain hvm1 { memory 1G  assign legacy0 }'), 'x86-pvh');
        expect(only(r, 'XEN-REQUESTER-ID-SHARED').message).toBe(
            "legacy0 and legacy1 share DeviceIDs (requester IDs) 0xf0 and 0x500 in the AMD-Vi device table of ivhd0: the entries now translate for hvm1 (domid 1), so legacy1's DMA (owned by dom0) goes through hvm1 (domid 1)'s tables",
        );
    });
});

describe('a device no x86 IOMMU unit covers', () => {
    const box = (scope: string) => `platform twobridges {
  arch x86_64
  memory ram at 0x10_0000 size 0xbfe0_0000
  ioapic ioapic0 at 0xfec0_0000 gsi-base 0 pins 24
  iommu dmar0 vt-d at 0xfed9_0000 scope ${scope}
  host-bridge pcie0 segment 0 {
    mcfg at 0xe000_0000 buses 0x00..0x3f
    window mem32 at 0xc000_0000 size 256M
    rc-endpoint a at 00:02.0 { bar 0 mem32 size 4K }
  }
  host-bridge pcie1 segment 1 {
    mcfg at 0xe400_0000 buses 0x00..0x3f
    window mem32 at 0xd000_0000 size 256M
    rc-endpoint b at 00:02.0 { bar 0 mem32 size 4K }
  }
  xen { profile x86-pvh }
}
`;

    it('XEN-NO-IOMMU-UNIT, not a StreamID code: the requester ID has no VT-d context entry', async () => {
        const r = await run(box('pcie0'), 'x86-pvh');
        const f = only(r, 'XEN-NO-IOMMU-UNIT');
        expect(f.message).toBe(
            'b (0001:00:02.0, requester ID 0x10) gets no VT-d context entry or AMD-Vi device-table entry: no VT-d/AMD-Vi unit has host bridge pcie1 in its scope; PHYSDEVOP_pci_device_add fails with -ENODEV, so Xen does not know the device, its DMA is blocked, and it cannot be assigned',
        );
        expect(at(r, f)).toBe('b');
        expect(codes(r)).not.toContain('XEN-NO-STREAMID');
        const covered = await run(box('pcie0 pcie1'), 'x86-pvh');
        expect(codes(covered)).not.toContain('XEN-NO-IOMMU-UNIT');
        expect(events(covered, 'iommu-context', { master: 'b' }).map((e) => e.args.rid)).toEqual(['0x10']);
    });
});
