// The address map's data keeps x86 I/O port space out of the physical memory map (as the
// physical-map check does), while an Arm I/O window, memory-mapped at its CPU address, stays.
import { describe, expect, it } from 'vitest';
import { lowerModel } from '../../language/lower/lower-platform.js';
import { addressMapOf } from '../../server/requests.js';
import { buildTexts } from '../helpers/workspace.js';

async function regionsOf(text: string): Promise<string[]> {
    const { roots } = await buildTexts({ 'p.pciplat': text });
    const platform = lowerModel(roots[0]!.parseResult.value)[0]!;
    return addressMapOf(platform, undefined).regions.map((r) => `${r.kind} ${r.name} ${r.base}`);
}

const board = (arch: string, window: string) => `platform p {
  arch ${arch}
  memory ram at 0x1_0000_0000 size 4G
  host-bridge pcie0 segment 0 {
    ecam at 0xe000_0000 size 64M
    bus-range 0x00..0x3f
    window mem32 at 0xc000_0000 size 256M
    ${window}
    rc-endpoint nic0 at 00:02.0 { bar 0 mem32 size 16K at 0xc000_0000  bar 2 io size 32 at 0x1000 }
  }
}
`;

describe('address map spaces', () => {
    it('leaves x86 I/O windows and I/O BARs out of the memory map', async () => {
        const regions = await regionsOf(board('x86_64', 'window io at 0x1000 size 4K'));
        expect(regions.filter((r) => r.startsWith('host-window') || r.startsWith('bar'))).toEqual(['host-window pcie0.window0 0xc0000000', 'bar nic0.bar0 0xc0000000']);
    });

    it('keeps an Arm I/O window at its CPU address', async () => {
        const regions = await regionsOf(board('arm64', 'window io at 0xdff0_0000 size 64K pci 0x0'));
        expect(regions).toContain('host-window pcie0.window1 0xdff00000');
    });
});
