// Group numbers against real Linux 6.1 on each IOMMU path: x86 q35 + intel-iommu
// (test/fixtures/oracle-x86), device tree (test/fixtures/oracle) and ACPI IORT
// (test/fixtures/oracle-uefi), the x86 and UEFI ones converted from the team's oracle with
// oracle-tool/to_pciplat.py --x86 / --uefi. Not only which functions share a group, but the number
// each group gets, i.e. the /dev/vfio/N the user sees. On VT-d the IOMMU driver registers after PCI
// enumeration and bus_iommu_probe walks the PCI devices in the order they were added; on device
// tree and IORT a device is grouped when its driver probes it, bridges (built-in port drivers) first.
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

describe('ACPI IORT oracle (Linux 6.1 on QEMU virt + UEFI): group numbers', () => {
    // pxb is left out: to_pciplat.py --uefi writes only the pcie.0 root bus, and the expander's
    // functions take group numbers in between.
    const UEFI = path.join(__dirname, '..', 'fixtures', 'oracle-uefi');
    it.each(['flat', 'switch', 'rootports', 'legacy'])('%s: every function gets the group number Linux gave it (acpi_dma_configure at driver probe: bridges first)', async (topo) => {
        const [platform] = await platformsFromFile(path.join(UEFI, topo, 'platform.pciplat'));
        const expected = JSON.parse(fs.readFileSync(path.join(UEFI, topo, 'expected.json'), 'utf8')) as { groups: Record<string, number | null> };
        const ids = analyseIds(enumerate(platform!).topology, platform!);
        expect(Object.fromEntries(ids.functions.map((f) => [f.name, f.group]))).toEqual(expected.groups);
    });
});
