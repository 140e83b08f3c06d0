// Who owns what: devices Xen keeps, dom0's drivers, the assignable database (quarantine in
// dom_io), devices given twice, IOMMU groups and StreamIDs split across domains, resets and
// shared pages (DOMAIN.md B.8.2, B.8.4, B.12 #16 #30 #32 #45 #47 #49; seed 002).
import { describe, expect, it } from 'vitest';
import { at, codes, events, expectInOrder, only, run } from './helpers.js';

const BOARD = (xen: string, extra = '', fns = '') => `platform board "test board" {
  arch arm64
  memory dram at 0x80_0000_0000 size 8G
  its gits0 at 0x801_0002_0000 device-id-bits 20
  smmu smmu0 v3 at 0x4000_0000 stream-id-bits 16
  uart uart0 at 0x402_0000 size 4K
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x0
    msi-map rid 0x0 count 0x1000 -> gits0 0x0
    root-port rp0 at 00:01.0 { acs sv rr cr uf  endpoint nic0 at 01:00.0 { bar 0 mem32 size 16K at 0x4000_0000  msi vectors 2  reset flr } }
    root-port rp1 at 00:02.0 { acs sv rr cr uf  endpoint disk0 at 02:00.0 { bar 0 mem32 size 16K at 0x4010_0000  reset flr } }
    rc-endpoint dbg0 at 00:10.0 { bar 0 mem32 size 4K at 0x4020_0000 }
${fns}
  }
  xen {
    owns uart0 dbg0
${xen}
  }
${extra}
}
`;

describe('devices Xen keeps (#45)', () => {
    it('refuses to give them to a guest or to dom0', async () => {
        const r = await run(BOARD(`    dom0 { uses dbg0 }\n    domain guest1 { assign dbg0 }`), 'arm-design');
        expect(codes(r)).toEqual(['XEN-OWNED', 'XEN-OWNED']);
        const [dom0, guest] = r.result.findings;
        expect(dom0!.message).toBe('dom0 uses dbg0, which Xen keeps for itself (withheld from dom0)');
        expect(at(r, dom0)).toBe('dbg0');
        expect(guest!.message).toBe('guest1 is given dbg0, which Xen keeps for itself: XEN_DOMCTL_assign_device fails with -EBUSY (owned by DomXEN)');
        expect(guest!.related.map((x) => x.message)).toEqual(['Xen keeps dbg0 here']);
        expect(r.result.owner.dbg0).toBe('xen');
        expectInOrder(r, ['xen-keeps device=uart0 kind=uart', 'xen-keeps device=dbg0 kind="PCI function" why="owns (used by DOMID_XEN)"', 'PHYSDEVOP_pci_device_add sbdf=0000:00:10.0 device=dbg0']);
        expect(events(r, 'smmu-ste', { master: 'dbg0' })).toEqual([]);
    });
});

describe('dom0 drivers and libxl', () => {
    it('refuses a device dom0 uses unless it is seized (libxl "not assignable")', async () => {
        const r = await run(BOARD(`    dom0 { uses nic0 }\n    domain guest1 { assign nic0 }`), 'arm-design');
        const f = only(r, 'XEN-DEVICE-IN-USE');
        expect(f.message).toBe(
            "guest1 is given nic0, but dom0's driver is bound to it (dom0 uses it) and it is not assignable: libxl refuses (\"not assignable\"); make it assignable first (`assignable`, `xl pci-assignable-add`) or add `seize`",
        );
        expect(at(r, f)).toBe('nic0');
        expect(f.related[0]!.message).toBe('dom0 uses nic0');
        expect(r.result.owner.nic0).toBe('dom0');

        const seized = await run(BOARD(`    dom0 { uses nic0 }\n    domain guest1 { assign nic0 seize }`), 'arm-design');
        expect(seized.result.findings).toEqual([]);
        expectInOrder(seized, [
            // dom0's driver set the device's MSIs up at boot …
            'its-mapd its=gits0 deviceId=0x100 device=nic0 events=2 itt_size=0 domain=dom0 valid=1',
            '[2 start] xl-create domain=guest1',
            'libxl-seize device=nic0 domain=guest1 driver=dom0',
            'driver-unbind device=nic0 driver=dom0 domain=dom0',
            // … and lets them go when libxl unbinds it.
            'its-mapd its=gits0 deviceId=0x100 device=nic0 domain=dom0 valid=0',
            'pciback-bind device=nic0',
            'XEN_DOMCTL_assign_device domain=dom_io machine_sbdf=0000:01:00.0 device=nic0 flags=XEN_DOMCTL_DEV_RDM_RELAXED via=seize result=0',
            'smmu-ste smmu=smmu0 sid=0x100 master=nic0 domain=dom_io config="abort (quarantine)"',
            'XEN_DOMCTL_assign_device domain="guest1 (domid 1)" machine_sbdf=0000:01:00.0 device=nic0',
        ]);
        expect(seized.result.domains[0]!.xlConfig[1]).toBe('pci = [ "0000:01:00.0,seize=1" ]');
    });

    it('gives a device to one running guest only (#47)', async () => {
        const r = await run(BOARD(`    domain guest1 { assign nic0 }\n    domain guest2 { assign nic0 }`), 'arm-design');
        const f = only(r, 'HV-ASSIGNED-TWICE');
        expect(f.message).toBe('guest2 is given nic0, which guest1 (domid 1) already holds: XEN_DOMCTL_assign_device accepts a device only from dom0 or dom_io (-EBUSY)');
        expect(f.loc!.start.line).toBe(r.text.split('\n').findIndex((l) => l.includes('domain guest2')));
        expect(f.related[0]!.message).toBe('assigned to guest1 here');
        expect(r.result.domains.map((d) => d.devices)).toEqual([['nic0'], []]);
    });
});

