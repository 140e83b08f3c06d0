// Linux 6.1's ID-keyed quirk tables (src/fabric/quirks): every row of pci_dev_acs_enabled[] and
// of the DMA-alias, bridge and reset fixups, each exercised on a platform with the row's IDs and
// on the same platform with IDs no row names, with the group, alias or reset Linux gives. The
// expected shapes follow from each Linux function's test (drivers/pci/quirks.c, 6.1.y).
import { describe, expect, it } from 'vitest';
import { enumerate } from '../../src/fabric/enumerate.js';
import { analyseIds } from '../../src/fabric/groups/analyse-ids.js';
import { ACS_QUIRK_ROWS, CAVIUM_ACS_RANGES, INTEL_PCH_ACS_IDS, INTEL_SPT_PCH_ACS_RANGES, WANGXUN_NIC_RANGES, ZHAOXIN_PORT_RANGES, type AcsQuirkFn } from '../../src/fabric/quirks/acs-table.js';
import { FIXUP_ROWS, type FixupRow } from '../../src/fabric/quirks/fixup-table.js';
import { simulate } from '../../src/engine/simulate.js';
import type { Platform } from '../../src/model/platform.js';
import { platformFromText } from '../helpers/platforms.js';

const OTHER_VENDOR = 0x1af4n; // Red Hat virtio: no row names it
const h = (v: bigint) => `0x${v.toString(16)}`;

function x86(body: string, opts: { iommu?: 'vt-d' | 'amd-vi'; linux?: string } = {}): string {
    return `platform p {
  arch x86_64
  iommu dmar0 ${opts.iommu ?? 'vt-d'} at 0xfed9_0000 scope pcie0
  host-bridge pcie0 segment 0 {
    mcfg at 0xe000_0000 buses 0x00..0xff
    window mem32 at 0xc000_0000 size 512M
    window mem64 prefetch at 0x380_0000_0000 size 256G
    window io at 0x1000 size 0xf000
${body}
  }
${opts.linux ? `  linux { ${opts.linux} }` : ''}
}
`;
}

function groupsOf(platform: Platform): string[][] {
    const topology = enumerate(platform).topology;
    return analyseIds(topology, platform)
        .groups.map((g) => [...g.members].sort())
        .sort((a, b) => (a.join() < b.join() ? -1 : 1));
}

async function run(text: string) {
    const platform = await platformFromText(text);
    const topology = enumerate(platform).topology;
    return { platform, ids: analyseIds(topology, platform) };
}

// --- ACS ------------------------------------------------------------------------------------

/** The device kind a Linux ACS function tests, and the platform that shows what it decides. */
type Shape = 'mf-endpoint' | 'rciep' | 'root-ports' | 'root-ports-acs' | 'amd-sb';

const SHAPE: Record<AcsQuirkFn, Shape> = {
    pci_quirk_amd_sb_acs: 'amd-sb',
    pci_quirk_mf_endpoint_acs: 'mf-endpoint',
    pci_quirk_wangxun_nic_acs: 'mf-endpoint',
    pci_quirk_rciep_acs: 'rciep',
    pci_quirk_qcom_rp_acs: 'root-ports',
    pci_quirk_nxp_rp_acs: 'root-ports',
    pci_quirk_xgene_acs: 'root-ports',
    pci_quirk_brcm_acs: 'root-ports',
    pci_quirk_loongson_acs: 'root-ports',
    pci_quirk_al_acs: 'root-ports',
    pci_quirk_cavium_acs: 'root-ports',
    pci_quirk_zhaoxin_pcie_ports_acs: 'root-ports',
    pci_quirk_intel_pch_acs: 'root-ports',
    pci_quirk_intel_spt_pch_acs: 'root-ports-acs',
};

