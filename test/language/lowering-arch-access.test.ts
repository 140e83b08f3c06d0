// Lowering of issue 14's constructs: the 32-bit Arm address width, a host bridge's config-access,
// the vmalloc option, and VFIO on POWER (the backend and the guest PHBs the devices sit on).
import { describe, expect, it } from 'vitest';
import { physicalAddressBits } from '../../src/model/platform.js';
import { platformFromText } from '../helpers/platforms.js';

describe('lowering 32-bit Arm, POWER and config-access', () => {
    it('keeps lpae, the access method, its registers, sizes, special functions and vmalloc', async () => {
        const p = await platformFromText(`platform a {
  arch arm32 lpae
  host-bridge q { ecam at 0x4000_0000 size 16M bus-range 0..15 config-access ecam sizes 4 special 00:00.0 01:00.1 }
  host-bridge i { config-access index-data at 0x2000_0000 size 8 }
  host-bridge g { ecam at 0x5000_0000 size 16M bus-range 0..15 }
  linux { vmalloc 512M }
}`);
        expect([p.arch, p.lpae, physicalAddressBits(p)]).toEqual(['arm32', true, 40]);
        const [q, i, g] = p.hostBridges;
        expect(q!.configAccess).toMatchObject({ method: 'ecam', sizes: [4n] });
        expect(q!.configAccess!.special.map((s) => [s.bus, s.device, s.fn])).toEqual([[0n, 0n, 0n], [1n, 0n, 1n]]);
        expect(q!.configAccess!.registers).toBeUndefined();
        expect(i!.configAccess).toMatchObject({ method: 'index-data', registers: { base: 0x2000_0000n, size: 8n }, special: [] });
        expect(i!.configAccess!.sizes).toBeUndefined();
        expect(i!.ecam).toBeUndefined();
        expect(g!.configAccess).toBeUndefined();
        expect(p.linux.vmalloc).toBe(512n << 20n);
    });

    it('gives arm32 without lpae 32 address bits and 64-bit architectures no limit', async () => {
        expect(physicalAddressBits(await platformFromText('platform a { arch arm32 }'))).toBe(32);
        expect(physicalAddressBits(await platformFromText('platform b { arch arm64 }'))).toBeUndefined();
        expect(physicalAddressBits(await platformFromText('platform c { arch ppc64 }'))).toBeUndefined();
    });

    it('puts the devices of a written PHB on it and the VM\'s own assigns on the default PHB', async () => {
        const p = await platformFromText(`platform p {
  arch ppc64
  host-bridge phb0 { config-access index-data at 0x3fff_e400_0000 size 8
    root-port rp at 00:00.0 { endpoint a at 01:00.0 { multifunction } endpoint b at 01:00.1 endpoint c at 01:00.2 } }
  kvm {
    vfio-iommu spapr-tce
    vm v { assign a  phb x index 1 { assign b c }  phb y index 2 }
  }
}`);
        expect(p.kvm!.vfioIommu?.kind).toBe('spapr-tce');
        const vm = p.kvm!.vms[0]!;
        expect(vm.assignments.map((a) => [a.device.function, a.phb])).toEqual([['a', undefined], ['b', 'x'], ['c', 'x']]);
        expect(vm.phbs!.map((x) => [x.name, x.index])).toEqual([['x', 1n], ['y', 2n]]);
    });
});
