// Resource placement: exact agreement with what Linux 6.1 computed on the five oracle topologies
// (test/fixtures/oracle, copied from real boots), the sizing and assignment rules one by one on
// small platforms, and every placement finding firing on a bad platform and quiet on a good one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import type { HostBridge, PciFunction, Platform } from '../../src/model/platform.js';
import { placeResources } from '../../src/fabric/placement/place.js';
import { vfBarAddress, type PlacementResult } from '../../src/fabric/placement/result.js';
import type { Topology } from '../../src/fabric/topology.js';
import { platformFromText, platformsFromFile } from '../helpers/platforms.js';

const ORACLE = path.join(__dirname, '..', 'fixtures', 'oracle');
const TOPOLOGIES = ['flat', 'legacy', 'pxb', 'rootports', 'switch'];

interface ExpectedRange {
    start: string;
    end: string;
}
interface ExpectedFunction {
    name: string;
    bars: (ExpectedRange & { index: number; type: string })[];
    rom: ExpectedRange | null;
    sriovBars: (ExpectedRange & { index: number })[];
}
interface ExpectedBridge {
    name: string;
    windows: Partial<Record<'io' | 'mem' | 'prefetch', ExpectedRange>>;
}
interface Expected {
    functions: ExpectedFunction[];
    bridges: ExpectedBridge[];
}

const hex = (value: bigint | undefined) => (value === undefined ? undefined : '0x' + value.toString(16));

/** Everything placement says about addresses, in expected.json's shape. */
function placedLikeOracle(result: PlacementResult, expected: Expected) {
    const functions = expected.functions.map((f) => {
        const placed = result.functions.get(f.name);
        return {
            name: f.name,
            bars: [...(placed?.bars ?? new Map<number, bigint>())].sort(([a], [b]) => a - b).map(([index, start]) => ({ index, start: hex(start) })),
            rom: hex(placed?.rom),
            sriovBars: [...(placed?.vfBars ?? new Map<number, bigint>())].map(([index, start]) => ({ index, start: hex(start) })),
        };
    });
    const bridges = expected.bridges.map((b) => {
        const placed = result.bridges.get(b.name) ?? {};
        const windows: Record<string, ExpectedRange> = {};
        for (const slot of ['io', 'mem', 'prefetch'] as const) {
            const w = placed[slot];
            if (w) windows[slot] = { start: hex(w.start)!, end: hex(w.end)! };
        }
        return { name: b.name, windows };
    });
    return { functions, bridges };
}

function oracleView(expected: Expected) {
    return {
        functions: expected.functions.map((f) => ({
            name: f.name,
            bars: f.bars.map((b) => ({ index: b.index, start: b.start })),
            rom: f.rom?.start,
            sriovBars: f.sriovBars.map((b) => ({ index: b.index, start: b.start })),
        })),
        bridges: expected.bridges.map((b) => ({ name: b.name, windows: b.windows })),
    };
}

describe('placement agrees with Linux 6.1 on the oracle topologies', () => {
    for (const topology of TOPOLOGIES) {
        it(`places every BAR, ROM and bridge window of ${topology} where Linux did`, async () => {
            const [platform] = await platformsFromFile(path.join(ORACLE, topology, 'platform.pciplat'));
            const expected = JSON.parse(fs.readFileSync(path.join(ORACLE, topology, 'expected.json'), 'utf8')) as Expected;
            const result = placeResources(platform!);
            expect(placedLikeOracle(result, expected)).toEqual(oracleView(expected));
            // BAR sizes agree too: the end Linux computed is start + size - 1.
            for (const f of expected.functions) {
                const decl = findFunction(platform!, f.name);
                for (const bar of f.bars) {
                    const size = decl.bars.find((b) => b.index === bar.index)!.size;
                    expect(hex(BigInt(bar.start) + size - 1n)).toBe(bar.end);
                }
            }
            expect(result.findings).toEqual([]);
        });
    }
});

function findFunction(platform: Platform, name: string) {
    const stack = platform.hostBridges.flatMap((h) => h.functions);
    while (stack.length > 0) {
        const fn = stack.pop()!;
        if (fn.name === name) return fn;
        stack.push(...fn.children);
    }
    throw new Error(`no function ${name}`);
}

// ---------------------------------------------------------------------------------------------
// Small platforms: QEMU virt's host bridge (I/O at port 0, a 32-bit window, a 64-bit
// non-prefetchable window) unless a test gives its own windows.

const VIRT_WINDOWS = `
    window io at 0x3eff_0000 size 64K pci 0x0
    window mem32 at 0x1000_0000 size 0x2eff_0000
    window mem64 at 0x80_0000_0000 size 512G`;

function virt(body: string, windows = VIRT_WINDOWS, extra = ''): string {
    return `platform p {
  arch arm64${extra}
  host-bridge pcie segment 0 {
    ecam at 0x40_1000_0000 size 256M
    bus-range 0x00..0xff${windows}
${body}
  }
}
`;
}

async function place(text: string, topology?: (p: Platform) => Topology) {
    const platform = await platformFromText(text);
    return placeResources(platform, topology ? { topology: topology(platform) } : {});
}

/** BAR index → hex address, ROM and VF BAR apertures of one function. */
function addressesOf(result: PlacementResult, name: string) {
    const f = result.functions.get(name);
    if (!f) return undefined;
    const map = (m: Map<number, bigint>) => Object.fromEntries([...m].map(([i, a]) => [i, hex(a)]));
    return { bars: map(f.bars), rom: hex(f.rom), vfBars: map(f.vfBars ?? new Map()) };
}

function windowsOf(result: PlacementResult, name: string) {
    const b = result.bridges.get(name);
    if (!b) return undefined;
    const out: Record<string, string> = {};
    for (const slot of ['io', 'mem', 'prefetch'] as const) {
        const w = b[slot];
        if (w) out[slot] = `${hex(w.start)}..${hex(w.end)}${w.written ? ' written' : ''}${w.coversFirmware ? ' covering firmware' : ''}`;
    }
    return out;
}