function shapePlatform(shape: Shape, vendor: bigint, device: bigint): string {
    const id = `vendor ${h(vendor)} device ${h(device)}`;
    switch (shape) {
        // Two functions of one device below a root port with ACS: without ACS of their own
        // (no capability) they share a group; isolated functions get one each.
        case 'mf-endpoint':
            return x86(`    root-port rp0 at 00:01.0 vendor 0x8086 device 0x0c01 { acs sv rr cr uf
      endpoint f0 at 01:00.0 ${id} { multifunction  bar 0 mem64 size 16K }
      endpoint f1 at 01:00.1 ${id} { bar 0 mem64 size 16K }
    }`);
        // Two root-complex integrated endpoints of one slot on the root bus.
        case 'rciep':
            return x86(`    rc-endpoint f0 at 00:1f.0 ${id} { multifunction  bar 0 mem64 size 16K }
    rc-endpoint f1 at 00:1f.3 ${id} { bar 0 mem64 size 16K }`);
        // Two root ports of one slot without an ACS capability, an endpoint below each.
        case 'root-ports':
        case 'root-ports-acs': {
            const acs = shape === 'root-ports-acs' ? ' acs sv rr cr uf' : '';
            return x86(`    root-port rp0 at 00:1c.0 ${id} { multifunction${acs}
      endpoint e0 at 01:00.0 vendor 0x1af4 device 0x1041 { bar 0 mem64 size 16K }
    }
    root-port rp1 at 00:1c.1 ${id} {${acs}
      endpoint e1 at 02:00.0 vendor 0x1af4 device 0x1041 { bar 0 mem64 size 16K }
    }`);
        }
        // Two southbridge functions on the root bus of an AMD-Vi (IVRS) platform.
        case 'amd-sb':
            return x86(
                `    pci-device f0 at 00:14.0 ${id} { multifunction  bar 0 mem32 size 4K }
    pci-device f1 at 00:14.3 ${id} { bar 0 mem32 size 4K }`,
                { iommu: 'amd-vi' },
            );
    }
}

const ISOLATED: Record<Shape, string[][]> = {
    'mf-endpoint': [['f0'], ['f1'], ['rp0']],
    rciep: [['f0'], ['f1']],
    'root-ports': [['e0'], ['e1'], ['rp0'], ['rp1']],
    'root-ports-acs': [['e0'], ['e1'], ['rp0'], ['rp1']],
    'amd-sb': [['f0'], ['f1']],
};

const SHARED: Record<Shape, string[][]> = {
    'mf-endpoint': [['f0', 'f1'], ['rp0']],
    rciep: [['f0', 'f1']],
    'root-ports': [['e0', 'e1', 'rp0', 'rp1']],
    // With an ACS capability Linux enables, the standard test isolates the ports as well.
    'root-ports-acs': [['e0'], ['e1'], ['rp0'], ['rp1']],
    'amd-sb': [['f0', 'f1']],
};

/** A device ID each row answers "isolated" for: the row's own, or one its function's list or range holds. */
function devicesFor(fn: AcsQuirkFn, device: bigint | 'any'): bigint[] {
    if (device !== 'any') return [device];
    const ends = (ranges: readonly (readonly [bigint, bigint])[]) => ranges.flatMap(([lo, hi]) => (lo === hi ? [lo] : [lo, hi]));
    switch (fn) {
        case 'pci_quirk_intel_pch_acs':
            return [...INTEL_PCH_ACS_IDS];
        case 'pci_quirk_intel_spt_pch_acs':
            return ends(INTEL_SPT_PCH_ACS_RANGES);
        case 'pci_quirk_cavium_acs':
            return ends(CAVIUM_ACS_RANGES);
        case 'pci_quirk_zhaoxin_pcie_ports_acs':
            return ends(ZHAOXIN_PORT_RANGES);
        case 'pci_quirk_wangxun_nic_acs':
            return ends(WANGXUN_NIC_RANGES);
        case 'pci_quirk_rciep_acs':
            return [0x1234n]; // any Intel device ID no earlier row names
        default:
            throw new Error(`${fn} has no PCI_ANY_ID row`);
    }
}

const ACS_CASES = ACS_QUIRK_ROWS.flatMap((row, index) =>
    devicesFor(row.fn, row.device).map((device) => ({ index, fn: row.fn, vendor: row.vendor, device, label: `${h(row.vendor)}:${h(device)} ${row.fn}` })),
);

