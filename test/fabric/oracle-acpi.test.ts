// The ACPI placement path against real Linux (Linux 6.1 reassigning what firmware left, through
// pci_assign_unassigned_root_bus_resources() with its realloc list, not pci_host_probe()):
// - `uefi/`: the oracle topologies booted through UEFI (QEMU virt + EDK2, acpi=force), where Linux
//   reassigned every bus number, BAR, ROM and window itself; on switch and legacy its windows
//   differ from the device-tree boot. The platforms carry an MCFG host bridge and an IORT, which
//   is what makes the simulator take that path.
// - `x86/`: q35 with SeaBIOS, whose addresses are written in the platform; SeaBIOS assigns no VF
//   BARs, so Linux turns realloc on by itself and releases firmware's windows to try again.
// Fixtures: test/fixtures/oracle/<topology>/<flavour>/{platform.pciplat, expected.json}
// (extract.py --uefi). The five shared topologies, and four booted for this path with the oracle
// tool (their QEMU options, command line and raw result are kept beside them): `sriov` (two SR-IOV
// PFs, one behind a switch, a ROM, an empty hot-plug port; also on x86), `sriov-realloc` (the same
// with pci=realloc: four tries, the first without the realloc list), `full` (pci=hpmemsize=256M:
// the optional sizes do not fit in the 32-bit window, so Linux falls back to the required sizes
// and grows what it can) and `full-realloc` (the same with pci=realloc: the first try fails, Linux
// tries again and leaves two windows, a BAR and a ROM unassigned).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/engine/simulate.js';
import { barsAndRoms, bridgeWindows, busNumbers, groupSets, resultsByName, type OracleExpected } from '../helpers/oracle.js';
import { platformsFromFile } from '../helpers/platforms.js';

const root = path.join(__dirname, '..', 'fixtures', 'oracle');
const runs = fs
    .readdirSync(root)
    .flatMap((topology) => ['uefi', 'x86'].map((flavour) => `${topology}/${flavour}`))
    .filter((run) => fs.existsSync(path.join(root, run, 'expected.json')));

describe.each(runs)('ACPI oracle %s', async (run) => {
    const dir = path.join(root, run);
    const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as OracleExpected;
    const [platform] = await platformsFromFile(path.join(dir, 'platform.pciplat'));
    const result = simulate(platform!, { profile: 'kvm' });
    const byName = resultsByName(result);

    it('numbers every function on the bus Linux did', () => {
        const { actual, expected: linux } = busNumbers(expected, byName);
        expect(actual).toEqual(linux);
    });

    it("gives every bridge Linux's secondary, subordinate and windows", () => {
        const { actual, expected: linux } = bridgeWindows(expected, byName);
        expect(actual).toEqual(linux);
    });

    it('places every BAR and ROM where Linux did', () => {
        const { actual, expected: linux } = barsAndRoms(expected, byName);
        expect(actual).toEqual(linux);
    });

    it('forms the IOMMU groups Linux formed at boot (IORT or DMAR: ACS on from the start)', () => {
        expect(groupSets(result.groups.map((g) => g.members))).toEqual(groupSets(expected.groupsAtBoot));
    });
});
