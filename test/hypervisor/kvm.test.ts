// The KVM/VFIO view (DOMAIN.md B.10, seed 004): group viability, one group per VM, host-driver
// conflicts and QEMU's -device lines.
import { describe, expect, it } from 'vitest';
import { at, codes, events, expectInOrder, only, run } from './helpers.js';

// vfio-desktop.pciplat with the root ports as function 0 of their devices (Linux scans
// functions 1-7 only behind a multi-function function 0).
const DESKTOP = (vms: string, extra = '') => `platform desktop "x86 desktop" {
  arch x86_64
  memory ram at 0x0 size 32G
  iommu amdvi0 amd-vi at 0xfd20_0000 scope pcie0
  host-bridge pcie0 segment 0 {
    mcfg at 0xf000_0000 buses 0x00..0x7f
    window mem32 at 0xe000_0000 size 256M
    window mem64 prefetch at 0x10_0000_0000 size 64G
    root-port gpp0 at 00:01.0 {
      acs sv rr cr uf
      endpoint gpu at 01:00.0 { multifunction  bar 0 mem32 size 16M  bar 1 mem64 prefetch size 256M  rom size 512K }
      endpoint gpuaudio at 01:00.1 { bar 0 mem32 size 16K }
    }
    root-port chipset at 00:02.0 {
      switch-upstream up at 02:00.0 {
        downstream-port d0 at 03:00.0 { endpoint nvme1 at 04:00.0 { bar 0 mem64 size 16K  reset flr } }
        downstream-port d1 at 03:04.0 { endpoint usb at 05:00.0 { bar 0 mem64 size 32K  reset flr } }
        downstream-port d2 at 03:08.0 { endpoint nic at 06:00.0 { bar 0 mem32 size 128K  reset flr } }
      }
    }
  }
  kvm {
${vms}
  }
${extra}
}
`;

// Linux's groups for it (x86: ACS enabled as ports are added), numbered in probe order, bridges
// first: 0 gpp0 (ACS, so alone); 1 the chipset root port (no ACS) with everything below it;
// 2 the GPU's functions (multi-function without ACS).