describe("pci_dev_acs_enabled[]: every row, with its IDs and without", () => {
    it.each(ACS_CASES)('row $index: $label', async ({ fn, vendor, device }) => {
        const shape = SHAPE[fn];
        const withIds = await platformFromText(shapePlatform(shape, vendor, device));
        expect(groupsOf(withIds)).toEqual(ISOLATED[shape]);
        const without = await platformFromText(shapePlatform(shape, OTHER_VENDOR, device));
        expect(groupsOf(without)).toEqual(SHARED[shape]);
        // The table off: Linux's answer is gone (only the standard ACS test remains).
        const off: Platform = { ...withIds, linux: { ...withIds.linux, noIdQuirks: true } };
        expect(groupsOf(off)).toEqual(SHARED[shape]);
    });

    it('every row of the table is exercised', () => {
        expect(new Set(ACS_CASES.map((c) => c.index)).size).toBe(ACS_QUIRK_ROWS.length);
    });
});

describe('what the ACS functions test besides the IDs', () => {
    it('pci_quirk_rciep_acs: an Intel endpoint that is not root-complex integrated gets no answer', async () => {
        const text = shapePlatform('mf-endpoint', 0x8086n, 0x1234n);
        expect(groupsOf(await platformFromText(text))).toEqual(SHARED['mf-endpoint']);
    });

    it('pci_quirk_amd_sb_acs: without an AMD IOMMU (no IVRS) the southbridge functions share a group', async () => {
        const text = shapePlatform('amd-sb', 0x1002n, 0x4385n).replace('amd-vi', 'vt-d');
        expect(groupsOf(await platformFromText(text))).toEqual(SHARED['amd-sb']);
    });

    it('pci_quirk_intel_pch_acs: with ACS deferred, the workaround is never enabled and the PCH ports do not isolate', async () => {
        const text = shapePlatform('root-ports', 0x8086n, 0x8d10n).replace('  host-bridge', '  host-bridge').replace('\n}\n', '\n  linux { acs deferred }\n}\n');
        expect(groupsOf(await platformFromText(text))).toEqual(SHARED['root-ports']);
    });

    it('pci_quirk_zhaoxin_pcie_ports_acs: another Zhaoxin root port is "not isolated" even with an ACS capability', async () => {
        const text = shapePlatform('root-ports-acs', 0x1d17n, 0x0800n);
        expect(groupsOf(await platformFromText(text))).toEqual([['e0', 'e1', 'rp0', 'rp1']]);
        const other = shapePlatform('root-ports-acs', OTHER_VENDOR, 0x0800n);
        expect(groupsOf(await platformFromText(other))).toEqual(ISOLATED['root-ports-acs']);
    });

    it('pci_quirk_wangxun_nic_acs: another Wangxun device is "not isolated" even with an ACS capability', async () => {
        const text = shapePlatform('mf-endpoint', 0x8088n, 0x9999n).replace(/multifunction /, 'multifunction acs ').replace('{ bar 0 mem64 size 16K }\n    }', '{ acs  bar 0 mem64 size 16K }\n    }');
        expect(groupsOf(await platformFromText(text))).toEqual(SHARED['mf-endpoint']);
    });

    it('a written `quirk no-acs` wins over the table, and the hover/JSON list says where each answer came from', async () => {
        const text = shapePlatform('mf-endpoint', 0x8086n, 0x1521n).replace('{ multifunction ', '{ multifunction  quirk no-acs ').replace('f1 at 01:00.1 vendor 0x8086 device 0x1521 {', 'f1 at 01:00.1 vendor 0x8086 device 0x1521 { quirk no-acs ');
        expect(groupsOf(await platformFromText(text))).toEqual(SHARED['mf-endpoint']);
        const { ids } = await run(text);
        expect(ids.byName.get('f0')!.quirks).toEqual([{ source: 'written', linux: 'no-acs', effect: 'no-acs', why: 'written in the platform (it replaces the Linux table for its kind)' }]);
        const plain = await run(shapePlatform('mf-endpoint', 0x8086n, 0x1521n));
        expect(plain.ids.byName.get('f0')!.quirks).toEqual([
            {
                source: 'table',
                linux: 'pci_quirk_mf_endpoint_acs',
                effect: 'acs-isolated',
                why: "Linux's pci_quirk_mf_endpoint_acs matches 8086:1521: the vendor verified that its functions do no peer-to-peer with each other",
            },
        ]);
    });
});

