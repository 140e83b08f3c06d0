// `export groups` and `export tree` of each oracle platform against what real Linux and the real
// lspci say about the machine QEMU built: the groups are Linux's (devices.json, after boot), each
// device's line is what `lspci -nns` prints from the function's real config space (the oracle's
// dump, read by lspci -F), and the tree is `lspci -tv` of the same dump. pciplat and lspci both
// name devices from one pci.ids file (the bundled subset), so the comparison does not depend on
// the machine's database.
//
// What is claimed: the same groups with the same members, and line for line the same text for
// every device. Not claimed: the group *numbers* (Linux numbers groups in the order its IOMMU
// driver probes devices, which pciplat does not model yet), so the blocks are compared as a set.
// Fixtures: test/fixtures/export/oracle/<topology>/ (make-oracle-fixtures.py says where from)
// and the platforms of test/fixtures/oracle/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { platformsFromFile } from '../helpers/platforms.js';
import { bundledPciIdsFile, exportOf, FIXTURES, namesFrom, run } from './helpers.js';

const oracle = path.join(FIXTURES, 'export', 'oracle');
const topologies = fs.readdirSync(oracle).filter((d) => fs.existsSync(path.join(oracle, d, 'devices.json')));
const idsFile = bundledPciIdsFile();

interface DevicesJson {
    iommu_groups: { group: number; devices: string[] }[];
}

/** The listing loop's output on the oracle machine, from Linux's groups and the real lspci. */
function linuxListing(topology: string): string {
    const devices = JSON.parse(fs.readFileSync(path.join(oracle, topology, 'devices.json'), 'utf8')) as DevicesJson;
    const dump = path.join(oracle, topology, 'lspci-x.txt');
    const groups = [...devices.iommu_groups].sort((a, b) => (String(a.group) < String(b.group) ? -1 : 1));
    return groups
        .map((g) => `IOMMU Group ${g.group}:\n${[...g.devices].sort().map((d) => `\t${run('lspci', ['-i', idsFile, '-F', dump, '-nns', d])}`).join('')}`)
        .join('');
}

/** The blocks of a listing without their numbers, in a canonical order. */
function unnumberedBlocks(listing: string): string[] {
    return listing
        .split(/^IOMMU Group \d+:\n/m)
        .filter((b) => b !== '')
        .sort();
}

describe.each(topologies)('oracle topology %s', async (topology) => {
    const [platform] = await platformsFromFile(path.join(FIXTURES, 'oracle', topology, 'platform.pciplat'));
    const names = await namesFrom(idsFile);

    it("export groups lists Linux's groups, each device as lspci -nns prints it (group numbers not compared)", () => {
        const ours = exportOf('groups', platform!, names, { profile: 'kvm' });
        const linux = linuxListing(topology);
        expect(unnumberedBlocks(ours)).toEqual(unnumberedBlocks(linux));
        expect(ours.match(/^IOMMU Group \d+:$/gm)?.length).toBe(linux.match(/^IOMMU Group \d+:$/gm)?.length);
    });

    it('export tree draws what lspci -tv draws', () => {
        const lspci = run('lspci', ['-i', idsFile, '-F', path.join(oracle, topology, 'lspci-x.txt'), '-tv']);
        expect(exportOf('tree', platform!, names, { profile: 'kvm' })).toBe(lspci);
    });
});
