// DOMAIN.md B.12 item 2: ECAM/MCFG config regions, host-bridge windows, RAM and device MMIO must
// not overlap in the CPU's physical address map.
import { describe, expect, it } from 'vitest';
import { physicalMapFindings } from '../../src/fabric/physical-map.js';
import { platformFromText } from '../helpers/platforms.js';

function arm(body: string): string {
    return `platform p {
  arch arm64
  memory dram at 0x8000_0000 size 2G
  uart uart0 at 0x900_0000 size 4K
${body}
}
`;
}

const where = (f: { loc?: { start: { line: number; character: number } } }) => `${f.loc!.start.line + 1}:${f.loc!.start.character + 1}`;

describe('physical address map', () => {
    it('is quiet when config space, windows, RAM and devices each own their addresses', async () => {
        const p = await platformFromText(arm(`  host-bridge hb {
    ecam at 0x3000_0000 size 16M bus-range 0..15
    window io at 0x3eff_0000 size 64K pci 0x0
    window mem32 at 0x4000_0000 size 512M
  }`));
        expect(physicalMapFindings(p)).toEqual([]);
    });

    it('reports an ECAM overlapping RAM, at the ECAM, with the RAM as the other party', async () => {
        const p = await platformFromText(arm(`  host-bridge hb {
    ecam at 0xf000_0000 size 16M bus-range 0..15
    window mem32 at 0x4000_0000 size 512M
  }`));
        const [f, ...rest] = physicalMapFindings(p);
        expect(rest).toEqual([]);
        expect(f!.code).toBe('PLATFORM-REGION-OVERLAP');
        expect(f!.message).toBe('The ECAM of host bridge hb (0xf0000000..0xf0ffffff) overlaps the RAM dram (0x80000000..0xffffffff) at 0xf0000000..0xf0ffffff: the same physical addresses would reach both.');
        expect(where(f!)).toBe('6:5');
        expect(f!.related.map((r) => [where(r), r.message])).toEqual([['3:3', 'the RAM dram']]);
    });

    it('reports a window inside another host bridge\'s ECAM and a device inside a window', async () => {
        const p = await platformFromText(arm(`  host-bridge a {
    ecam at 0x3000_0000 size 256M
    window mem32 at 0x4000_0000 size 512M
  }
  host-bridge b {
    ecam at 0x2000_0000 size 16M bus-range 0..15
    window mem32 at 0x3f00_0000 size 8M
  }
  device mailbox at 0x4100_0000 size 4K`));
        expect(physicalMapFindings(p).map((f) => f.message)).toEqual([
            'The mem32 window of host bridge b (0x3f000000..0x3f7fffff) overlaps the ECAM of host bridge a (0x30000000..0x3fffffff) at 0x3f000000..0x3f7fffff: the same physical addresses would reach both.',
            'The device mailbox (0x41000000..0x41000fff) overlaps the mem32 window of host bridge a (0x40000000..0x5fffffff) at 0x41000000..0x41000fff: the same physical addresses would reach both.',
        ]);
    });

    it("reads an MCFG base as bus 0's: a range starting at bus 0x80 begins 128 MiB above it", async () => {
        const p = await platformFromText(`platform x {
  arch x86_64
  memory low at 0x0 size 0xe800_0000
  host-bridge hb {
    mcfg at 0xe000_0000 buses 0x80..0xff
    window mem32 at 0xf000_0000 size 128M
  }
}
`);
        // Config space of buses 0x80..0xff is 0xe8000000..0xefffffff: clear of RAM ending at 0xe7ffffff.
        expect(physicalMapFindings(p)).toEqual([]);
    });
});
