// Xen domUs on Arm: guest holes and virtual BARs, virtual slots, the xl.cfg lines and xenstore
// entries, and the refusals of each profile (DOMAIN.md B.6.4, B.8.2-B.8.4, B.12 #40-#46).
import { describe, expect, it } from 'vitest';
import { at, codes, events, expectInOrder, only, run } from './helpers.js';

const SOC = `
  arch arm64
  memory dram at 0x80_0000_0000 size 8G
  its gits0 at 0x801_0002_0000 device-id-bits 20
  smmu smmu0 v3 at 0x4000_0000 stream-id-bits 16
  uart uart0 at 0x402_0000 size 4K`;

const PCIE0 = `
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 32M  bus-range 0x00..0x1f
    window mem32 at 0x4000_0000 size 256M
    window mem64 prefetch at 0x80_0000_0000 size 16G
    iommu-map rid 0x0 count 0x2000 -> smmu0 0x0
    msi-map rid 0x0 count 0x2000 -> gits0 0x0
    root-port rp0 at 00:01.0 {
      acs sv rr cr uf
      endpoint nic0 at 01:00.0 {
        bar 0 mem64 prefetch size 1M at 0x80_0000_0000
        bar 2 mem32 size 16K at 0x4000_0000
        bar 4 io size 32
        rom size 64K at 0x4010_0000
        msix entries 8 table bar 2 offset 0x0 pba bar 2 offset 0x2000
        reset flr
      }
    }
    root-port rp1 at 00:02.0 {
      acs sv rr cr uf
      endpoint small0 at 02:00.0 { bar 0 mem32 size 256 at 0x4020_0100  reset flr }
    }
    root-port rp2 at 00:03.0 {
      acs sv rr cr uf
      endpoint mf0 at 03:00.0 { multifunction  bar 0 mem32 size 16K at 0x4030_0000  reset flr }
      endpoint mf1 at 03:00.1 { bar 0 mem32 size 16K at 0x4030_4000  reset flr }
    }
  }`;

