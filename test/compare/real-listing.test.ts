// A real public listing of an Intel desktop's IOMMU groups (ASRock Z170 Gaming-ITX/ac: Skylake CPU,
// Sunrise Point PCH root ports, an RCiEP iGPU, multi-function chipset slots), written with its
// IDs and no `quirk` (test/fixtures/real-listings/asrock-z170-gaming-itx: the listing, its source
// and what the platform assumes). Linux's ID quirks alone give its groups: the Sunrise Point root
// ports' broken ACS capability (pci_quirk_intel_spt_pch_acs) and the I219's
// (pci_quirk_mf_endpoint_acs). Without the ID quirks the same platform gets other groups.
// The listing's own text is test/fixtures/real-listings/asrock-z170-gaming-itx/groups.txt.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareGroups, declaredIdsOf } from '../../src/compare/groups.js';
import { simulate } from '../../src/engine/simulate.js';
import { readGroupsText } from '../../src/import/iommu-groups.js';
import { platformFromText } from '../helpers/platforms.js';

const DIR = path.join(__dirname, '..', 'fixtures', 'real-listings', 'asrock-z170-gaming-itx');
const PLATFORM = fs.readFileSync(path.join(DIR, 'platform.pciplat'), 'utf8');
const LISTING = fs.readFileSync(path.join(DIR, 'groups.txt'), 'utf8');

async function comparison(text: string) {
    const platform = await platformFromText(text);
    const result = simulate(platform, {});
    const real = readGroupsText(LISTING, 'file:///groups.txt');
    return { result, real, comparison: compareGroups(result, real, declaredIdsOf(platform)) };
}

describe('a real Intel desktop listing (ASRock Z170 Gaming-ITX/ac)', () => {
    it('is written with the IDs of the listing and no quirk', async () => {
        expect(PLATFORM).not.toMatch(/^\s*quirk\b/m);
        const { real, comparison: c } = await comparison(PLATFORM);
        expect(real.findings).toEqual([]);
        expect(real.functions).toHaveLength(20);
        // Every function of the listing is declared, at its address, with the listing's vendor and device ID.
        const declared = declaredIdsOf(await platformFromText(PLATFORM));
        const byReal = real.functions.map((r) => {
            const name = c.functions.find((f) => f.sbdf === r.sbdf)?.name;
            const ids = name ? declared(name) : undefined;
            return [r.sbdf, r.ids?.vendor === ids?.vendor && r.ids?.device === ids?.device && ids?.vendor !== undefined];
        });
        expect(byReal.filter(([, same]) => !same)).toEqual([]);
        expect(c.functions.filter((f) => f.idsDiffer)).toEqual([]);
    });

    it("gets Linux's groups, function by function, from the ID quirks alone", async () => {
        const { result, comparison: c } = await comparison(PLATFORM);
        expect(c.functions.map((f) => [f.sbdf, f.verdict]).filter(([, v]) => v !== 'agree')).toEqual([]);
        expect(c.functions).toHaveLength(20);
        const quirk = (name: string) => result.functions.find((f) => f.name === name)?.quirks?.map((q) => q.linux);
        for (const port of ['rp1', 'rp5', 'rp7', 'rp9']) expect(quirk(port)).toEqual(['pci_quirk_intel_spt_pch_acs']);
        expect(quirk('i219v')).toEqual(['pci_quirk_mf_endpoint_acs']);
        expect(result.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    });

    it('gets other groups without the ID quirks (so the test above depends on them)', async () => {
        const text = PLATFORM.replace('  iommu dmar0', '  linux { no-id-quirks }\n  iommu dmar0');
        expect(text).not.toBe(PLATFORM);
        const { comparison: c } = await comparison(text);
        const differ = c.functions.filter((f) => f.verdict !== 'agree').map((f) => f.sbdf);
        // The I219 (1f.6) joins the other 1f functions: only pci_quirk_mf_endpoint_acs isolates it.
        // (The Sunrise Point ports still isolate: without the quirk their written ACS capability is
        // taken as a standard one, which is what the quirk makes of it.)
        expect(differ).toEqual([
            '0000:00:1f.0',
            '0000:00:1f.2',
            '0000:00:1f.3',
            '0000:00:1f.4',
            '0000:00:1f.6',
        ]);
    });
});
