// Which placement path a platform takes, and what differs on the ACPI one, on small platforms.
// The numbers are the ones real Linux gave on the UEFI oracle topologies `sriov` (an NVMe PF with
// four 16 KiB VF BARs behind a hot-plug root port: 3 MiB of memory window), `sriov-realloc` (the
// same with pci=realloc: 2 MiB, as on device tree) and `full` (an empty hot-plug port whose
// reservation does not fit); test/fabric/oracle-acpi.test.ts checks the whole topologies.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/engine/simulate.js';
import { platformFromText } from '../helpers/platforms.js';

/** One hot-plug root port above an NVMe PF with 4 VFs; `boot` is the host bridge's config space line plus extras. */
function nvmeBehindHotplugPort(boot: string, extra = ''): string {
    return `platform p {
  arch arm64
  memory dram at 0x4000_0000 size 1G
  its its0 at 0x808_0000 device-id-bits 16
  smmu smmu0 v3 at 0x905_0000 stream-id-bits 16
  host-bridge pcie0 segment 0 {
    ${boot}
    window mem32 at 0x1000_0000 size 0x2eff_0000
    window io at 0x3eff_0000 size 0x10000 pci 0x0
    window mem64 at 0x80_0000_0000 size 0x80_0000_0000
    iommu-map rid 0x0 count 0x10000 -> smmu0 0x0
    msi-map rid 0x0 count 0x10000 -> its0 0x0
    root-port rp1 at 01.0 vendor 0x1b36 device 0x000c class 0x060400 {
      slot 1 hotplug
      bar 0 mem32 size 0x1000
      endpoint nvme0 at 00.0 vendor 0x1b36 device 0x0010 class 0x010802 {
        bar 0 mem64 size 0x4000
        sriov total-vfs 4 num-vfs 4 offset 1 stride 1 vf-device 0x0010 { vf-bar 0 mem64 size 0x4000 }
      }
    }
    root-port rp2 at 02.0 vendor 0x1b36 device 0x000c class 0x060400 {
      slot 2 hotplug
      bar 0 mem32 size 0x1000
    }
  }
  ${extra}
}
`;
}

const DT = 'ecam at 0x40_1000_0000 size 256M\n    bus-range 0x00..0xff';
const MCFG = 'mcfg at 0x40_1000_0000 buses 0x00..0xff';
const IORT = 'iort {\n    its-group itsg { its0 }\n    smmu-v3 smmu0 { map ids 0..0xffff -> itsg 0 }\n    root-complex pcie0 { map ids 0..0xffff -> smmu0 0 }\n  }';

async function memWindowOfRp1(text: string): Promise<string> {
    const result = simulate(await platformFromText(text), { profile: 'kvm' });
    const w = result.functions.find((f) => f.name === 'rp1')!.bridge!.windows.find((x) => x.window === 'mem')!;
    return `0x${w.start!.toString(16)}..0x${w.end!.toString(16)}`;
}

describe('the placement path follows the boot', () => {
    it('device tree (pci_host_probe): the 2 MiB hot-plug reservation is a minimum that covers the PF and its VFs', async () => {
        expect(await memWindowOfRp1(nvmeBehindHotplugPort(DT))).toBe('0x10000000..0x101fffff');
    });

    it('an MCFG host bridge (ACPI): 1 MiB required, the reservation and the VF BARs optional on top, 3 MiB', async () => {
        expect(await memWindowOfRp1(nvmeBehindHotplugPort(MCFG))).toBe('0x10000000..0x102fffff');
    });

    it('an IORT makes an ECAM host bridge an ACPI one too', async () => {
        expect(await memWindowOfRp1(nvmeBehindHotplugPort(DT, IORT))).toBe('0x10000000..0x102fffff');
    });

    it('linux { realloc } (pci=realloc): the first of the tries sizes without the realloc list, and everything fits', async () => {
        expect(await memWindowOfRp1(nvmeBehindHotplugPort(MCFG, 'linux { realloc }'))).toBe('0x10000000..0x101fffff');
    });

    it('realloc starts by itself when firmware assigned the PF but left its VF BARs to Linux', async () => {
        const written = nvmeBehindHotplugPort(MCFG).replace('bar 0 mem64 size 0x4000\n', 'bar 0 mem64 size 0x4000 at 0x1000_0000\n');
        // Firmware's window for the PF (the smallest covering its BAR: 1 MiB) holds the 64 KiB of
        // VF BARs too: Linux keeps it and places the VFs inside.
        expect(await memWindowOfRp1(written)).toBe('0x10000000..0x100fffff');
        // Four 256 KiB VF BARs do not fit beside the PF in that window: the first try fails, Linux
        // releases the window with the PF's BAR and, on the last try, sizes it again with the
        // realloc list (1 MiB required, the VF BARs and the reservation optional: 3 MiB), in the
        // first free range after rp2's window and the ports' BARs. Without the automatic realloc
        // the VFs would get no space.
        const larger = written.replace('vf-bar 0 mem64 size 0x4000', 'vf-bar 0 mem64 size 0x40000');
        expect(await memWindowOfRp1(larger)).toBe('0x10400000..0x106fffff');
    });
});

describe('a hot-plug reservation that does not fit on the ACPI path', () => {
    const text = nvmeBehindHotplugPort(MCFG, 'linux { hpmemsize 0x3000_0000 }');

    it('is a warning on the empty port, not an error: nothing present needs the space', async () => {
        const result = simulate(await platformFromText(text), { profile: 'kvm' });
        const noSpace = result.findings.filter((f) => f.code === 'PCI-RESOURCE-NO-SPACE');
        expect(noSpace.map((f) => [f.severity, f.message])).toEqual([
            [
                'warning',
                'The hot-plug reservation of root-port rp2, all of its mem window (mem32, size 0x30000000, optional on the ACPI path), cannot be placed: it needs 0x30000000 bytes aligned to 0x100000 in the mem32 window 0x10000000..0x3efeffff of host bridge pcie0, and the largest free range there is 0x2eeee000 bytes (0x10102000..0x3efeffff). Linux leaves the window closed: a device hot-plugged below root-port rp2 gets no non-prefetchable memory space.',
            ],
        ]);
    });

    it('is quiet when the reservations fit', async () => {
        const result = simulate(await platformFromText(nvmeBehindHotplugPort(MCFG)), { profile: 'kvm' });
        expect(result.findings.filter((f) => f.code === 'PCI-RESOURCE-NO-SPACE')).toEqual([]);
    });
});
