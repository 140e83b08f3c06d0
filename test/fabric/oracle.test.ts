// The whole engine against real Linux: each QEMU `virt` topology of the oracle (Linux 6.1, no
// firmware: Linux numbered every bus and placed every BAR itself) is simulated through the same
// simulate() the CLI and the server call, and compared field by field with what Linux did.
// Fixtures: test/fixtures/oracle/<topology>/{platform.pciplat, expected.json}.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/engine/simulate.js';
import type { FunctionResult } from '../../src/engine/result.js';
import { platformFromText, platformsFromFile } from '../helpers/platforms.js';

const root = path.join(__dirname, '..', 'fixtures', 'oracle');
const topologies = fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'expected.json')));

interface Range { start: string; end: string }
interface Expected {
    functions: { name: string; bdf: string; bus: number; bars: (Range & { index: number })[]; rom: Range | null; groupAtBoot: number | null }[];
    bridges: { name: string; secondary: number; subordinate: number; windows: Partial<Record<'io' | 'mem' | 'prefetch', Range>> }[];
    groupsAtBoot: string[][];
}

const hex = (v: bigint | undefined) => (v === undefined ? undefined : `0x${v.toString(16)}`);
const sets = (groups: string[][]) => groups.map((g) => [...g].sort().join(' ')).sort();

describe.each(topologies)('oracle topology %s', async (topology) => {
    const expected = JSON.parse(fs.readFileSync(path.join(root, topology, 'expected.json'), 'utf8')) as Expected;
    const [platform] = await platformsFromFile(path.join(root, topology, 'platform.pciplat'));
    // The oracle is Linux on bare metal (no hypervisor): the kvm profile is that host's view.
    const result = simulate(platform!, { profile: 'kvm' });
    const byName = new Map<string, FunctionResult>(result.functions.map((f) => [f.name, f]));

    it('finds exactly the functions the SMMU driver refused, and nothing else', () => {
        // Linux left these without an IOMMU group: another master already owned their StreamID.
        const refused = expected.functions.filter((f) => f.groupAtBoot === null).map((f) => f.name);
        const reported = result.findings.map((f) => `${f.code} ${f.message.split(' ')[0]}`);
        expect(reported.sort()).toEqual(refused.map((name) => `SMMU-STREAM-ID-SHARED ${name}`).sort());
    });

    it('numbers every function on the bus Linux did', () => {
        const actual = expected.functions.map((f) => `${f.name} ${f.bdf} ${byName.get(f.name) && `0000:${byName.get(f.name)!.bus!.toString(16).padStart(2, '0')}`}`);
        expect(actual).toEqual(expected.functions.map((f) => `${f.name} ${f.bdf} ${f.bdf.slice(0, 7)}`));
    });

    it("gives every bridge Linux's secondary, subordinate and windows", () => {
        const actual = expected.bridges.map((b) => {
            const bridge = byName.get(b.name)?.bridge;
            const windows = Object.fromEntries((bridge?.windows ?? []).map((w) => [w.window, { start: hex(w.start), end: hex(w.end) }]));
            return { name: b.name, secondary: Number(bridge?.secondary), subordinate: Number(bridge?.subordinate), windows };
        });
        expect(actual).toEqual(expected.bridges.map((b) => ({ name: b.name, secondary: b.secondary, subordinate: b.subordinate, windows: b.windows })));
    });

    it('places every BAR and ROM where Linux did', () => {
        const actual = expected.functions.map((f) => {
            const r = byName.get(f.name);
            return {
                name: f.name,
                bars: (r?.bars ?? []).filter((b) => f.bars.some((e) => e.index === b.index)).map((b) => ({ index: b.index, start: hex(b.address), end: hex(b.address === undefined ? undefined : b.address + b.size - 1n) })),
                rom: r?.rom?.address === undefined ? null : { start: hex(r.rom.address), end: hex(r.rom.address + r.rom.size - 1n) },
            };
        });
        expect(actual).toEqual(expected.functions.map((f) => ({ name: f.name, bars: f.bars.map((b) => ({ index: b.index, start: b.start, end: b.end })), rom: f.rom && { start: f.rom.start, end: f.rom.end } })));
    });

    it('forms the IOMMU groups Linux formed at boot', () => {
        expect(sets(result.groups.map((g) => g.members))).toEqual(sets(expected.groupsAtBoot));
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