describe('pcie_acs_override= (linux { acs-override })', () => {
    it('id VVVV DDDD isolates those IDs when they have no ACS capability; other IDs keep sharing', async () => {
        const text = (linux: string) => x86(`    root-port rp0 at 00:01.0 vendor 0x8086 device 0x0c01 { acs sv rr cr uf
      endpoint f0 at 01:00.0 vendor 0x1af4 device 0x1041 { multifunction  bar 0 mem64 size 16K }
      endpoint f1 at 01:00.1 vendor 0x1af4 device 0x1041 { bar 0 mem64 size 16K }
    }`, { linux });
        expect(groupsOf(await platformFromText(text('acs-override id 0x1af4 0x1041')))).toEqual(ISOLATED['mf-endpoint']);
        expect(groupsOf(await platformFromText(text('acs-override id 0x1af4 0x1042')))).toEqual(SHARED['mf-endpoint']);
    });
});

// --- fixups: DMA aliases, bridges, resets ----------------------------------------------------

/** A platform that puts a fixup row's IDs where its function acts, and what Linux then does. */
interface FixupCase {
    text: (vendor: bigint, device: bigint) => string;
    /** What is true with the row's IDs (and false with another vendor). */
    check: (platform: Platform) => unknown;
    withIds: unknown;
    without: unknown;
}

const ID = (vendor: bigint, device: bigint, extra = '') => `vendor ${h(vendor)} device ${h(device)}${extra}`;

function aliasesOf(platform: Platform, name: string): string[] {
    const { ids } = { ids: analyseIds(enumerate(platform).topology, platform) };
    return ids.byName.get(name)!.aliases.map(h);
}

/** Two functions of one slot, each with an ACS capability implementing nothing (isolated), below a root port. */
const pair = (vendor: bigint, device: bigint) =>
    x86(`    root-port rp0 at 00:01.0 vendor 0x8086 device 0x0c01 { acs sv rr cr uf
      endpoint f0 at 01:00.0 ${ID(vendor, device)} { multifunction  acs  bar 0 mem64 size 16K }
      endpoint f1 at 01:00.1 ${ID(vendor, device)} { acs  bar 0 mem64 size 16K }
    }`);

function resetCase(method: 'flr' | 'bus' | 'pm', extra = '', bridgeIds = 'vendor 0x8086 device 0x0c01'): FixupCase['text'] {
    return (vendor, device) =>
        x86(`    root-port rp0 at 00:01.0 ${method === 'bus' && bridgeIds === 'ROW' ? ID(vendor, device) : bridgeIds} { acs sv rr cr uf
      endpoint d0 at 01:00.0 ${method === 'bus' && bridgeIds === 'ROW' ? 'vendor 0x1af4 device 0x1041' : ID(vendor, device, extra)} { bar 0 mem64 size 16K  reset ${method} }
    }
  }
  kvm {
    vm vm1 { memory 1G  assign d0 }
  }
  scenario s {
    boot
    reset d0 ${method}
  }
  host-bridge unused segment 1 {
    mcfg at 0xf000_0000 buses 0x00..0x00`);
}

function resetRefused(method: string) {
    return (platform: Platform) => simulate(platform, { scenario: 's', profile: 'kvm' }).findings.filter((f) => f.code === 'SCN-RESET-METHOD' && f.message.startsWith(`reset d0 ${method}`)).length;
}