describe('root bus assignment (pci_bus_assign_resources on the host bridge windows)', () => {
    it('assigns in decreasing alignment, first fit; 64-bit BARs go above 4 GiB, ROMs and 32-bit BARs below; I/O from port 0x1000', async () => {
        const result = await place(
            virt(`    rc-endpoint a at 00:01.0 { bar 0 mem32 size 4K  bar 1 io size 16  rom size 64K }
    rc-endpoint b at 00:02.0 { bar 0 mem64 size 1M  bar 2 mem32 prefetch size 64K  bar 4 io size 256 }`),
        );
        expect(addressesOf(result, 'a')).toEqual({ bars: { 0: '0x10020000', 1: '0x1100' }, rom: '0x10000000', vfBars: {} });
        expect(addressesOf(result, 'b')).toEqual({ bars: { 0: '0x8000000000', 2: '0x10010000', 4: '0x1000' }, rom: undefined, vfBars: {} });
        expect(result.findings).toEqual([]);
    });

    it('takes functions in scan order (device, function), not in the order they are written', async () => {
        const result = await place(
            virt(`    rc-endpoint z at 00:05.0 { bar 0 mem32 size 4K }
    rc-endpoint y1 at 00:01.1 { bar 0 mem32 size 4K }
    rc-endpoint y at 00:01.0 { multifunction  bar 0 mem32 size 4K }`),
        );
        expect([addressesOf(result, 'y')!.bars[0], addressesOf(result, 'y1')!.bars[0], addressesOf(result, 'z')!.bars[0]]).toEqual(['0x10000000', '0x10001000', '0x10002000']);
    });

    it('puts a bridge prefetchable window into a prefetchable 64-bit host window, and never a non-prefetchable BAR there', async () => {
        const result = await place(
            virt(
                `    rc-endpoint a at 00:01.0 { bar 0 mem64 size 16K  bar 2 mem64 prefetch size 16K }
    root-port rp at 00:02.0 { endpoint e at 00.0 { bar 0 mem64 prefetch size 1M } }`,
                `
    window mem32 at 0x1000_0000 size 256M
    window mem64 prefetch at 0x80_0000_0000 size 64G`,
            ),
        );
        expect(windowsOf(result, 'rp')).toEqual({ prefetch: '0x8000000000..0x80000fffff' });
        expect(addressesOf(result, 'e')!.bars).toEqual({ 0: '0x8000000000' });
        expect(addressesOf(result, 'a')!.bars).toEqual({ 0: '0x10000000', 2: '0x8000100000' });
    });

    it('falls back to the 32-bit window for 64-bit BARs when the host bridge has no 64-bit window', async () => {
        const result = await place(virt(`    rc-endpoint a at 00:01.0 { bar 0 mem64 prefetch size 1M  bar 2 mem64 size 64K }`, `
    window mem32 at 0x1000_0000 size 256M`));
        expect(addressesOf(result, 'a')!.bars).toEqual({ 0: '0x10000000', 2: '0x10100000' });
    });

    it('keeps written BARs where they are and places the others around them', async () => {
        const result = await place(
            virt(`    rc-endpoint w at 00:01.0 { bar 0 mem32 size 1M at 0x1000_0000 }
    rc-endpoint n at 00:02.0 { bar 0 mem32 size 1M }`),
        );
        expect(addressesOf(result, 'w')!.bars).toEqual({ 0: '0x10000000' });
        expect(addressesOf(result, 'n')!.bars).toEqual({ 0: '0x10100000' });
        expect(result.findings).toEqual([]);
    });
});

describe('bridge window sizing (pbus_size_io / pbus_size_mem, no realloc list)', () => {
    it('gives a hot-plug port 4 KiB I/O, 2 MiB memory and 2 MiB prefetchable even when empty, and an empty plain port nothing', async () => {
        const result = await place(virt(`    root-port hp at 00:01.0 { slot 1 hotplug }
    root-port plain at 00:02.0 { }`));
        expect(windowsOf(result, 'hp')).toEqual({ io: '0x1000..0x1fff', mem: '0x10000000..0x101fffff', prefetch: '0x8000000000..0x80001fffff' });
        expect(windowsOf(result, 'plain')).toEqual({});
    });

    it('takes the hot-plug sizes from pci=hpiosize/hpmemsize/hpmmioprefsize (hpmemsize sets both memory sizes)', async () => {
        const both = await place(virt(`    root-port hp at 00:01.0 { slot 1 hotplug }`, VIRT_WINDOWS, `
  linux { hpmemsize 8M hpiosize 8K }`));
        expect(windowsOf(both, 'hp')).toEqual({ io: '0x1000..0x2fff', mem: '0x10000000..0x107fffff', prefetch: '0x8000000000..0x80007fffff' });
        const pref = await place(virt(`    root-port hp at 00:01.0 { slot 1 hotplug }`, VIRT_WINDOWS, `
  linux { hpmmioprefsize 64M }`));
        expect(windowsOf(pref, 'hp')).toEqual({ io: '0x1000..0x1fff', mem: '0x10000000..0x101fffff', prefetch: '0x8000000000..0x8003ffffff' });
    });

    it('rounds memory windows to the alignment calculate_mem_align() finds, which may be smaller than the largest BAR', async () => {
        // pref: 64M + 1M BARs -> a 96 MiB window aligned to 32 MiB only; the 64 MiB BAR still lands
        // 64 MiB-aligned inside it because the window leaves room.
        const result = await place(
            virt(`    rc-endpoint r at 00:00.0 { bar 0 mem64 prefetch size 32M }
    root-port rp at 00:01.0 {
      endpoint e at 00.0 { bar 0 mem64 prefetch size 64M  bar 2 mem64 prefetch size 1M  bar 4 mem32 size 4K }
    }`),
        );
        expect(addressesOf(result, 'r')!.bars).toEqual({ 0: '0x8000000000' });
        expect(windowsOf(result, 'rp')).toEqual({ mem: '0x10000000..0x100fffff', prefetch: '0x8002000000..0x8007ffffff' });
        expect(addressesOf(result, 'e')!.bars).toEqual({ 0: '0x8004000000', 2: '0x8002000000', 4: '0x10000000' });
    });

    it('puts ROMs, 32-bit prefetchable and 64-bit non-prefetchable BARs behind a bridge in its 32-bit non-prefetchable window', async () => {
        const result = await place(
            virt(`    root-port rp at 00:01.0 {
      endpoint e at 00.0 { bar 0 mem32 prefetch size 64K  bar 1 mem64 size 16K  rom size 256K  bar 4 mem64 prefetch size 16K }
    }`),
        );
        expect(windowsOf(result, 'rp')).toEqual({ mem: '0x10000000..0x100fffff', prefetch: '0x8000000000..0x80000fffff' });
        expect(addressesOf(result, 'e')).toEqual({ bars: { 0: '0x10040000', 1: '0x10050000', 4: '0x8000000000' }, rom: '0x10000000', vfBars: {} });
    });

    it('puts every prefetchable BAR into a 32-bit prefetchable window when that is all the bridge has', async () => {
        const result = await place(
            virt(`    root-port rp at 00:01.0 {
      window mem32 prefetch 0x2000_0000..0x200f_ffff
      endpoint e at 00.0 { bar 0 mem64 prefetch size 64K  bar 2 mem32 prefetch size 64K  bar 4 mem32 size 4K }
    }`),
        );
        expect(windowsOf(result, 'rp')).toEqual({ mem: '0x10000000..0x100fffff', prefetch: '0x20000000..0x200fffff written' });
        expect(addressesOf(result, 'e')!.bars).toEqual({ 0: '0x20000000', 2: '0x20010000', 4: '0x10000000' });
        expect(result.findings).toEqual([]);
    });

    it('sizes I/O windows in 4 KiB, or 1 KiB on bridges with the 1K option, and places the larger alignment first', async () => {
        const result = await place(
            virt(`    root-port a at 00:01.0 { io-window-1k  endpoint x at 00.0 { bar 0 io size 256 } }
    root-port b at 00:02.0 { endpoint y at 00.0 { bar 0 io size 256 } }`),
        );
        expect(windowsOf(result, 'b')).toEqual({ io: '0x1000..0x1fff' });
        expect(windowsOf(result, 'a')).toEqual({ io: '0x2000..0x23ff' });
        expect(addressesOf(result, 'x')!.bars).toEqual({ 0: '0x2000' });
    });

    it('keeps written bridge windows and places the functions below inside them', async () => {
        const result = await place(
            virt(`    root-port rp at 00:03.0 {
      window mem32 0x2000_0000..0x201f_ffff
      endpoint e at 00.0 { bar 0 mem32 size 4K  bar 2 io size 16 }
    }`),
        );
        expect(windowsOf(result, 'rp')).toEqual({ io: '0x1000..0x1fff', mem: '0x20000000..0x201fffff written' });
        expect(addressesOf(result, 'e')!.bars).toEqual({ 0: '0x20000000', 2: '0x1000' });
        expect(result.findings).toEqual([]);
    });
});