function board(xen: string, extra = '', hostBridges = PCIE0): string {
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

const GUEST1 = `    domain guest1 {
      memory 1G
      assign nic0 as 00:05.0
      assign small0
    }`;

describe('arm-design guests', () => {
    it('places virtual BARs in the holes, keeps page offsets, and writes xl.cfg and xenstore', async () => {
        const r = await run(board(GUEST1), 'arm-design');
        expect(r.result.findings).toEqual([]);
        const g = r.result.domains.find((d) => d.name === 'guest1')!;
        expect(g).toMatchObject({ domid: 1, running: true, devices: ['small0', 'nic0'], guestSbdf: { nic0: '0000:00:05.0', small0: '0000:00:00.0' } });
        const bars = Object.fromEntries(g.guestBars.map((b) => [`${b.device} ${b.bar}`, b.guest === undefined ? b.note : `0x${b.guest.toString(16)} ${b.hole}`]));
        expect(bars).toEqual({
            'nic0 0': '0x100000000 high',
            'nic0 2': '0x23010000 low',
            'nic0 4': 'I/O BAR reads as 0 in the guest (Arm vPCI)',
            'nic0 rom': '0x23000000 low',
            // 256-byte BAR at host 0x40200100: its own guest page, same offset in the page.
            'small0 0': '0x23014100 low',
        });
        expect(g.holes).toEqual([
            { which: 'low', base: 0x2300_0000n, size: 0x1000_0000n, used: 0x15000n, source: 'default' },
            { which: 'high', base: 0x1_0000_0000n, size: 0x1_0000_0000n, used: 0x10_0000n, source: 'default' },
        ]);
        expect(g.xlConfig).toEqual(['name = "guest1"', 'memory = 1024', 'pci = [ "0000:01:00.0,vslot=0x5", "0000:02:00.0" ]']);
        expect(g.xenstore.slice(0, 9)).toEqual([
            { path: '/local/domain/0/backend/pci/1/0/key-0', value: '0000:01:00.0' },
            { path: '/local/domain/0/backend/pci/1/0/dev-0', value: '0000:01:00.0' },
            { path: '/local/domain/0/backend/pci/1/0/vdevfn-0', value: '0x28' },
            { path: '/local/domain/0/backend/pci/1/0/opts-0', value: 'msitranslate=0,power_mgmt=0,permissive=0,rdm_policy=relaxed' },
            { path: '/local/domain/0/backend/pci/1/0/state-0', value: '1' },
            { path: '/local/domain/0/backend/pci/1/0/vbar-0-0', value: 'guest=0x100000000,host=0x8000000000,size=0x100000' },
            { path: '/local/domain/0/backend/pci/1/0/vbar-0-2', value: 'guest=0x23010000,host=0x40000000,size=0x4000' },
            { path: '/local/domain/0/backend/pci/1/0/vbar-0-rom', value: 'guest=0x23000000,host=0x40100000,size=0x10000' },
            { path: '/local/domain/0/backend/pci/1/0/num_devs', value: '2' },
        ]);
        expectInOrder(r, [
            '[2 start] xl-create domain=guest1 domid=1 pci=2',
            'XEN_DOMCTL_assign_device domain="guest1 (domid 1)" machine_sbdf=0000:01:00.0 device=nic0 flags=XEN_DOMCTL_DEV_RDM_RELAXED result=0',
            'smmu-context smmu=smmu0 domain="guest1 (domid 1)" vmid=2',
            'smmu-ste smmu=smmu0 sid=0x100 master=nic0 domain="guest1 (domid 1)" config="stage-2 translate, VMID 2"',
            'PHYSDEVOP_map_sbdf domain="guest1 (domid 1)" sbdf=0000:01:00.0 gsbdf=0000:00:05.0 device=nic0',
            // The guest's virtual ITS sees the guest RID as DeviceID.
            'its-assign-device its=gits0 deviceId=0x100 domain="guest1 (domid 1)" vDeviceID=0x28 device=nic0',
            'XEN_DOMCTL_assign_device domain="guest1 (domid 1)" machine_sbdf=0000:02:00.0 device=small0',
            'guest-dt-node domain="guest1 (domid 1)" node=pcie@10000000 compatible=pci-host-ecam-generic ecam=0x10000000-0x1fffffff mem=0x23000000-0x32ffffff prefetch=0x100000000-0x1ffffffff',
            'XEN_DOMCTL_memory_mapping domain="guest1 (domid 1)" what="nic0 BAR 0" guest=0x100000000-0x1000fffff host=0x8000000000 size=1M by=libxl',
            'XEN_DOMCTL_memory_mapping domain="guest1 (domid 1)" what="small0 BAR 0" guest=0x23014100-0x230141ff host=0x40200100 size=0x100 by=libxl',
            'xenstore-write path=/local/domain/0/backend/pci/1/0/key-0 value=0000:01:00.0',
        ]);
        expect(r.result.owner).toMatchObject({ nic0: 'guest1', small0: 'guest1', mf0: 'dom0' });
    });

    it('reports BARs that do not fit the default low hole (#43)', async () => {
        const r = await run(
            board(`    domain guest1 { assign big0 }`, '', PCIE0.replace('root-port rp2', 'root-port rp3 at 00:04.0 { acs sv rr cr uf  endpoint big0 at 04:00.0 { bar 0 mem64 size 512M at 0x80_4000_0000  reset flr } }\n    root-port rp2')),
            'arm-design',
        );
        const f = only(r, 'XEN-GUEST-HOLE');
        expect(f.message).toBe(
            "guest1's 32-bit and non-prefetchable BARs need 512M but its low MMIO hole 0x23000000-0x32ffffff (256M, the Arm guest layout default) has no room for big0 BAR 0 (512M)",
        );
        expect(at(r, f)).toBe('big0');
    });

    it('reports a written hole that overlaps the guest layout (#43)', async () => {
        const r = await run(board(`    domain guest1 { memory 1G  mmio-hole low at 0x3800_0000 size 256M  assign small0 }`), 'arm-design');
        const found = r.result.findings.filter((f) => f.code === 'XEN-GUEST-HOLE').map((f) => f.message);
        expect(found).toEqual([
            "guest1's low MMIO hole 0x38000000-0x47ffffff overlaps grant table (0x38000000-0x38ffffff) of the Arm guest layout: virtual BARs placed there clobber it",
            "guest1's low MMIO hole 0x38000000-0x47ffffff overlaps magic pages (0x39000000-0x39ffffff) of the Arm guest layout: virtual BARs placed there clobber it",
            "guest1's low MMIO hole 0x38000000-0x47ffffff overlaps RAM0 (0x40000000-0x7fffffff) of the Arm guest layout: virtual BARs placed there clobber it",
        ]);
        expect(at(r, r.result.findings[0])).toBe('mmio-hole low at 0x3800_0000 size 256M');
    });

    it('reports a slot given twice and a guest bus with no free slot (#42)', async () => {
        const taken = await run(board(`    domain guest1 { assign nic0 as 00:05.0  assign small0 as 00:05.0 }`), 'arm-design');
        const t = only(taken, 'HV-VSLOT-TAKEN');
        expect(t.message).toBe('small0 asks for guest slot 00:05.0 of guest1, which nic0 already has');
        expect(at(taken, t)).toBe('00:05.0');
        expect(taken.result.owner.small0).toBe('dom0');

        const vfs = Array.from({ length: 33 }, (_, i) => `vfnic.vf[${i}]`).join(' ');
        const full = await run(
            board(
                `    domain guest1 { assign ${vfs} }`,
                '',
                PCIE0.replace(
                    'root-port rp2',
                    'root-port rp3 at 00:04.0 { acs sv rr cr uf  endpoint vfnic at 04:00.0 { bar 0 mem64 size 16K at 0x80_4000_0000  reset flr  sriov total-vfs 40 num-vfs 33 offset 0x8 stride 1 { vf-bar 0 mem64 prefetch size 16K } } }\n    root-port rp2',
                ),
            ),
            'arm-design',
        );
        const f = only(full, 'HV-VSLOT-FULL');
        expect(f.message).toBe("vfnic.vf[32] finds no free slot on guest1's guest bus 0: all 32 slots are taken (33 devices)");
        expect(at(full, f)).toBe('vfnic.vf[32]');
        expect(full.result.domains[0]!.devices).toHaveLength(32);
        expect(full.result.owner['vfnic.vf[32]']).toBe('dom0');
    });

    it('passes all functions of a slot together with all-functions, and needs a vslot for it (#46)', async () => {
        const ok = await run(board(`    domain guest1 { assign mf0 as 00:04.0 all-functions }`), 'arm-design');
        expect(ok.result.findings).toEqual([]);
        expect(ok.result.domains[0]!.guestSbdf).toEqual({ mf0: '0000:00:04.0', mf1: '0000:00:04.1' });
        expect(ok.result.domains[0]!.xlConfig[1]).toBe('pci = [ "0000:03:00.*,vslot=0x4" ]');

        const noSlot = await run(board(`    domain guest1 { assign mf0 all-functions }`), 'arm-design');
        const f = only(noSlot, 'XEN-ALL-FUNCTIONS');
        expect(f.message).toBe('mf0 is passed with all-functions (xl `F=*`) but without a virtual slot: libxl requires a vslot for a multi-function assignment');
        expect(noSlot.result.owner.mf0).toBe('dom0');

        const bound = await run(board(`    dom0 { uses mf1 }\n    domain guest1 { assign mf0 as 00:04.0 all-functions }`), 'arm-design');
        expect(only(bound, 'XEN-ALL-FUNCTIONS').message).toBe(
            "mf0 is passed with all-functions, but mf1 is still bound to a dom0 driver: libxl's pci_multifunction_check requires every function to be bound to pciback",
        );
    });

    it('reports a multi-function device without ACS split across domains (#34)', async () => {
        // mf0 and mf1 lack ACS: Linux groups the functions together (here with rp2 too: on
        // device-tree Arm, Linux 6.1 leaves the ports' ACS off at boot), so the split is a group split.
        const r = await run(board(`    domain guest1 { assign mf0 }`), 'arm-design');
        expect(codes(r)).toEqual(['HV-GROUP-SPLIT']);
        expect(r.result.findings[0]!.message).toBe(
            'IOMMU group 2 is split: mf0 goes to guest1 (domid 1) but mf1 stays with dom0; peer-to-peer DMA inside a group bypasses the IOMMU, so the domains are not isolated; rp2 has ACS, but Linux 6.1 on device-tree Arm enables it only after the boot scan (`acs deferred`, the default), so the group spans the port; write `linux { acs enabled }` if the kernel enables ACS during the scan (arm-design: Xen on Arm does not know IOMMU groups, so nothing stops this split)',
        );
        // With ACS enabled and only mf0 implementing it, Linux gives each function its own group,
        // but mf1 can still reach mf0 inside the device.
        const acsEnabled = '  linux { acs enabled }';
        const mf0Acs = PCIE0.replace('multifunction  bar 0', 'multifunction  acs sv rr cr uf  bar 0');
        const half = await run(board(`    domain guest1 { assign mf0 }`, acsEnabled, mf0Acs), 'arm-design');
        const f = only(half, 'HV-MF-SPLIT');
        expect(f.message).toBe(
            'mf0 goes to guest1 (domid 1) but mf1, another function of the same multi-function device, stays with dom0; mf1 has no ACS, so the functions reach each other inside the device',
        );
        expect(at(half, f)).toBe('mf0');
        const withAcs = await run(board(`    domain guest1 { assign mf0 }`, acsEnabled, mf0Acs.replace('endpoint mf1 at 03:00.1 {', 'endpoint mf1 at 03:00.1 { acs sv rr cr uf ')), 'arm-design');
        expect(codes(withAcs)).toEqual([]);
    });

    it('refuses guests when pci-passthrough is off or the IOMMU is off (#40)', async () => {
        const off = await run(board(`    pci-passthrough off\n${GUEST1}`), 'arm-design');
        expect(only(off, 'XEN-NO-VPCI').message).toBe('guest1 is given PCI devices but Xen runs with `pci-passthrough off`: Xen on Arm does not set up PCI passthrough (arm-design)');
        expect(off.result.owner.nic0).toBe('dom0');
        const noIommu = await run(board(`    iommu off\n${GUEST1}`), 'arm-design');
        expect(codes(noIommu)).toEqual(['XEN-IOMMU-OFF']);
        expect(events(noIommu, 'smmu-ste')).toEqual([]);
    });

    it('cannot give PCI devices to dom0less domains', async () => {
        const r = await run(board(`    domain early dom0less { assign small0 }`), 'arm-design');
        const f = only(r, 'XEN-DOM0LESS-PCI');
        expect(f.message).toBe(
            'dom0less domain early is given small0, but Xen builds dom0less domains at boot, before dom0 reports any PCI device (PHYSDEVOP_pci_device_add): the device is unknown then and is not assigned',
        );
        expectInOrder(r, ['dom0less-create domain=early domid=1', 'dom0-build', 'PHYSDEVOP_pci_device_add']);
        expect(r.result.domains[0]!.running).toBe(true);
    });
});

describe('arm-upstream guests', () => {
    it('reports that domU vPCI is off, ignores vslots, and refuses functions other than 0 (#40 #41)', async () => {
        const r = await run(board(`    domain guest1 { memory 1G  assign nic0 as 00:05.0  assign small0 mf1 }`), 'arm-upstream');
        expect(codes(r)).toEqual(['XEN-NO-VPCI', 'XEN-VSLOT-IGNORED', 'XEN-FUNCTION-NOT-ZERO', 'XEN-GUEST-BAR-PAGE-OFFSET']);
        const [vpci, vslot, fn0, offset] = r.result.findings;
        expect(vpci!.message).toBe(
            'guest1 is given PCI devices, but domU PCI passthrough is not functional: vPCI is compiled but has_vpci() is hard-wired false for domUs, so the guest gets no virtual configuration space and no MSIs; `pci-passthrough` is also off (the default) (arm-upstream: domU vPCI is not enabled in Xen)',
        );
        expect(at(r, vpci)).toBe('nic0 as 00:05.0');
        expect(vslot!.message).toBe("nic0 is written at guest slot 00:05.0, but Xen chooses the slot itself (arm-upstream: vpci.c assign_virtual_sbdf takes the lowest free slot and ignores xl's vslot)");
        expect(fn0!.message).toBe('mf1 (0000:03:00.1) is function 1 of its device: Xen passes only function 0 to a domU (arm-upstream: vpci.c assign_virtual_sbdf returns -EOPNOTSUPP, multi-function devices are not supported)');
        expect(at(r, fn0)).toBe('mf1');
        // The guest kernel places the 256-byte BAR at a 256-byte boundary: page offset 0 ≠ host 0x100.
        expect(offset!.message).toBe(
            'guest1 places small0 BAR 0 at 0x23004000 (page offset 0x0) but the host BAR is at 0x40200100 (page offset 0x100): vPCI refuses the mapping with -EINVAL when the guest turns memory decoding on (arm-upstream: header.c modify_bars)',
        );
        expect(r.result.domains[0]!.guestSbdf).toEqual({ nic0: '0000:00:00.0', small0: '0000:00:01.0' });
        expect(events(r, 'XEN_DOMCTL_assign_device', { device: 'mf1' })[0]!.args.result).toBe('-EOPNOTSUPP');
        expect(events(r, 'vpci-virtual-sbdf', { device: 'nic0' })[0]!.args.guest).toBe('0000:00:00.0');
        // No ROM for the guest upstream; vPCI maps what the guest placed.
        expect(r.result.domains[0]!.guestBars.find((b) => b.bar === 'rom')!.note).toBe('expansion ROM hidden from the guest (vPCI)');
        expect(events(r, 'p2m-map', { what: 'nic0 BAR 2' })[0]!.args).toMatchObject({ guest: '0x23000000-0x23003fff', host: '0x40000000' });
    });

    it('makes a bridge alias an error once the device is assigned (#31)', async () => {
        const r = await run(
            board(
                `    domain guest1 { assign legacy0 }`,
                '',
                `
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x0
    pcie-pci-bridge ppb0 at 00:03.0 {
      secondary 0x01 subordinate 0x01
      pci-device legacy0 at 01:01.0 { bar 0 mem32 size 4K  reset flr }
    }
  }`,
            ),
            'arm-upstream',
        );
        const aliases = r.result.findings.filter((f) => f.code === 'XEN-BRIDGE-ALIAS');
        expect(aliases.map((f) => f.severity)).toEqual(['warning', 'error']);
        expect(at(r, aliases[1])).toBe('legacy0');
    });
});
