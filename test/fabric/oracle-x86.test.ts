// Group numbers against real Linux 6.1 on x86 (QEMU q35 + intel-iommu, test/fixtures/oracle-x86,
// converted from the team's oracle with oracle-tool/to_pciplat.py --x86): not only which functions
// share a group, but the number each group gets, i.e. the /dev/vfio/N the user sees. On VT-d the
// IOMMU driver registers after PCI enumeration and bus_iommu_probe walks the PCI devices in the
// order they were added, so groups are numbered in add order.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { enumerate } from '../../src/fabric/enumerate.js';
import { analyseIds } from '../../src/fabric/groups/analyse-ids.js';
import { platformsFromFile } from '../helpers/platforms.js';

const DIR = path.join(__dirname, '..', 'fixtures', 'oracle-x86');
const TOPOLOGIES = ['flat', 'switch', 'rootports', 'legacy', 'pxb'];

describe('x86 oracle (Linux 6.1, q35 + VT-d): IOMMU group numbers', () => {
    it.each(TOPOLOGIES)('%s: every function gets the group number Linux gave it', async (topo) => {
        const [platform] = await platformsFromFile(path.join(DIR, topo, 'platform.pciplat'));
        const expected = JSON.parse(fs.readFileSync(path.join(DIR, topo, 'expected.json'), 'utf8')) as { groups: Record<string, number | null> };
        const ids = analyseIds(enumerate(platform!).topology, platform!);
        const got = Object.fromEntries(ids.functions.map((f) => [f.name, f.group]));
        expect(got).toEqual(expected.groups);
    });
});

describe('device-tree oracle (Linux 6.1 on QEMU virt): group numbers at boot', () => {
    const ORACLE = path.join(__dirname, '..', 'fixtures', 'oracle');
    it.each(['flat', 'legacy', 'pxb', 'rootports', 'switch'])('%s: every function gets the group number Linux gave it (of_iommu_configure at driver probe: bridges first)', async (topo) => {
        const [platform] = await platformsFromFile(path.join(ORACLE, topo, 'platform.pciplat'));
        const expected = JSON.parse(fs.readFileSync(path.join(ORACLE, topo, 'expected.json'), 'utf8')) as { functions: { name: string; groupAtBoot: number | null }[] };
        const ids = analyseIds(enumerate(platform!).topology, platform!);
        expect(Object.fromEntries(ids.functions.map((f) => [f.name, f.group]))).toEqual(Object.fromEntries(expected.functions.map((f) => [f.name, f.groupAtBoot])));
    });
});