describe('the assignable database', () => {
    it('quarantines `assignable` devices at boot and lists them', async () => {
        const r = await run(BOARD(`    assignable disk0`), 'arm-design');
        expect(r.result.findings).toEqual([]);
        expectInOrder(r, [
            'PHYSDEVOP_pci_device_add sbdf=0000:02:00.0 device=disk0',
            'pciback-bind device=disk0 sbdf=0000:02:00.0 why="named for passthrough (xen-pciback.hide)"',
            'xl-pci-assignable-add device=disk0 sbdf=0000:02:00.0',
            'XEN_DOMCTL_assign_device domain=dom_io machine_sbdf=0000:02:00.0 device=disk0 flags=XEN_DOMCTL_DEV_RDM_RELAXED via="xl pci-assignable-add" result=0',
            'smmu-ste smmu=smmu0 sid=0x200 master=disk0 domain=dom_io config="abort (quarantine)"',
        ]);
        expect(r.result.assignable).toEqual(['disk0']);
        expect(r.result.owner.disk0).toBe('dom_io');
    });

    it('plays assignable-add and -remove, and refuses them in the wrong state', async () => {
        const r = await run(
            BOARD(
                `    domain guest1 { assign disk0 }`,
                `  scenario s {
    boot
    assignable-add nic0
    assignable-add nic0
    start guest1
    assignable-remove disk0
    assignable-remove nic0
  }`,
            ),
            'arm-design',
            { scenario: 's' },
        );
        expect(r.result.findings.map((f) => [f.code, f.severity, f.message, at(r, f)])).toEqual([
            ['XEN-ASSIGNABLE-STATE', 'warning', 'xl pci-assignable-add nic0: nic0 is already assignable (quarantined in dom_io)', 'assignable-add nic0'],
            ['XEN-ASSIGNABLE-STATE', 'error', 'xl pci-assignable-remove disk0: disk0 is still assigned to guest1 (domid 1); libxl refuses until it is detached', 'assignable-remove disk0'],
        ]);
        expectInOrder(r, [
            '[2 assignable-add] xl-pci-assignable-add device=nic0',
            'driver-unbind device=nic0 driver=dom0',
            'its-mapd its=gits0 deviceId=0x100 device=nic0 domain=dom0 valid=0',
            'XEN_DOMCTL_assign_device domain=dom_io',
            '[6 assignable-remove] xl-pci-assignable-remove device=nic0 sbdf=0000:01:00.0 rebind=dom0',
            'XEN_DOMCTL_deassign_device domain=dom_io machine_sbdf=0000:01:00.0 device=nic0 to=dom0 result=0',
            'smmu-ste smmu=smmu0 sid=0x100 master=nic0 domain=dom0',
            'pciback-unbind device=nic0',
            'driver-bind device=nic0 driver=dom0 domain=dom0',
            'its-mapd its=gits0 deviceId=0x100 device=nic0 events=2 itt_size=0 domain=dom0 valid=1',
        ]);
        expect(r.result.owner).toMatchObject({ nic0: 'dom0', disk0: 'guest1' });
    });
});