describe("x86's pcibios_align_resource (arch/x86/pci/i386.c)", () => {
    const x86 = (body: string) => `platform p {
  arch x86_64
  host-bridge pcie segment 0 {
    mcfg at 0xe000_0000 buses 0x00..0x3f
    window io at 0x1000 size 0xf000
    window mem32 at 0x8_0000 size 0x7ff8_0000
${body}
  }
}
`;
    const body = `    rc-endpoint a at 00:01.0 { bar 0 io size 0x100 }
    rc-endpoint b at 00:02.0 { bar 0 io size 0x100 }
    rc-endpoint c at 00:03.0 { bar 0 io size 0x20  bar 1 mem32 size 4K }`;

    it('moves an I/O resource off the ISA alias bits (0x300) to the next 1 KiB, and memory above 1 MiB', async () => {
        const result = await place(x86(body));
        // a at 0x1000; b's first fit 0x1100 has bit 0x100 set: 0x1400; c's 0x1500 too: 0x1800.
        expect(addressesOf(result, 'a')!.bars).toEqual({ 0: '0x1000' });
        expect(addressesOf(result, 'b')!.bars).toEqual({ 0: '0x1400' });
        // c's memory BAR: the window starts at 0x80000, below BIOS_END: placed at 1 MiB.
        expect(addressesOf(result, 'c')!.bars).toEqual({ 0: '0x1800', 1: '0x100000' });
        expect(brief(result.findings)).toEqual([]);
    });

    it('does not apply on arm64: the same BARs pack at the aligned candidates', async () => {
        const arm = x86(body).replace('arch x86_64', 'arch arm64').replace('mcfg at 0xe000_0000 buses 0x00..0x3f', 'ecam at 0x40_1000_0000 size 64M\n    bus-range 0x00..0x3f');
        const result = await place(arm);
        // (arm64 numbers the range from logical port 0, so PCIBIOS_MIN_IO keeps its first 4 KiB free.)
        expect(addressesOf(result, 'a')!.bars).toEqual({ 0: '0x2000' });
        expect(addressesOf(result, 'b')!.bars).toEqual({ 0: '0x2100' });
        expect(addressesOf(result, 'c')!.bars).toEqual({ 0: '0x2200', 1: '0x80000' });
    });
});

describe('several host bridges', () => {
    it('numbers I/O ports per host bridge: only the first I/O range starts at logical port 0 and skips PCIBIOS_MIN_IO', async () => {
        const result = await place(`platform p {
  arch arm64
  host-bridge a segment 0 {
    ecam at 0x40_1000_0000 size 16M
    bus-range 0x00..0x0f
    window io at 0x3eff_0000 size 64K pci 0x0
    window mem32 at 0x1000_0000 size 256M
    rc-endpoint x at 00:01.0 { bar 0 io size 32  bar 1 mem32 size 4K }
  }
  host-bridge b segment 1 {
    ecam at 0x40_2000_0000 size 16M
    bus-range 0x00..0x0f
    window io at 0x3efe_0000 size 64K pci 0x0
    window mem32 at 0x2000_0000 size 256M
    rc-endpoint y at 00:01.0 { bar 0 io size 32  bar 1 mem32 size 4K }
  }
}
`);
        expect(addressesOf(result, 'x')!.bars).toEqual({ 0: '0x1000', 1: '0x10000000' });
        expect(addressesOf(result, 'y')!.bars).toEqual({ 0: '0x0', 1: '0x20000000' });
        expect(result.findings).toEqual([]);
    });
});

