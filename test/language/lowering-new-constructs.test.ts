// Lowering of dom0's boot reports, `registers`, Enhanced Allocation BARs and an MCFG entry
// narrower than its bus-range into the plain model.
import { describe, expect, it } from 'vitest';
import { platformFromText } from '../helpers/platforms.js';

const text = `platform p {
  arch x86_64
  host-bridge pci0 segment 0 {
    mcfg at 0xe000_0000 buses 0x00..0x3f
    bus-range 0x00..0xff
    window mem32 at 0xc000_0000 size 256M
    rc-endpoint nic at 00:02.0 {
      bar 0 mem64 size 0x3000 at 0xc000_1000 ea
      bar 2 mem64 size 16K
      msix entries 8 table bar 2 offset 0x0 pba bar 2 offset 0x1000
      registers bar 2 offset 0x800 size 0x40
      sriov total-vfs 2 num-vfs 0 offset 1 stride 1 { vf-bar 0 mem64 size 16K at 0xc010_0000 ea }
    }
  }
  xen { profile x86-pvh }
  scenario explicit { boot { host-bridge-add pci0 device-add nic } }
  scenario nothing { boot { } }
  scenario plain { boot }
}`;

describe('lowering of the boot-order, EA, registers and MCFG constructs', () => {
    it('lowers them', async () => {
        const p = await platformFromText(text);
        const hb = p.hostBridges[0]!;
        expect([hb.busStart, hb.busEnd, hb.ecam?.buses, hb.ecam?.size]).toEqual([0n, 0xffn, { start: 0n, end: 0x3fn }, 0x40n << 20n]);
        const nic = hb.functions[0]!;
        expect(nic.bars.map((b) => [b.index, b.size, b.address, b.ea])).toEqual([
            [0, 0x3000n, 0xc000_1000n, true],
            [2, 0x4000n, undefined, undefined],
        ]);
        expect(nic.sriov!.vfBars[0]!.ea).toBe(true);
        expect(nic.registers!.map((r) => [r.bar, r.offset, r.size])).toEqual([[2, 0x800n, 0x40n]]);
        const boots = p.scenarios.map((s) => s.steps[0]);
        expect(boots.map((b) => (b?.kind === 'boot' ? b.reports?.map((r) => (r.kind === 'device-add' ? `device-add ${r.device.function}` : `host-bridge-add ${r.hostBridge}`)) : undefined))).toEqual([
            ['host-bridge-add pci0', 'device-add nic'],
            [],
            undefined,
        ]);
    });
});
