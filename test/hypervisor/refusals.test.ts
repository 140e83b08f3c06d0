// A device a domain was configured to get and did not: the result says which domain refused it and
// points at the finding that says why (the root fault, not the note about it), so that the editor
// never shows it as the domain's. A device the domain got has no refusal.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/engine/simulate.js';
import { platformFromText } from '../helpers/platforms.js';
import { textAt } from './helpers.js';

const board = (assign: string) => `platform ridxen {
  arch arm64
  memory dram at 0x80_0000_0000 size 1G
  smmu smmu0 v3 at 0x2000_0000 stream-id-bits 16
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x100 -> smmu0 0x0
    rc-endpoint a0 at 00:01.0 { bar 0 mem32 size 4K }
    root-port rp0 at 00:02.0 { endpoint far0 at 01:00.0 { bar 0 mem32 size 4K } }
  }
  xen {
    domain g { memory 1G  assign ${assign} }
  }
}
`;

describe('refused assignments', () => {
    it('a device whose add failed stays with dom0 and is refused by its domain, for the add failure', async () => {
        const text = board('far0');
        const result = simulate(await platformFromText(text), { profile: 'arm-design' });
        const far0 = result.functions.find((f) => f.name === 'far0')!;
        expect(far0.owner).toBe('dom0');
        expect(far0.refused).toHaveLength(1);
        const [refusal] = far0.refused!;
        expect(refusal).toMatchObject({
            domain: 'g',
            code: 'XEN-NO-STREAMID',
            message:
                'far0 (0000:01:00.0, RID 0x100) gets no StreamID: no iommu-map entry of pcie0 covers RID 0x100; PHYSDEVOP_pci_device_add fails with -ENODEV, so Xen does not know the device, its DMA hits no stream-table entry and aborts, and it cannot be assigned',
        });
        // The link goes where the failure is reported: the device.
        expect(textAt(text, refusal!.loc)).toBe('far0');
        expect(result.findings.some((f) => f.code === refusal!.code && f.message === refusal!.message)).toBe(true);
        expect(result.domains.find((d) => d.name === 'g')!.devices).toEqual([]);
    });

    it('a device the domain got is not refused', async () => {
        const result = simulate(await platformFromText(board('a0')), { profile: 'arm-design' });
        const a0 = result.functions.find((f) => f.name === 'a0')!;
        expect(a0.owner).toBe('g');
        expect(a0.refused).toBeUndefined();
        expect(result.functions.every((f) => f.refused === undefined)).toBe(true);
    });
});
