// A quirk from Linux's table against real Linux 6.1 (test/fixtures/oracle-dmibridge, booted with
// oracle-tool): an Intel 82801 DMI-to-PCI bridge (8086:244e) below a PCIe root port, written with
// its IDs and no quirk. quirk_use_pcie_bridge_dma_alias makes its devices DMA as (secondary, 00.0);
// a QEMU pci-bridge (1b36:0001) beside it keeps its own RID. Every iommu-map lookup Linux logged
// and every group number must agree.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { enumerate } from '../../src/fabric/enumerate.js';
import { analyseIds } from '../../src/fabric/groups/analyse-ids.js';
import { platformsFromFile } from '../helpers/platforms.js';

const DIR = path.join(__dirname, '..', 'fixtures', 'oracle-dmibridge');

describe('quirk_use_pcie_bridge_dma_alias against Linux (oracle dmibridge)', () => {
    it('aliases and groups agree with no quirk written, and the 82801 shows the quirk that applied', async () => {
        const [platform] = await platformsFromFile(path.join(DIR, 'platform.pciplat'));
        const text = fs.readFileSync(path.join(DIR, 'platform.pciplat'), 'utf8');
        expect(text).not.toContain('quirk');
        const expected = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as { functions: Record<string, { aliases: string[]; group: number | null }> };
        const ids = analyseIds(enumerate(platform!).topology, platform!);
        const hex4 = (v: bigint) => `0x${v.toString(16).padStart(4, '0')}`;
        expect(Object.fromEntries(ids.functions.map((f) => [f.name, { aliases: f.aliases.map(hex4), group: f.group }]))).toEqual(
            Object.fromEntries(Object.entries(expected.functions).map(([name, f]) => [name, { aliases: f.aliases, group: f.group }])),
        );
        expect(ids.byName.get('f_01_00_0')!.quirks?.map((q) => [q.linux, q.effect])).toEqual([['quirk_use_pcie_bridge_dma_alias', 'pcie-bridge-alias']]);
        // Without Linux's table the bridge's own RID would be the alias, as for the pci-bridge.
        const off = { ...platform!, linux: { ...platform!.linux, noIdQuirks: true } };
        expect(analyseIds(enumerate(off).topology, off).byName.get('f_02_01_0')!.aliases.map(hex4)).toEqual(['0x0208', '0x0100']);
    });
});