function fixupCase(row: FixupRow): FixupCase {
    const sub = row.linux === 'quirk_fixed_dma_alias' ? ' subsystem-vendor 0x9005 subsystem 0x02bb' : '';
    const rev = row.linux === 'quirk_no_flr_snet' ? ' revision 0x1' : '';
    const cls = row.effect.kind === 'no-pm-reset' && row.vendor === 0x1002n ? ' class 0x030000' : '';
    switch (row.effect.kind) {
        case 'dma-func0-alias':
            return { text: pair, check: (p) => [aliasesOf(p, 'f1'), groupsOf(p)], withIds: [['0x101', '0x100'], [['f0', 'f1'], ['rp0']]], without: [['0x101'], [['f0'], ['f1'], ['rp0']]] };
        case 'dma-func1-alias':
            return { text: pair, check: (p) => [aliasesOf(p, 'f0'), groupsOf(p)], withIds: [['0x100', '0x101'], [['f0', 'f1'], ['rp0']]], without: [['0x100'], [['f0'], ['f1'], ['rp0']]] };
        case 'dma-alias': {
            const devfns = row.effect.devfns;
            const text = (vendor: bigint, device: bigint) =>
                x86(`    root-port rp0 at 00:01.0 vendor 0x8086 device 0x0c01 { acs sv rr cr uf
      endpoint d0 at 01:00.0 ${ID(vendor, device, sub)} { bar 0 mem64 size 16K }
    }`);
            return { text, check: (p) => aliasesOf(p, 'd0'), withIds: ['0x100', ...devfns.map((d) => h(0x100n | d))], without: ['0x100'] };
        }
        case 'pcie-bridge-alias': {
            // A conventional bridge below a root port: its endpoint's DMA shows (secondary, 00.0), not the bridge's RID.
            const text = (vendor: bigint, device: bigint) =>
                x86(`    root-port rp0 at 00:01.0 vendor 0x8086 device 0x0c01 { acs sv rr cr uf
      pci-bridge pb0 at 01:00.0 ${ID(vendor, device)} {
        pci-device d0 at 02:01.0 vendor 0x10ec device 0x8139 { bar 0 io size 256 }
      }
    }`);
            return { text, check: (p) => aliasesOf(p, 'd0'), withIds: ['0x208', '0x200'], without: ['0x208', '0x100'] };
        }
        case 'bridge-xlate-root': {
            // The IOMMU sits at this bridge: the PCIe-to-PCI bridge's (secondary, 00.0) alias is never seen.
            const text = (vendor: bigint, device: bigint) =>
                x86(`    pcie-pci-bridge pb0 at 00:01.0 ${ID(vendor, device)} {
      pci-device d0 at 01:01.0 vendor 0x10ec device 0x8139 { bar 0 io size 256 }
    }`);
            return { text, check: (p) => aliasesOf(p, 'd0'), withIds: ['0x108'], without: ['0x108', '0x100'] };
        }
        case 'no-flr':
            return { text: resetCase('flr', rev), check: resetRefused('flr'), withIds: 1, without: 0 };
        case 'no-pm-reset':
            return { text: resetCase('pm', cls), check: resetRefused('pm'), withIds: 1, without: 0 };
        case 'no-bus-reset':
            return { text: resetCase('bus', '', row.linux === 'quirk_no_bus_reset' && row.device === 0xa100n ? 'ROW' : undefined), check: resetRefused('bus'), withIds: 1, without: 0 };
    }
}

const FIXUP_CASES = FIXUP_ROWS.map((row, index) => ({ index, row, label: `${h(row.vendor)}:${row.device === 'any' ? 'any' : h(row.device)} ${row.linux}` }));

describe('DMA-alias, bridge and reset fixups: every row, with its IDs and without', () => {
    it.each(FIXUP_CASES)('row $index: $label', async ({ row }) => {
        const c = fixupCase(row);
        const device = row.device === 'any' ? (row.effect.kind === 'no-bus-reset' ? 0x2341n : 0x6798n) : row.device;
        const withIds = await platformFromText(c.text(row.vendor, device));
        expect(c.check(withIds)).toEqual(c.withIds);
        const without = await platformFromText(c.text(OTHER_VENDOR, device));
        expect(c.check(without)).toEqual(c.without);
        expect(c.check({ ...withIds, linux: { ...withIds.linux, noIdQuirks: true } })).toEqual(c.without);
    });
});