describe('SR-IOV VF BAR apertures (size x TotalVFs, aligned to the VF BAR size)', () => {
    const pf = (sriov: string) =>
        virt(`    root-port rp at 00:01.0 {
      endpoint pf at 00.0 {
        bar 0 mem32 size 16K
        ${sriov}
      }
    }`);

    it('sizes the apertures into the bridge windows as required resources and places them after the BARs of equal alignment', async () => {
        const result = await place(pf('sriov total-vfs 128 num-vfs 2 offset 0x80 stride 1 { vf-bar 0 mem64 prefetch size 16K  vf-bar 2 mem64 size 16K }'));
        // prefetch: 128 x 16K = 2 MiB; mem: 16K + 2 MiB -> 3 MiB.
        expect(windowsOf(result, 'rp')).toEqual({ mem: '0x10000000..0x102fffff', prefetch: '0x8000000000..0x80001fffff' });
        expect(addressesOf(result, 'pf')).toEqual({ bars: { 0: '0x10000000' }, rom: undefined, vfBars: { 0: '0x8000000000', 2: '0x10004000' } });
        expect(vfBarAddress(result.functions.get('pf')!.vfBars!.get(2)!, 16n << 10n, 127n)).toBe(0x10004000n + 127n * 0x4000n);
        expect(result.findings).toEqual([]);
    });

    it('reserves nothing when Linux refuses the capability (First VF Offset 0)', async () => {
        const result = await place(pf('sriov total-vfs 8 num-vfs 2 offset 0 stride 1 { vf-bar 0 mem64 prefetch size 16K }'));
        expect(addressesOf(result, 'pf')!.vfBars).toEqual({});
        expect(windowsOf(result, 'rp')).toEqual({ mem: '0x10000000..0x100fffff' });
    });

    it('places a root-bus aperture like a BAR aligned to one VF BAR', async () => {
        const result = await place(
            virt(`    rc-endpoint a at 00:01.0 { bar 0 mem32 size 64K  sriov total-vfs 4 num-vfs 0 offset 1 stride 1 { vf-bar 0 mem32 size 16K } }
    rc-endpoint b at 00:02.0 { bar 0 mem32 size 32K }`),
        );
        // 64K (a.bar0), then 32K (b.bar0), then the 4 x 16K aperture aligned to 16K.
        expect(addressesOf(result, 'a')).toEqual({ bars: { 0: '0x10000000' }, rom: undefined, vfBars: { 0: '0x10018000' } });
        expect(addressesOf(result, 'b')!.bars).toEqual({ 0: '0x10010000' });
    });
});

describe('functions Linux does not see or does not touch', () => {
    it('leaves functions the enumeration marks invisible out entirely', async () => {
        const text = virt(`    root-port rp at 00:01.0 { endpoint e at 01.0 { bar 0 mem32 size 4K } }`);
        const result = await place(text, (platform) => {
            const e = platform.hostBridges[0]!.functions[0]!.children[0]!;
            return { functions: [{ decl: e, isVf: false, invisible: 'device 1 below a root port' }] } as unknown as Topology;
        });
        expect(result.functions.has('e')).toBe(false);
        expect(windowsOf(result, 'rp')).toEqual({});
    });
});

// ---------------------------------------------------------------------------------------------
// Findings: exact code, message and location; quiet on the corrected platform.

/** The range of `snippet` (its n-th occurrence) in `text`, 0-based, as SourceLoc positions. */
function span(text: string, snippet: string, occurrence = 1) {
    let index = -1;
    for (let i = 0; i < occurrence; i++) {
        index = text.indexOf(snippet, index + 1);
        if (index < 0) throw new Error(`no ${snippet}`);
    }
    const position = (offset: number) => {
        const before = text.slice(0, offset).split('\n');
        return { line: before.length - 1, character: before[before.length - 1]!.length };
    };
    return { start: position(index), end: position(index + snippet.length) };
}

function brief(findings: Finding[]) {
    return findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, at: { start: f.loc?.start, end: f.loc?.end }, related: f.related.map((r) => r.message) }));
}

async function findingsOf(text: string) {
    return brief((await place(text)).findings);
}