describe('kvm', () => {
    it('opens a viable group and writes the QEMU lines', async () => {
        const r = await run(DESKTOP(`    vm gaming { memory 16G  assign gpu as 00:05.0 gpuaudio as 00:05.1 no-rombar }`), 'kvm');
        expect(codes(r)).toEqual([]);
        expectInOrder(r, [
            '[1 boot] host-boot arch=x86_64 iommus=amdvi0',
            'iommu-group group=0 members=gpp0',
            'iommu-group group=1 members="chipset up d0 d1 d2 nvme1 usb nic"',
            'iommu-group group=2 members="gpu gpuaudio"',
            '[2 start] qemu-start vm=gaming memory=16384M',
            'vfio-bind device=gpu sbdf=0000:01:00.0 from=none',
            'vfio-bind device=gpuaudio sbdf=0000:01:00.1 from=none',
            'vfio-group-attach vm=gaming group=2 path=/dev/vfio/2',
            'qemu-device vm=gaming device=gpu arg="-device vfio-pci,host=0000:01:00.0,addr=0x5.0,multifunction=on"',
            'qemu-device vm=gaming device=gpuaudio arg="-device vfio-pci,host=0000:01:00.1,addr=0x5.1,rombar=0"',
        ]);
        const vm = r.result.domains[0]!;
        expect(vm).toMatchObject({ hypervisor: 'kvm', running: true, guestSbdf: { gpu: '0000:00:05.0', gpuaudio: '0000:00:05.1' } });
        expect(vm.qemuArgs).toEqual(['-device vfio-pci,host=0000:01:00.0,addr=0x5.0,multifunction=on', '-device vfio-pci,host=0000:01:00.1,addr=0x5.1,rombar=0']);
        expect(r.result.functions.find((f) => f.name === 'gpu')).toMatchObject({ owner: 'gaming', driver: 'vfio-pci' });
    });

    it('reports a group member bound to a host driver (#33)', async () => {
        const r = await run(DESKTOP(`    host-driver nvme1 nvme\n    host-driver nic igb\n    vm router { assign usb }`), 'kvm');
        expect(codes(r)).toEqual(['KVM-GROUP-NOT-VIABLE', 'KVM-GROUP-NOT-VIABLE']);
        expect(r.result.findings[0]!.message).toBe(
            'usb goes to router but nvme1, in the same IOMMU group 1, is bound to the host driver nvme: group 1 is not viable, so QEMU cannot open /dev/vfio/1; bind nvme1 to vfio-pci too or unbind it',
        );
        expect(at(r, r.result.findings[0])).toBe('usb');
        expect(r.result.findings[0]!.related[0]!.message).toBe('nvme1 bound to nvme');
        expect(r.result.domains[0]!.devices).toEqual([]);
        expect(events(r, 'vfio-group-attach')).toEqual([]);
    });

    it('accepts group members that are driverless, on vfio-pci or pci-stub, or bridges', async () => {
        const r = await run(DESKTOP(`    host-driver nvme1 vfio-pci\n    host-driver nic pci-stub\n    vm router { assign usb }`), 'kvm');
        expect(codes(r)).toEqual([]);
        expect(r.result.domains[0]!.devices).toEqual(['usb']);
    });

    it('refuses one group in two VMs and a device both host-bound and assigned', async () => {
        const r = await run(DESKTOP(`    host-driver gpu nouveau\n    vm a { assign usb }\n    vm b { assign nvme1 }\n    vm c { assign gpu }`), 'kvm');
        expect(codes(r)).toEqual(['KVM-GROUP-SHARED', 'KVM-HOST-DRIVER']);
        const shared = only(r, 'KVM-GROUP-SHARED');
        expect(shared.message).toBe('nvme1 goes to b but usb, in the same IOMMU group 1, belongs to the running VM a: a group attaches to one container, so QEMU refuses it ("group 1 used in multiple address spaces")');
        expect(at(r, shared)).toBe('nvme1');
        const host = only(r, 'KVM-HOST-DRIVER');
        expect(host.message).toBe('c is given gpu, but the host binds it to nouveau: the device cannot be both a host device and a VFIO device; drop the host-driver binding or the assignment');
        expect(host.related[0]!.message).toBe('host-driver gpu nouveau');
        expect(r.result.domains.map((d) => d.devices)).toEqual([['usb'], [], []]);
    });

    it('resets a bus only when the VM owns every device on it (VFIO hot reset)', async () => {
        const r = await run(DESKTOP(`    vm gaming { assign gpu gpuaudio }`, 'scenario s { boot  start gaming  reset gpu bus  hot-unplug gpuaudio from gaming  reset gpu bus }'), 'kvm', { scenario: 's' });
        expectInOrder(r, ['[3 reset] vfio-hot-reset vm=gaming devices="gpu gpuaudio"', 'pci-reset device=gpu method=bus via=VFIO_DEVICE_PCI_HOT_RESET']);
        const f = only(r, 'HV-RESET-SCOPE');
        expect(f.message).toBe('reset gpu bus: a secondary bus reset also resets gpuaudio (host); VFIO allows a hot reset only when gaming owns every device on the bus');
        expect(at(r, f)).toBe('reset gpu bus');
    });

    it('plays hot-plug and hot-unplug with QEMU monitor commands, and Xen-only steps are ignored', async () => {
        const r = await run(DESKTOP(`    vm gaming { assign gpu gpuaudio }`, 'scenario s { boot  start gaming  hot-unplug gpuaudio from gaming  hot-plug gpuaudio to gaming  assignable-add nic }'), 'kvm', { scenario: 's' });
        expectInOrder(r, ['[3 hot-unplug] qemu-device_del vm=gaming device=gpuaudio', 'pci-reset device=gpuaudio', '[4 hot-plug] qemu-device_add vm=gaming device=gpuaudio']);
        const f = only(r, 'SCN-STEP-PROFILE');
        expect(f.message).toBe('assignable-add is a Xen toolstack operation (xl pci-assignable-add); it does nothing under the kvm profile');
    });
});
