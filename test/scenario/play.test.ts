// Playing scenarios: each step's effect in the trace, the scenario findings at the step that
// fails (with the step's location), and the implicit scenario.
import { describe, expect, it } from 'vitest';
import { at, codes, events, expectInOrder, only, run } from '../hypervisor/helpers.js';

const BOARD = (xen: string, scenario = '') => `platform board "test board" {
  arch arm64
  memory dram at 0x80_0000_0000 size 8G
  its gits0 at 0x801_0002_0000 device-id-bits 20
  smmu smmu0 v3 at 0x4000_0000 stream-id-bits 16
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    window mem64 prefetch at 0x80_0000_0000 size 16G
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x0
    msi-map rid 0x0 count 0x1000 -> gits0 0x0
    // Firmware-assigned BARs below bridges come with the bridges' windows written too.
    root-port rp0 at 00:01.0 {
      acs sv rr cr uf
      window mem64 prefetch 0x80_0000_0000..0x80_03ff_ffff
      endpoint nic0 at 01:00.0 {
        bar 0 mem64 prefetch size 64K at 0x80_0000_0000
        reset flr
        sriov total-vfs 8 num-vfs 2 offset 0x8 stride 1 { vf-bar 0 mem64 prefetch size 16K at 0x80_0010_0000 }
      }
    }
    root-port rp1 at 00:02.0 { acs sv rr cr uf  window mem32 0x4000_0000..0x400f_ffff  endpoint disk0 at 02:00.0 { bar 0 mem32 size 16K at 0x4000_0000  reset flr } }
    root-port rp2 at 00:03.0 { acs sv rr cr uf  window mem32 0x4010_0000..0x401f_ffff
      endpoint pair0 at 03:00.0 { multifunction  acs sv rr cr uf  bar 0 mem32 size 16K at 0x4010_0000  reset bus }
      endpoint pair1 at 03:00.1 { acs sv rr cr uf  bar 0 mem32 size 16K at 0x4010_4000 }
    }
  }
  // ACS enabled as Linux adds the ports (an ACPI boot, or a kernel that requests ACS before the
  // scan), so every port, the PFs' VFs and the pair's functions are isolated groups. With the
  // device-tree default (acs deferred, Linux 6.1) each port would share a group with
  // everything below it.
  linux { acs enabled }
  xen {
${xen}
  }
${scenario}
}
`;

describe('scenario state', () => {
    it('reports steps that do not fit the state at the step, and plays on', async () => {
        const r = await run(
            BOARD(
                `    domain guest1 { assign disk0 }`,
                `  scenario s {
    start guest1
    boot
    boot
    start guest1
    start guest1
    hot-plug nic0 to guest2
    destroy guest1
    destroy guest1
    deassign nic0 from guest1
    start nobody
  }`,
            ).replace('    domain guest1', '    domain guest2 { }\n    domain guest1'),
            'arm-design',
            { scenario: 's' },
        );
        expect(r.result.findings.map((f) => [f.code, at(r, f), f.message])).toEqual([
            ['SCN-NOT-BOOTED', 'start guest1', 'start: nothing is booted yet; the scenario needs a `boot` step first'],
            ['SCN-ALREADY-BOOTED', 'boot', 'boot: the platform is already booted (step 2)'],
            ['SCN-GUEST-STATE', 'start guest1', 'start guest1: guest1 is already running (domid 1)'],
            ['SCN-GUEST-STATE', 'hot-plug nic0 to guest2', 'hot-plug nic0 to guest2: guest2 is not running (xl pci-attach needs a running domain; use `assign` to add it to the configuration)'],
            ['SCN-GUEST-STATE', 'destroy guest1', 'destroy guest1: guest1 is not running'],
            ['SCN-NOT-ASSIGNED', 'deassign nic0 from guest1', 'deassign nic0 from guest1: guest1 does not have nic0'],
            // Unresolved in the language (LANG-UNRESOLVED); the simulation still plays on.
            ['SCN-GUEST-STATE', 'start nobody', 'start nobody: no guest named nobody'],
        ]);
        expect(events(r, 'xl-create').map((e) => e.step)).toEqual([4]);
        expect(r.result.trace.every((e) => e.loc !== undefined)).toBe(true);
    });

    it('points a rule finding at the step and relates the configuration', async () => {
        const r = await run(BOARD(`    dom0 { uses disk0 }\n    domain guest1 { assign disk0 }`, 'scenario s { boot  start guest1 }'), 'arm-design', { scenario: 's' });
        const f = only(r, 'XEN-DEVICE-IN-USE');
        expect(at(r, f)).toBe('start guest1');
        expect(f.related.map((x) => [x.message, x.loc.start.line])).toEqual([
            ['configured here', r.text.split('\n').findIndex((l) => l.includes('domain guest1'))],
            ['dom0 uses disk0', r.text.split('\n').findIndex((l) => l.includes('dom0 { uses disk0 }'))],
        ]);
    });

    it('names an unknown scenario and plays the implicit one', async () => {
        const r = await run(BOARD(`    domain guest1 { assign disk0 }`, 'scenario s { boot }'), 'arm-design', { scenario: 'nope' });
        const f = only(r, 'SCN-UNKNOWN');
        expect(f.message).toBe('No scenario named nope in platform board (it has s); the implicit scenario (boot, start every guest) is played instead');
        expect(r.result.scenario).toBe('(implicit)');
        expect(r.result.owner.disk0).toBe('guest1');
    });
});