describe('placement findings', () => {
    it('PCI-BAR-OUTSIDE-WINDOWS: a written BAR outside every host-bridge window (B.12 #12)', async () => {
        const bad = virt(`    rc-endpoint ep at 00:01.0 { bar 0 mem32 size 4K at 0x4000_0000 }`);
        expect(await findingsOf(bad)).toEqual([
            {
                code: 'PCI-BAR-OUTSIDE-WINDOWS',
                severity: 'error',
                message:
                    'BAR 0 of rc-endpoint ep at 0x40000000..0x40000fff lies outside every memory window of host bridge pcie (0x10000000..0x3efeffff, 0x8000000000..0xffffffffff): Linux cannot claim it and Xen on Arm refuses to map it.',
                at: span(bad, 'bar 0 mem32 size 4K at 0x4000_0000'),
                related: ['mem32 window 0x10000000..0x3efeffff of host bridge pcie', 'mem64 window 0x8000000000..0xffffffffff of host bridge pcie'],
            },
        ]);
        expect(await findingsOf(virt(`    rc-endpoint ep at 00:01.0 { bar 0 mem32 size 4K at 0x1000_0000 }`))).toEqual([]);
    });

    it('PCI-BAR-OUTSIDE-WINDOWS: an I/O BAR on a host bridge without I/O window', async () => {
        const bad = virt(`    rc-endpoint ep at 00:01.0 { bar 0 io size 32 at 0x1000 }`, `
    window mem32 at 0x1000_0000 size 256M`);
        expect(await findingsOf(bad)).toEqual([
            {
                code: 'PCI-BAR-OUTSIDE-WINDOWS',
                severity: 'error',
                message: 'BAR 0 of rc-endpoint ep at 0x1000..0x101f is I/O space, but host bridge pcie has no I/O window: nothing routes those addresses to it.',
                at: span(bad, 'bar 0 io size 32 at 0x1000'),
                related: [],
            },
        ]);
    });

    it('PCI-BAR-NONPREF-IN-PREF: non-prefetchable in a prefetchable window, or above 4 GiB behind a bridge (B.12 #13)', async () => {
        const root = virt(`    rc-endpoint ep at 00:01.0 { bar 0 mem64 size 4K at 0x80_0000_0000 }`, `
    window mem32 at 0x1000_0000 size 256M
    window mem64 prefetch at 0x80_0000_0000 size 64G`);
        expect(await findingsOf(root)).toEqual([
            {
                code: 'PCI-BAR-NONPREF-IN-PREF',
                severity: 'error',
                message:
                    'BAR 0 of rc-endpoint ep is not prefetchable but lies in the prefetchable mem64 prefetch window 0x8000000000..0x8fffffffff of host bridge pcie: Linux refuses to claim it there, and prefetching reads may have side effects on it.',
                at: span(root, 'bar 0 mem64 size 4K at 0x80_0000_0000'),
                related: ['mem64 prefetch window 0x8000000000..0x8fffffffff of host bridge pcie'],
            },
        ]);
        const bridged = virt(`    root-port rp at 00:01.0 {
      window mem32 0x2000_0000..0x200f_ffff
      window mem64 prefetch 0x80_0000_0000..0x80_000f_ffff
      endpoint a at 00.0 { bar 0 mem32 size 4K at 0x80_0000_0000  bar 2 mem64 size 4K at 0x90_0000_0000 }
    }`);
        expect(await findingsOf(bridged)).toEqual([
            {
                code: 'PCI-BAR-NONPREF-IN-PREF',
                severity: 'error',
                message:
                    'BAR 0 of endpoint a is not prefetchable but lies in the prefetch window 0x8000000000..0x80000fffff of root-port rp: a bridge may prefetch there, so a non-prefetchable BAR belongs in its memory window.',
                at: span(bridged, 'bar 0 mem32 size 4K at 0x80_0000_0000'),
                related: ['prefetch window 0x8000000000..0x80000fffff of root-port rp'],
            },
            {
                code: 'PCI-BAR-NONPREF-IN-PREF',
                severity: 'error',
                message:
                    'BAR 2 of endpoint a is not prefetchable and lies above 4 GiB (0x9000000000..0x9000000fff) behind root-port rp: a bridge forwards non-prefetchable memory only through its 32-bit memory window.',
                at: span(bridged, 'bar 2 mem64 size 4K at 0x90_0000_0000'),
                related: ['mem window 0x20000000..0x200fffff of root-port rp'],
            },
        ]);
        const good = virt(`    root-port rp at 00:01.0 {
      window mem32 0x2000_0000..0x200f_ffff
      window mem64 prefetch 0x80_0000_0000..0x80_000f_ffff
      endpoint a at 00.0 { bar 0 mem32 size 4K at 0x2000_0000  bar 2 mem64 size 4K at 0x2000_1000  bar 4 mem64 prefetch size 4K at 0x80_0000_0000 }
    }`);
        expect(await findingsOf(good)).toEqual([]);
    });

    it('PCI-BAR-OUTSIDE-BRIDGE-WINDOW: a written BAR outside its bridge window of matching type (B.12 #14)', async () => {
        const bad = virt(`    root-port rp at 00:01.0 {
      window mem32 0x2000_0000..0x200f_ffff
      endpoint a at 00.0 { bar 0 mem32 size 4K at 0x2010_0000 }
    }`);
        expect(await findingsOf(bad)).toEqual([
            {
                code: 'PCI-BAR-OUTSIDE-BRIDGE-WINDOW',
                severity: 'error',
                message:
                    'BAR 0 of endpoint a at 0x20100000..0x20100fff lies outside the mem window 0x20000000..0x200fffff of root-port rp: the bridge does not forward those addresses to it.',
                at: span(bad, 'bar 0 mem32 size 4K at 0x2010_0000'),
                related: ['mem window 0x20000000..0x200fffff of root-port rp'],
            },
        ]);
        const good = virt(`    root-port rp at 00:01.0 {
      window mem32 0x2000_0000..0x200f_ffff
      window io 0x1000..0x1fff
      endpoint a at 00.0 { bar 0 mem32 size 4K at 0x2000_0000  bar 2 io size 16 at 0x1000 }
    }`);
        expect(await findingsOf(good)).toEqual([]);
    });

    it('an unwritten window above written BARs covers them as firmware must have programmed it, and Linux places the rest inside it', async () => {
        const text = virt(`    root-port rp at 00:01.0 {
      endpoint a at 00.0 { bar 0 mem32 size 4K at 0x1000_0000  bar 2 mem32 size 4K  bar 4 io size 16 at 0x1000 }
    }`);
        const result = await place(text);
        expect(windowsOf(result, 'rp')).toEqual({ io: '0x1000..0x1fff covering firmware', mem: '0x10000000..0x100fffff covering firmware' });
        expect(addressesOf(result, 'a')!.bars).toEqual({ 0: '0x10000000', 2: '0x10001000', 4: '0x1000' });
        expect(brief(result.findings)).toEqual([]);
        // Through a switch: the downstream port's covering windows count as written for the upstream port.
        const nested = virt(`    root-port rp at 00:01.0 {
      switch-upstream usp at 00.0 {
        downstream-port dsp at 00.0 {
          endpoint e at 00.0 { bar 0 mem32 size 16K at 0x1030_0000  bar 2 mem64 prefetch size 16M at 0x80_0100_0000 }
        }
      }
    }`, `
    window mem32 at 0x1000_0000 size 0x2eff_0000
    window mem64 prefetch at 0x80_0000_0000 size 512G`);
        const placed = await place(nested);
        for (const bridge of ['rp', 'usp', 'dsp']) {
            expect(windowsOf(placed, bridge)).toEqual({ mem: '0x10300000..0x103fffff covering firmware', prefetch: '0x8001000000..0x8001ffffff covering firmware' });
        }
        expect(brief(placed.findings)).toEqual([]);
    });

    it('PCI-WINDOW-NOT-WRITTEN: no window can cover the written BARs below an unwritten window (it would overlap a sibling): one finding at the bridge', async () => {
        const bad = virt(`    rc-endpoint s at 00:02.0 { bar 0 mem32 size 1M at 0x1010_0000 }
    root-port rp at 00:01.0 {
      endpoint a at 00.0 { bar 0 mem32 size 4K at 0x1000_0000  bar 1 mem32 size 4K at 0x1020_0000 }
    }`);
        expect(await findingsOf(bad)).toEqual([
            {
                code: 'PCI-WINDOW-NOT-WRITTEN',
                severity: 'error',
                message:
                    'The mem window of root-port rp is not written, and no window can forward the written resources below it (BAR 0 of endpoint a at 0x10000000..0x10000fff and BAR 1 of endpoint a at 0x10200000..0x10200fff): the smallest window covering them, 0x10000000..0x102fffff, would overlap BAR 0 of rc-endpoint s at 0x10100000..0x101fffff on the same bus. Write the window as firmware programmed it (lspci: "Memory behind bridge"), or correct these addresses.',
                at: span(bad, 'rp'),
                related: ['BAR 0 of endpoint a at 0x10000000..0x10000fff', 'BAR 1 of endpoint a at 0x10200000..0x10200fff', 'BAR 0 of rc-endpoint s at 0x10100000..0x101fffff'],
            },
        ]);
        const good = bad.replace('at 0x1010_0000', 'at 0x1040_0000');
        const result = await place(good);
        expect(windowsOf(result, 'rp')).toEqual({ mem: '0x10000000..0x102fffff covering firmware' });
        expect(brief(result.findings)).toEqual([]);
    });

    it('PCI-WINDOW-NOT-WRITTEN: a covering window would leave the written window of the bridge above', async () => {
        const bad = virt(`    root-port rp at 00:01.0 {
      switch-upstream usp at 00.0 {
        window mem32 0x1000_0000..0x100f_ffff
        downstream-port dsp at 00.0 {
          endpoint e at 00.0 { bar 0 mem32 size 4K at 0x1020_0000 }
        }
      }
    }`);
        const findings = await findingsOf(bad);
        expect(findings.filter((f) => f.code === 'PCI-WINDOW-NOT-WRITTEN')).toEqual([
            {
                code: 'PCI-WINDOW-NOT-WRITTEN',
                severity: 'error',
                message:
                    'The mem window of downstream-port dsp is not written, and no window can forward the written resources below it (BAR 0 of endpoint e at 0x10200000..0x10200fff): the smallest window covering them, 0x10200000..0x102fffff, would lie outside the mem window 0x10000000..0x100fffff of switch-upstream usp. Write the window as firmware programmed it (lspci: "Memory behind bridge"), or correct these addresses.',
                at: span(bad, 'dsp'),
                related: ['BAR 0 of endpoint e at 0x10200000..0x10200fff', 'the mem window 0x10000000..0x100fffff of switch-upstream usp'],
            },
        ]);
        // The BAR's own fault is not reported a second time.
        expect(findings.map((f) => f.code)).not.toContain('PCI-BAR-OUTSIDE-BRIDGE-WINDOW');
        const good = bad.replace('at 0x1020_0000', 'at 0x1000_0000');
        const result = await place(good);
        expect(windowsOf(result, 'dsp')).toEqual({ mem: '0x10000000..0x100fffff covering firmware' });
        expect(brief(result.findings)).toEqual([]);
    });

    it('puts a written 32-bit prefetchable ROM in whichever memory window gives valid windows (a GPU as firmware left it)', async () => {
        const text = virt(`    root-port rp at 00:01.0 {
      endpoint gpu at 00.0 {
        bar 0 mem32 size 16M at 0x1600_0000
        bar 1 mem64 prefetch size 256M at 0x80_0000_0000
        rom size 512K at 0x1700_0000 disabled
      }
    }`, `
    window mem32 at 0x1000_0000 size 0x2eff_0000
    window mem64 prefetch at 0x80_0000_0000 size 512G`);
        const result = await place(text);
        // The ROM joins the non-prefetchable window (0x16000000..0x170fffff), as lspci's "Memory
        // behind bridge" shows on such machines: in the prefetchable one the window would have to
        // span from 0x17000000 up to the 64-bit BAR, which no host window holds.
        expect(windowsOf(result, 'rp')).toEqual({ mem: '0x16000000..0x170fffff covering firmware', prefetch: '0x8000000000..0x800fffffff covering firmware' });
        expect(brief(result.findings)).toEqual([]);
    });

    it('PCI-WINDOW-NOT-WRITTEN: the smallest covering window has no room for what Linux must still place below it', async () => {
        const bad = virt(`    root-port rp at 00:01.0 {
      endpoint a at 00.0 { bar 0 mem32 size 4K at 0x1000_0000  bar 2 mem32 size 2M }
    }`);
        expect(await findingsOf(bad)).toEqual([
            {
                code: 'PCI-WINDOW-NOT-WRITTEN',
                severity: 'error',
                message:
                    'The mem window of root-port rp is not written, so pciplat takes the smallest window covering the written resources below it, 0x10000000..0x100fffff (BAR 0 of endpoint a at 0x10000000..0x10000fff), as firmware must have programmed it; BAR 2 of endpoint a (size 0x200000) does not fit in it: the largest free range in it is 0xff000 bytes (0x10001000..0x100fffff). Write the window as firmware programmed it (lspci: "Memory behind bridge").',
                at: span(bad, 'rp'),
                related: ['BAR 2 of endpoint a (size 0x200000)', 'BAR 0 of endpoint a at 0x10000000..0x10000fff'],
            },
        ]);
        const good = bad.replace('    root-port rp at 00:01.0 {', '    root-port rp at 00:01.0 {\n      window mem32 0x1000_0000..0x103f_ffff');
        const result = await place(good);
        expect(addressesOf(result, 'a')!.bars).toEqual({ 0: '0x10000000', 2: '0x10200000' });
        expect(brief(result.findings)).toEqual([]);
    });

    it('PCI-BAR-OVERLAP: two BARs decoding the same addresses, with the other one related (B.12 #15)', async () => {
        const bad = virt(`    rc-endpoint a at 00:01.0 { bar 0 mem32 size 8K at 0x1000_0000 }
    rc-endpoint b at 00:02.0 { bar 0 mem32 size 4K at 0x1000_1000 }`);
        expect(await findingsOf(bad)).toEqual([
            {
                code: 'PCI-BAR-OVERLAP',
                severity: 'error',
                message: 'BAR 0 of rc-endpoint b at 0x10001000..0x10001fff overlaps BAR 0 of rc-endpoint a at 0x10000000..0x10001fff: both decode 0x10001000..0x10001fff.',
                at: span(bad, 'bar 0 mem32 size 4K at 0x1000_1000'),
                related: ['BAR 0 of rc-endpoint a at 0x10000000..0x10001fff'],
            },
        ]);
        const good = virt(`    rc-endpoint a at 00:01.0 { bar 0 mem32 size 8K at 0x1000_0000 }
    rc-endpoint b at 00:02.0 { bar 0 mem32 size 4K at 0x1000_2000 }`);
        expect(await findingsOf(good)).toEqual([]);
    });

    it('PCI-RESOURCE-NO-SPACE: a BAR that fits nowhere says what it needed and what was free; missing I/O is a warning', async () => {
        const bad = virt(`    rc-endpoint a at 00:01.0 { bar 0 mem32 size 2M  bar 1 io size 32 }`, `
    window mem32 at 0x1000_0000 size 1M`);
        expect(await findingsOf(bad)).toEqual([
            {
                code: 'PCI-RESOURCE-NO-SPACE',
                severity: 'error',
                message:
                    'BAR 0 of rc-endpoint a (mem32, size 0x200000) cannot be placed: it needs 0x200000 bytes aligned to 0x200000 in the mem32 window 0x10000000..0x100fffff of host bridge pcie, and the largest free range there is 0x100000 bytes (0x10000000..0x100fffff).',
                at: span(bad, 'bar 0 mem32 size 2M'),
                related: ['mem32 window 0x10000000..0x100fffff of host bridge pcie'],
            },
            {
                code: 'PCI-RESOURCE-NO-SPACE',
                severity: 'warning',
                message: 'BAR 1 of rc-endpoint a (io, size 0x20) cannot be placed: host bridge pcie has no I/O window.',
                at: span(bad, 'bar 1 io size 32'),
                related: [],
            },
        ]);
        expect(await findingsOf(virt(`    rc-endpoint a at 00:01.0 { bar 0 mem32 size 1M  bar 1 io size 32 }`))).toEqual([]);
    });

    it('PCI-RESOURCE-NO-SPACE: a bridge window that fits nowhere is reported once, not for everything below it', async () => {
        // 4M + 4K below: calculate_mem_align() gives 2 MiB, so the window is 6 MiB.
        const bad = virt(`    root-port rp at 00:01.0 {
      endpoint e at 00.0 { bar 0 mem32 size 4M  bar 2 mem32 size 4K }
    }`, `
    window io at 0x3eff_0000 size 64K pci 0x0
    window mem32 at 0x1000_0000 size 2M`);
        expect(await findingsOf(bad)).toEqual([
            {
                code: 'PCI-RESOURCE-NO-SPACE',
                severity: 'error',
                message:
                    'The mem window of root-port rp (mem32, size 0x600000) cannot be placed: it needs 0x600000 bytes aligned to 0x200000 in the mem32 window 0x10000000..0x101fffff of host bridge pcie, and the largest free range there is 0x200000 bytes (0x10000000..0x101fffff). Most of the window is BAR 0 of endpoint e (size 0x400000). What below root-port rp needs memory space from it stays unassigned.',
                at: span(bad, 'rp'),
                related: ['mem32 window 0x10000000..0x101fffff of host bridge pcie'],
            },
        ]);
    });

    it('PCI-RESOURCE-NO-SPACE: a 32-bit BAR needs a window below 4 GiB (and, non-prefetchable, a 32-bit non-prefetchable one)', async () => {
        const bad = virt(`    rc-endpoint a at 00:01.0 { bar 0 mem32 size 4K  bar 2 mem32 prefetch size 4K  bar 4 mem64 size 4K }`, `
    window mem64 at 0x80_0000_0000 size 64G`);
        expect(await findingsOf(bad)).toEqual([
            {
                code: 'PCI-RESOURCE-NO-SPACE',
                severity: 'error',
                message:
                    'BAR 0 of rc-endpoint a (mem32, size 0x1000) cannot be placed: host bridge pcie has no 32-bit non-prefetchable memory window, the only kind Linux puts a 32-bit non-prefetchable resource in.',
                at: span(bad, 'bar 0 mem32 size 4K'),
                related: [],
            },
            {
                code: 'PCI-RESOURCE-NO-SPACE',
                severity: 'error',
                message: 'BAR 2 of rc-endpoint a (mem32 prefetchable, size 0x1000) cannot be placed: it is a 32-bit resource and the mem64 window 0x8000000000..0x8fffffffff of host bridge pcie lies entirely above 4 GiB.',
                at: span(bad, 'bar 2 mem32 prefetch size 4K'),
                related: ['mem64 window 0x8000000000..0x8fffffffff of host bridge pcie'],
            },
        ]);
    });

    it('PCI-RESOURCE-NO-SPACE: a BAR that does not fit the written window of its bridge', async () => {
        const bad = virt(`    root-port rp at 00:01.0 {
      window mem32 0x2000_0000..0x200f_ffff
      endpoint e at 00.0 { bar 0 mem32 size 1M  bar 2 mem32 size 4K }
    }`);
        expect(await findingsOf(bad)).toEqual([
            {
                code: 'PCI-RESOURCE-NO-SPACE',
                severity: 'error',
                message:
                    'BAR 2 of endpoint e (mem32, size 0x1000) cannot be placed: it needs 0x1000 bytes aligned to 0x1000 in the mem window 0x20000000..0x200fffff of root-port rp, and nothing there is free.',
                at: span(bad, 'bar 2 mem32 size 4K'),
                related: ['mem window 0x20000000..0x200fffff of root-port rp'],
            },
        ]);
    });

    it('PCI-RESOURCE-NO-SPACE is quiet when the bridge window fits', async () => {
        const good = virt(`    root-port rp at 00:01.0 {
      endpoint e at 00.0 { bar 0 mem32 size 4M  bar 2 mem32 size 4K }
    }`, `
    window io at 0x3eff_0000 size 64K pci 0x0
    window mem32 at 0x1000_0000 size 8M`);
        expect(await findingsOf(good)).toEqual([]);
    });

    it('SRIOV-APERTURE-NO-SPACE: a VF BAR aperture (size x TotalVFs) that does not fit (B.12 #24)', async () => {
        const bad = virt(`    rc-endpoint a at 00:01.0 { bar 0 mem32 size 16K  sriov total-vfs 64 num-vfs 0 offset 1 stride 1 { vf-bar 0 mem32 size 64K } }`, `
    window mem32 at 0x1000_0000 size 1M`);
        expect(await findingsOf(bad)).toEqual([
            {
                code: 'SRIOV-APERTURE-NO-SPACE',
                severity: 'error',
                message:
                    'The VF BAR 0 aperture of rc-endpoint a (mem32, 64 VFs × 0x10000 = 0x400000 bytes) cannot be placed: it needs 0x400000 bytes aligned to 0x10000 in the mem32 window 0x10000000..0x100fffff of host bridge pcie, and the largest free range there is 0xfc000 bytes (0x10004000..0x100fffff).',
                at: span(bad, 'vf-bar 0 mem32 size 64K'),
                related: ['mem32 window 0x10000000..0x100fffff of host bridge pcie'],
            },
        ]);
        expect(await findingsOf(bad.replace('total-vfs 64', 'total-vfs 8'))).toEqual([]);
    });

    it('PCI-WINDOW-OUTSIDE-PARENT: written windows outside the host bridge window or the parent bridge window', async () => {
        const bad = virt(`    root-port rp at 00:01.0 {
      window mem32 0x4000_0000..0x400f_ffff
      switch-upstream up at 00.0 { window mem32 0x1000_0000..0x100f_ffff }
    }`);
        expect(await findingsOf(bad)).toEqual([
            {
                code: 'PCI-WINDOW-OUTSIDE-PARENT',
                severity: 'error',
                message: 'The mem window 0x40000000..0x400fffff of root-port rp lies outside every memory window of host bridge pcie (0x10000000..0x3efeffff, 0x8000000000..0xffffffffff).',
                at: span(bad, 'window mem32 0x4000_0000..0x400f_ffff'),
                related: ['mem32 window 0x10000000..0x3efeffff of host bridge pcie', 'mem64 window 0x8000000000..0xffffffffff of host bridge pcie'],
            },
            {
                code: 'PCI-WINDOW-OUTSIDE-PARENT',
                severity: 'error',
                message: 'The mem window 0x10000000..0x100fffff of switch-upstream up lies outside the mem window 0x40000000..0x400fffff of root-port rp: the addresses never reach it.',
                at: span(bad, 'window mem32 0x1000_0000..0x100f_ffff'),
                related: ['mem window 0x40000000..0x400fffff of root-port rp'],
            },
        ]);
        const good = virt(`    root-port rp at 00:01.0 {
      window mem32 0x2000_0000..0x201f_ffff
      switch-upstream up at 00.0 { window mem32 0x2010_0000..0x201f_ffff }
    }`);
        expect(await findingsOf(good)).toEqual([]);
    });

    it('PCI-WINDOW-OVERLAP: sibling bridges forwarding the same addresses', async () => {
        const bad = virt(`    root-port rp at 00:01.0 { window io 0x1000..0x1fff }
    root-port rp2 at 00:02.0 { window io 0x1000..0x2fff }`);
        expect(await findingsOf(bad)).toEqual([
            {
                code: 'PCI-WINDOW-OVERLAP',
                severity: 'error',
                message: 'The io window of root-port rp2 at 0x1000..0x2fff overlaps the io window of root-port rp at 0x1000..0x1fff on the same bus: 0x1000..0x1fff would be both forwarded and decoded.',
                at: span(bad, 'window io 0x1000..0x2fff'),
                related: ['the io window of root-port rp at 0x1000..0x1fff'],
            },
        ]);
        expect(await findingsOf(bad.replace('0x1000..0x2fff', '0x2000..0x2fff'))).toEqual([]);
    });

    it('PCI-BAR-NOT-ASSIGNED: Linux skips host-bridge-class functions', async () => {
        const bad = virt(`    pci-device hb at 00:00.0 class 0x060000 { bar 0 mem32 size 4K }`);
        expect(await findingsOf(bad)).toEqual([
            {
                code: 'PCI-BAR-NOT-ASSIGNED',
                severity: 'warning',
                message:
                    'Linux leaves BAR 0 of pci-device hb unassigned: pci-device hb has class 0x060000, and Linux assigns no resources of host-bridge (0x0600xx) or undefined-class (0x0000xx) functions.',
                at: span(bad, 'bar 0 mem32 size 4K'),
                related: [],
            },
        ]);
        expect(await findingsOf(bad.replace('0x060000', '0x020000'))).toEqual([]);
    });
});