describe('isolation between domains', () => {
    it('reports an IOMMU group split between a guest and dom0 (#32 #35)', async () => {
        // rp0 and rp1 as two functions of one multi-function root port without ACS: Linux puts
        // both ports and everything below them in one group (DOMAIN.md B.2.1.4), group 0 since
        // bridges are probed first.
        const sharedPorts = (xen: string) =>
            BOARD(xen)
                .replace('root-port rp0 at 00:01.0 { acs sv rr cr uf ', 'root-port rp0 at 00:01.0 { multifunction ')
                .replace('root-port rp1 at 00:02.0 { acs sv rr cr uf ', 'root-port rp1 at 00:01.1 { ');
        const r = await run(sharedPorts(`    domain guest1 { assign nic0 }`), 'arm-upstream');
        expect(r.real.input.groups[0]!.members).toEqual(['rp0', 'rp1', 'nic0', 'disk0']);
        const f = only(r, 'HV-GROUP-SPLIT');
        expect(f.message).toBe(
            'IOMMU group 0 is split: nic0 goes to guest1 (domid 1) but disk0 stays with dom0; peer-to-peer DMA inside a group bypasses the IOMMU, so the domains are not isolated (arm-upstream: Xen on Arm does not know IOMMU groups, so nothing stops this split)',
        );
        expect(at(r, f)).toBe('nic0');
        // Bridges of the group (rp0, rp1) do not count; quarantine does not either.
        const quarantined = await run(sharedPorts(`    assignable disk0\n    domain guest1 { assign nic0 }`), 'arm-design');
        expect(codes(quarantined)).toEqual([]);
    });

    it('reports a StreamID shared with a device of another domain as an error (#30)', async () => {
        const r = await run(
            BOARD(`    domain guest1 { assign legacy0 }`, '', `    pcie-pci-bridge ppb0 at 00:03.0 { secondary 0x05 subordinate 0x05
      pci-device legacy0 at 05:01.0 { bar 0 mem32 size 4K at 0x4030_0000  reset flr }
      pci-device legacy1 at 05:02.0 { bar 0 mem32 size 4K at 0x4030_1000  reset flr }
    }`),
            'arm-design',
        );
        const shared = r.result.findings.filter((f) => f.code === 'XEN-STREAMID-SHARED');
        expect(shared.map((f) => f.severity)).toEqual(['warning', 'error']);
        expect(at(r, shared[1])).toBe('legacy0');
        expect(shared[1]!.message).toBe(
            "legacy0 and legacy1 share StreamID 0x500 on smmu0: the entry now translates for guest1 (domid 1), so legacy1's DMA (owned by dom0) goes through guest1 (domid 1)'s tables (Linux's SMMUv3 driver refuses the second master; one STE cannot translate for two masters)",
        );
    });

    it('warns about a device without a usable reset (#49) and a BAR page shared with dom0 (#16)', async () => {
        const r = await run(
            // ACS enabled as ports are added (an ACPI boot, or a kernel that requests ACS before
            // the scan): tiny0 and tiny1 have ACS, so each is its own group. With the device-tree
            // default (`acs deferred`, Linux 6.1) they would share rp2's group.
            BOARD(`    domain guest1 { assign tiny0 }`, '  linux { acs enabled }', `    root-port rp2 at 00:03.0 { acs sv rr cr uf
      endpoint tiny0 at 03:00.0 { multifunction  bar 0 mem32 size 256 at 0x4030_0000  acs sv rr cr uf }
      endpoint tiny1 at 03:00.1 { bar 0 mem32 size 256 at 0x4030_0100  acs sv rr cr uf }
    }`),
            'arm-design',
        );
        expect(codes(r)).toEqual(['HV-NO-RESET', 'HV-BAR-PAGE-SHARED']);
        const [reset, page] = r.result.findings;
        expect(reset!.severity).toBe('warning');
        expect(reset!.message).toBe(
            'tiny0 goes to guest1 without a usable reset: it has no FLR and no PM reset; a bus reset would also reset tiny1 on bus 03, so Linux refuses it; its state (DMA setup, keys, buffers) carries over to the next owner',
        );
        expect(page!.message).toBe(
            'tiny0 BAR 0 (0x40300000, 256 bytes) shares the 4 KiB page 0x40300000 with tiny1 BAR 0, which stays with dom0: mapping the page gives guest1 (domid 1) access to both',
        );
        expect(at(r, page)).toBe('tiny0');
    });
});
