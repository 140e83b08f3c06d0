// Enhanced Allocation: BARs the hardware fixes (pci_ea_init). Placement keeps them where they
// are even when realloc releases the bridge window above them; a firmware-written BAR moves.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/engine/simulate.js';
import { platformFromText } from '../helpers/platforms.js';

function board(fixedBy: '' | 'ea'): string {
    return `platform p {
  arch x86_64
  memory ram at 0x0 size 256M
  iommu dmar0 vt-d at 0xfed9_0000 scope pcie0
  host-bridge pcie0 segment 0 {
    mcfg at 0xe000_0000 buses 0x00..0x3f
    window mem32 at 0x1000_0000 size 0x1000_0000
    root-port rp at 00:01.0 {
      window mem32 0x1000_0000..0x100f_ffff
      endpoint ep0 at 01:00.0 { multifunction bar 0 mem32 size 64K at 0x1000_0000 ${fixedBy} }
      endpoint ep1 at 01:00.1 { bar 0 mem32 size 2M }
    }
  }
  linux { realloc }
}`;
}

async function placed(text: string): Promise<{ ep0?: bigint; ep1?: bigint; codes: string[] }> {
    const result = simulate(await platformFromText(text), { profile: 'kvm' });
    const bar0 = (name: string) => result.functions.find((f) => f.name === name)!.bars.find((b) => b.index === 0)?.address;
    return { ep0: bar0('ep0'), ep1: bar0('ep1'), codes: result.findings.map((f) => f.code) };
}

describe('Enhanced Allocation under realloc', () => {
    it('a firmware-written BAR is released with its bridge window and placed again', async () => {
        expect(await placed(board(''))).toEqual({ ep0: 0x1020_0000n, ep1: 0x1000_0000n, codes: [] });
    });
    it('an EA BAR stays at its address, and the window sized without it cannot take the other BAR', async () => {
        expect(await placed(board('ea'))).toEqual({ ep0: 0x1000_0000n, ep1: undefined, codes: ['PCI-RESOURCE-NO-SPACE'] });
    });
});