// ---------------------------------------------------------------------------------------------
// Scale: a fabric of 100k functions places in well under two seconds.

describe('placement at scale', () => {
    it('places 102,400 endpoints behind 16 root ports, 16 switches and 512 downstream ports (8 of them hot-plug)', () => {
        const loc = { uri: 'memory:///big.pciplat', start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
        const fn = (name: string, kind: PciFunction['kind'], device: bigint, fnNo: bigint, extra: Partial<PciFunction> = {}): PciFunction => ({
            name,
            kind,
            address: { device, fn: fnNo, loc },
            multifunction: false,
            ariForwarding: false,
            ioWindow1k: false,
            bars: [],
            resets: [],
            quirks: [],
            windows: [],
            children: [],
            loc,
            nameLoc: loc,
            ...extra,
        });
        const rootPorts: PciFunction[] = [];
        for (let r = 0; r < 16; r++) {
            const downstream: PciFunction[] = [];
            for (let d = 0; d < 32; d++) {
                const endpoints: PciFunction[] = [];
                for (let e = 0; e < 200; e++) {
                    endpoints.push(
                        fn(`ep_${r}_${d}_${e}`, 'endpoint', 0n, BigInt(e), {
                            bars: [
                                { index: 0, kind: 'mem64', prefetchable: true, size: 16n << 10n, loc },
                                { index: 2, kind: 'mem32', prefetchable: false, size: 4n << 10n, loc },
                            ],
                        }),
                    );
                }
                downstream.push(fn(`dp_${r}_${d}`, 'downstream-port', BigInt(d), 0n, { ariForwarding: true, children: endpoints, slot: d === 0 && r < 8 ? { number: BigInt(r), hotplug: true, loc } : undefined }));
            }
            const up = fn(`up_${r}`, 'switch-upstream', 0n, 0n, { children: downstream });
            rootPorts.push(fn(`rp_${r}`, 'root-port', BigInt(r + 1), 0n, { children: [up], bars: [{ index: 0, kind: 'mem32', prefetchable: false, size: 4096n, loc }] }));
        }
        const hostBridge: HostBridge = {
            name: 'pcie',
            busStart: 0n,
            busEnd: 0xffn,
            windows: [
                { kind: 'io', prefetchable: false, cpuBase: 0x3eff_0000n, pciBase: 0n, size: 0x10000n, loc },
                { kind: 'mem32', prefetchable: false, cpuBase: 0x1000_0000n, pciBase: 0x1000_0000n, size: 0x2eff_0000n, loc },
                { kind: 'mem64', prefetchable: false, cpuBase: 0x80_0000_0000n, pciBase: 0x80_0000_0000n, size: 512n << 30n, loc },
            ],
            iommuMap: [],
            msiMap: [],
            functions: rootPorts,
            loc,
            nameLoc: loc,
        };
        const platform: Platform = {
            name: 'big',
            arch: 'arm64',
            loc,
            memory: [],
            reserved: [],
            its: [],
            smmus: [],
            x86Iommus: [],
            gics: [],
            ioapics: [],
            platformDevices: [],
            hostBridges: [hostBridge],
            linux: { acsOverride: [], pcieScanAll: false, realloc: false, assignBusses: false },
            scenarios: [],
        };
        // Speed is measured by `npm run bench`; this checks placement holds at this scale.
        const result = placeResources(platform);
        expect(result.findings).toEqual([]);
        expect(result.functions.size).toBe(16 + 16 + 512 + 102_400);
        // dp_0_1 (not hot-plug): 200 x 16K prefetchable -> 4 MiB, 200 x 4K -> 1 MiB.
        const dp = result.bridges.get('dp_0_1')!;
        expect([dp.mem!.end - dp.mem!.start + 1n, dp.prefetch!.end - dp.prefetch!.start + 1n]).toEqual([1n << 20n, 4n << 20n]);
        const last = result.functions.get('ep_15_31_199')!;
        expect(last.bars.size).toBe(2);
    });
});