describe('implicit scenario', () => {
    it('boots, enables the declared VFs and starts every guest, with findings at the configuration', async () => {
        const r = await run(BOARD(`    domain guest1 { assign nic0.vf[1] }\n    domain guest2 { assign nic0.vf[1] }`), 'arm-design');
        expect(r.result.trace.map((e) => `${e.step} ${e.stepKind}`).filter((s, i, all) => all.indexOf(s) === i)).toEqual(['1 boot', '2 enable-sriov', '3 start', '4 start']);
        const f = only(r, 'HV-ASSIGNED-TWICE');
        expect(at(r, f)).toBe('nic0.vf[1]');
        expect(f.loc!.start.line).toBe(r.text.split('\n').findIndex((l) => l.includes('domain guest2')));
        expect(r.result.owner['nic0.vf[1]']).toBe('guest1');
        expect(r.result.domains[0]!.guestSbdf).toEqual({ 'nic0.vf[1]': '0000:00:00.0' });
    });
});

describe('steps', () => {
    it('hot-plugs and hot-unplugs: pci-attach, deassign into quarantine, reset, xenstore', async () => {
        const r = await run(
            BOARD(`    domain guest1 { assign disk0 }`, 'scenario s { boot  start guest1  hot-plug nic0 to guest1 as 00:07.0  hot-unplug disk0 from guest1  assign nic0.vf[0] to guest1  reset nic0 }'),
            'arm-design',
            { scenario: 's' },
        );
        // The written `boot` enabled the declared num-vfs 2, so nic0.vf[0] exists to be assigned.
        expect(codes(r)).toEqual(['HV-RESET-SCOPE']);
        expect(r.result.findings[0]!.message).toBe("reset nic0: nic0 is in use by guest1; resetting it from dom0 loses the guest driver's device state");
        expect(r.result.findings[0]!.severity).toBe('warning');
        expectInOrder(r, [
            '[3 hot-plug] xl-pci-attach domain="guest1 (domid 1)" device=nic0',
            'XEN_DOMCTL_assign_device domain="guest1 (domid 1)" machine_sbdf=0000:01:00.0 device=nic0',
            'PHYSDEVOP_map_sbdf domain="guest1 (domid 1)" sbdf=0000:01:00.0 gsbdf=0000:00:07.0',
            'XEN_DOMCTL_memory_mapping domain="guest1 (domid 1)" what="nic0 BAR 0" guest=0x100000000-0x10000ffff',
            'xenstore-write path=/local/domain/0/backend/pci/1/0/key-1 value=0000:01:00.0',
            '[4 hot-unplug] xl-pci-detach domain="guest1 (domid 1)" device=disk0',
            'p2m-unmap domain="guest1 (domid 1)" what="disk0 BAR 0" guest=0x23000000-0x23003fff',
            'XEN_DOMCTL_deassign_device domain="guest1 (domid 1)" machine_sbdf=0000:02:00.0 device=disk0 to=dom_io result=0',
            'smmu-ste smmu=smmu0 sid=0x200 master=disk0 domain=dom_io config="abort (quarantine)"',
            'pci-reset device=disk0 method=flr via="libxl (pciback do_flr, sysfs reset)"',
            'PHYSDEVOP_pci_device_reset device=disk0 flags="PCI_DEVICE_RESET_FLR (0x3)"',
            'xenstore-write path=/local/domain/0/backend/pci/1/0/state-0 value=6',
            'xenstore-rm path=/local/domain/0/backend/pci/1/0/key-0',
        ]);
        const g = r.result.domains[0]!;
        expect(g.devices).toEqual(['nic0.vf[0]', 'nic0']);
        expect(g.guestSbdf).toMatchObject({ nic0: '0000:00:07.0' });
        expect(g.xlConfig[1]).toBe('pci = [ "0000:01:00.0,vslot=0x7", "0000:01:01.0" ]');
        expect(r.result.owner).toMatchObject({ disk0: 'dom_io', nic0: 'guest1' });
        expect(r.result.assignable).toEqual(['disk0']);
    });

    it('enables and disables SR-IOV, refusing what Linux refuses', async () => {
        const r = await run(
            BOARD(
                `    domain guest1 { assign nic0.vf[1] }`,
                `scenario s {
    boot
    enable-sriov nic0 num-vfs 9
    enable-sriov nic0 num-vfs 4
    disable-sriov nic0
    enable-sriov nic0 num-vfs 4
    enable-sriov nic0 num-vfs 1
    start guest1
    disable-sriov nic0
  }`,
            ),
            'arm-design',
            { scenario: 's' },
        );
        expect(r.result.findings.map((f) => [f.code, at(r, f), f.message])).toEqual([
            ['SCN-SRIOV-STATE', 'enable-sriov nic0 num-vfs 9', 'enable-sriov nic0 num-vfs 9: nic0 supports at most 8 VFs (TotalVFs); Linux refuses (-ERANGE)'],
            // `boot` enabled the declared num-vfs 2.
            ['SCN-SRIOV-STATE', 'enable-sriov nic0 num-vfs 4', 'enable-sriov nic0: 2 VFs are already enabled; Linux refuses to change NumVFs without disabling first (-EBUSY)'],
            // The engine enumerates the most VFs the scenario enables (4; not the refused 9), so
            // the four VFs of step 5 are placed and translated.
            ['SCN-SRIOV-STATE', 'enable-sriov nic0 num-vfs 1', 'enable-sriov nic0: 4 VFs are already enabled; Linux refuses to change NumVFs without disabling first (-EBUSY)'],
            ['SCN-SRIOV-STATE', 'disable-sriov nic0', 'disable-sriov nic0: nic0.vf[1] (guest1 (domid 1)) is still assigned; Linux refuses to change SR-IOV while VFs are assigned (-EPERM)'],
        ]);
        expectInOrder(r, [
            '[1 boot] sriov-enable pf=nic0',
            '[4 disable-sriov] smmu-ste-clear iommu=smmu0 id=0x108 master=nic0.vf[0]',
            'PHYSDEVOP_pci_device_remove sbdf=0000:01:01.0 device=nic0.vf[0]',
            'PHYSDEVOP_pci_device_remove sbdf=0000:01:01.1 device=nic0.vf[1]',
            'sriov-disable pf=nic0 numvfs=2',
            '[5 enable-sriov] sriov-enable pf=nic0',
            'PHYSDEVOP_pci_device_add sbdf=0000:01:01.3 device=nic0.vf[3]',
            '[7 start] XEN_DOMCTL_assign_device domain="guest1 (domid 1)" machine_sbdf=0000:01:01.1 device=nic0.vf[1]',
        ]);
        expect(r.result.owner['nic0.vf[1]']).toBe('guest1');
    });

    it('resets with a method the device has, and reports what a bus reset reaches', async () => {
        const r = await run(
            BOARD(`    domain guest1 { assign pair1 }`, 'scenario s { boot  reset nic0 pm  reset nic0  start guest1  reset pair0 }'),
            'arm-design',
            { scenario: 's' },
        );
        expect(r.result.findings.map((f) => [f.code, at(r, f), f.message])).toEqual([
            ['SCN-RESET-METHOD', 'reset nic0 pm', 'reset nic0 pm: nic0 has no usable pm reset; it has flr'],
            // pair0 declares a bus reset, but pair1 shares its bus: Linux refuses, and pair1 has no reset.
            ['HV-NO-RESET', 'start guest1', 'pair1 goes to guest1 without a usable reset: it has no FLR and no PM reset; a bus reset would also reset pair0 on bus 03, so Linux refuses it; its state (DMA setup, keys, buffers) carries over to the next owner'],
            ['HV-NO-RESET', 'reset pair0', 'reset pair0: pair0 has no usable reset (it has no FLR and no PM reset; a bus reset would also reset pair1 on bus 03, so Linux refuses it)'],
        ]);
        expectInOrder(r, ['[3 reset] pci-reset device=nic0 method=flr via="dom0 (sysfs reset)"', 'PHYSDEVOP_pci_device_reset device=nic0']);
    });

    it('moves BARs only where they decode, and not under a guest', async () => {
        const r = await run(
            BOARD(
                `    domain guest1 { assign disk0 }`,
                'scenario s { boot  relocate-bar disk0 bar 0 to 0x4000_1000  relocate-bar disk0 bar 0 to 0x9000_0000  relocate-bar disk0 bar 0 to 0x4010_0000  relocate-bar pair1 bar 0 to 0x4010_0000  relocate-bar nic0 bar 0 to 0x80_0200_0000  start guest1  relocate-bar disk0 bar 0 to 0x4000_8000 }',
            ),
            'arm-design',
            { scenario: 's' },
        );
        expect(r.result.findings.map((f) => [f.code, f.message])).toEqual([
            ['HV-RELOCATE-INVALID', 'relocate-bar disk0 BAR 0 to 0x40001000: 0x40001000 is not aligned to the BAR size 0x4000'],
            ['HV-RELOCATE-INVALID', 'relocate-bar disk0 BAR 0 to 0x90000000: 0x90000000-0x90003fff is outside every non-prefetchable memory window of pcie0 (arm-design: Xen logs "invalid position" and does not map it)'],
            // rp2's window, not rp1's: the bridge above disk0 does not forward it.
            ['HV-RELOCATE-INVALID', 'relocate-bar disk0 BAR 0 to 0x40100000: 0x40100000-0x40103fff is outside the windows of rp1 that can hold it (mem 0x40000000..0x400fffff): the bridge does not forward it'],
            ['HV-RELOCATE-INVALID', 'relocate-bar pair1 BAR 0 to 0x40100000: 0x40100000-0x40103fff overlaps pair0 BAR 0 (0x40100000-0x40103fff)'],
            [
                'HV-RELOCATE-ASSIGNED',
                "relocate-bar disk0 BAR 0 to 0x40008000: disk0 is assigned to guest1 (domid 1); dom0's write is not trapped and the guest's stage-2 mapping of the BAR (guest 0x23000000 → host 0x40000000) is not updated, so the guest's accesses go to the old address, where nothing decodes",
            ],
        ]);
        expectInOrder(r, [
            '[6 relocate-bar] cfg-write device=nic0 reg="BAR 0" old=0x8000000000 new=0x8002000000 by=dom0 result="not trapped: dom0\'s stage-2 maps the whole host-bridge window"',
            '[8 relocate-bar] cfg-write device=disk0 reg="BAR 0" old=0x40000000 new=0x40008000',
        ]);
    });

    it('moves an I/O BAR within the host bridge\'s I/O ports, not its CPU addresses', async () => {
        // An I/O BAR holds a port number: the window below is ports 0x0-0xffff, reached at CPU
        // 0x3eff_0000 (DOMAIN.md B.5.4.6). Linux placed uart1's BAR at port 0x1000 (PCIBIOS_MIN_IO).
        const r = await run(
            `platform board "test board" {
  arch arm64
  memory dram at 0x80_0000_0000 size 8G
  smmu smmu0 v3 at 0x4000_0000 stream-id-bits 16
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    window io at 0x3eff_0000 size 64K pci 0x0
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x0
    rc-endpoint uart1 at 00:01.0 { bar 0 io size 256 }
  }
  scenario s { boot  relocate-bar uart1 bar 0 to 0x2000  relocate-bar uart1 bar 0 to 0x3eff_3000 }
}
`,
            'arm-design',
            { scenario: 's' },
        );
        expect(r.real.input.functions.find((f) => f.name === 'uart1')!.bars[0]!.address).toBe(0x1000n);
        expectInOrder(r, ['[2 relocate-bar] cfg-write device=uart1 reg="BAR 0" old=0x1000 new=0x2000 by=dom0']);
        expect(r.result.findings.map((f) => [f.code, f.message])).toEqual([
            ['HV-RELOCATE-INVALID', 'relocate-bar uart1 BAR 0 to 0x3eff3000: 0x3eff3000-0x3eff30ff is outside every I/O window of pcie0 (arm-design: Xen logs "invalid position" and does not map it)'],
        ]);
    });

    it('gives a quarantined device back to dom0 with `assign … to dom0`', async () => {
        const r = await run(BOARD(`    assignable disk0`, 'scenario s { boot  assign disk0 to dom0 }'), 'arm-design', { scenario: 's' });
        expect(codes(r)).toEqual([]);
        expectInOrder(r, ['[2 assign] xl-pci-assignable-remove device=disk0', 'XEN_DOMCTL_deassign_device domain=dom_io', 'driver-bind device=disk0 driver=dom0']);
        expect(r.result.owner.disk0).toBe('dom0');
        expect(r.result.assignable).toEqual([]);
    });
});
