// The whole engine against real Linux: each QEMU `virt` topology of the oracle (Linux 6.1, no
// firmware: Linux numbered every bus and placed every BAR itself) is simulated through the same
// simulate() the CLI and the server call, and compared field by field with what Linux did.
// Fixtures: test/fixtures/oracle/<topology>/{platform.pciplat, expected.json}.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/engine/simulate.js';
import { barsAndRoms, bridgeWindows, busNumbers, groupSets, resultsByName, type OracleExpected } from '../helpers/oracle.js';
import { platformFromText, platformsFromFile } from '../helpers/platforms.js';

const root = path.join(__dirname, '..', 'fixtures', 'oracle');
const topologies = fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'expected.json')));

describe.each(topologies)('oracle topology %s', async (topology) => {
    const expected = JSON.parse(fs.readFileSync(path.join(root, topology, 'expected.json'), 'utf8')) as OracleExpected;
    const [platform] = await platformsFromFile(path.join(root, topology, 'platform.pciplat'));
    // The oracle is Linux on bare metal (no hypervisor): the kvm profile is that host's view.
    const result = simulate(platform!, { profile: 'kvm' });
    const byName = resultsByName(result);

    it('finds exactly the functions the SMMU driver refused, and nothing else', () => {
        // Linux left these without an IOMMU group: another master already owned their StreamID.
        const refused = expected.functions.filter((f) => f.groupAtBoot === null).map((f) => f.name);
        const reported = result.findings.map((f) => `${f.code} ${f.message.split(' ')[0]}`);
        expect(reported.sort()).toEqual(refused.map((name) => `SMMU-STREAM-ID-SHARED ${name}`).sort());
    });

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

    it('forms the IOMMU groups Linux formed at boot', () => {
        expect(groupSets(result.groups.map((g) => g.members))).toEqual(groupSets(expected.groupsAtBoot));
    });
});

describe('who reports an IOMMU fault', () => {
    const text = `platform p {
  arch arm64
  its gits0 at 0x801_0002_0000 device-id-bits 20
  smmu smmu0 v3 at 0x4000_0000 stream-id-bits 16
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M
    bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x100 -> smmu0 0x0
    msi-map rid 0x0 count 0x1000 -> gits0 0x0
    root-port rp0 at 00:01.0 {
      endpoint nic0 at 01:00.0 { bar 0 mem32 size 16K }
    }
  }
}
`;
    it('Linux on bare metal (kvm): its IOMMU driver gives the device no IOMMU', async () => {
        const result = simulate(await platformFromText(text), { profile: 'kvm' });
        expect(result.findings.map((f) => f.code)).toEqual(['MAP-RID-UNMAPPED']);
    });

    it('under Xen, Xen drives the SMMU and reports it once, in its own terms', async () => {
        const result = simulate(await platformFromText(text), { profile: 'arm-design' });
        expect(result.findings.map((f) => f.code)).toEqual(['XEN-NO-STREAMID']);
    });
});
