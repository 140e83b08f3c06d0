// Enumeration: bus numbers against real Linux (the oracle fixtures), the DOMAIN.md worked
// example, SR-IOV VFs, ARI chains, and every finding enumeration reports.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { enumerate } from '../../src/fabric/enumerate.js';
import { rid, type FabricFunction, type Topology } from '../../src/fabric/topology.js';
import type { Finding } from '../../src/findings/finding.js';
import type { PciFunction, Platform } from '../../src/model/platform.js';
import type { SourceLoc } from '../../src/model/source.js';
import { platformFromText, platformsFromFile } from '../helpers/platforms.js';
import { buildFiles } from '../helpers/workspace.js';

const ORACLE = path.join(__dirname, '..', 'fixtures', 'oracle');
const TOPOLOGIES = ['flat', 'switch', 'rootports', 'legacy', 'pxb'];

interface OracleSpan { start: string; end: string }
interface OracleFunction {
    bdf: string;
    name: string;
    bus: number;
    bars: { index: number; start: string; end: string; type: string }[];
    rom: OracleSpan | null;
}
interface OracleBridge { bdf: string; name: string; primary: number; secondary: number; subordinate: number }
interface Expected { functions: OracleFunction[]; bridges: OracleBridge[] }

function expectedOf(topo: string): Expected {
    return JSON.parse(fs.readFileSync(path.join(ORACLE, topo, 'expected.json'), 'utf8')) as Expected;
}

async function oraclePlatform(topo: string): Promise<Platform> {
    const [platform] = await platformsFromFile(path.join(ORACLE, topo, 'platform.pciplat'));
    return platform!;
}

function declarations(platform: Platform): Map<string, PciFunction> {
    const byName = new Map<string, PciFunction>();
    const visit = (fn: PciFunction): void => {
        byName.set(fn.name, fn);
        fn.children.forEach(visit);
    };
    platform.hostBridges.forEach((hb) => hb.functions.forEach(visit));
    return byName;
}

/** `0000:BB:DD.F` as Linux names the function. */
function bdf(f: FabricFunction): string {
    const h = (v: bigint, w: number) => v.toString(16).padStart(w, '0');
    return `${h(f.segment, 4)}:${h(f.bus, 2)}:${h(f.device, 2)}.${h(f.fn, 1)}`;
}

/** The source text a location covers (single-file tests). */
function textAt(text: string, loc: SourceLoc | undefined): string {
    const lines = text.split('\n');
    const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
    return loc ? text.slice(offset(loc.start), offset(loc.end)) : '';
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
    const index = text.split('\n').findIndex((l) => l.includes(needle));
    if (index < 0) throw new Error(`no line contains ${needle}`);
    return index + 1;
}

function summary(text: string, findings: readonly Finding[]) {
    return findings.map((f) => ({ code: f.code, line: (f.loc?.start.line ?? -1) + 1, at: textAt(text, f.loc), message: f.message }));
}

async function enumerateText(text: string, options?: Parameters<typeof enumerate>[1]) {
    const platform = await platformFromText(text);
    return enumerate(platform, options);
}

function fn(topology: Topology, name: string): FabricFunction {
    const f = topology.byName.get(name);
    if (!f) throw new Error(`no function ${name}`);
    return f;
}

const HEADER = `
  arch arm64
  smmu smmu0 v3 at 0x2b40_0000 stream-id-bits 17`;

/** A platform with one host bridge holding `body`; `extra` goes in the host bridge header. */
function platformText(body: string, { busRange = '0x00..0xff', extra = '', outside = '' } = {}): string {
    return `platform p {${HEADER}
  ${outside}
  host-bridge pcie0 segment 0 {
    ecam at 0x4000_0000 size 256M
    bus-range ${busRange}
    window mem32 at 0x5000_0000 size 256M
    iommu-map rid 0x0 count 0x10000 -> smmu0 0x10000
    ${extra}
${body}
  }
}
`;
}

describe('oracle fixtures', () => {
    it.each(TOPOLOGIES)('%s/platform.pciplat builds without diagnostics', async (topo) => {
        const { roots } = await buildFiles([path.join(ORACLE, topo, 'platform.pciplat')]);
        const problems = roots[0]!.diagnostics ?? [];
        expect(problems.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${String(d.code ?? '')} ${d.message}`)).toEqual([]);
    });

    // The platform describes exactly the functions Linux saw, with the BARs and ROM it sized.
    it.each(TOPOLOGIES)('%s/platform.pciplat declares the BARs and ROMs of expected.json', async (topo) => {
        const decls = declarations(await oraclePlatform(topo));
        const expected = expectedOf(topo);
        expect([...decls.keys()].sort()).toEqual(expected.functions.map((f) => f.name).sort());
        for (const f of expected.functions) {
            const decl = decls.get(f.name)!;
            const kindOf = (type: string) => ({ io: 'io', mem32: 'mem32', mem64: 'mem64', mem64_pref: 'mem64' })[type];
            expect(decl.bars.map((b) => ({ index: b.index, kind: b.kind, prefetch: b.prefetchable, size: b.size })), f.name).toEqual(
                f.bars.map((b) => ({ index: b.index, kind: kindOf(b.type), prefetch: b.type.endsWith('_pref'), size: BigInt(b.end) - BigInt(b.start) + 1n })),
            );
            expect(decl.rom?.size, f.name).toEqual(f.rom ? BigInt(f.rom.end) - BigInt(f.rom.start) + 1n : undefined);
        }
    });
});

describe('oracle agreement: Linux 6.1 on QEMU virt', () => {
    it.each(TOPOLOGIES)('%s: every function at the BDF Linux gave it, no findings', async (topo) => {
        const { topology, findings } = enumerate(await oraclePlatform(topo));
        const expected = expectedOf(topo);
        expect(findings).toEqual([]);
        const found = topology.functions.filter((f) => f.invisible === undefined);
        expect(found.map((f) => `${f.name} ${bdf(f)}`).sort()).toEqual(expected.functions.map((f) => `${f.name} ${f.bdf}`).sort());
        for (const f of expected.functions) expect(fn(topology, f.name).bus, f.name).toBe(BigInt(f.bus));
    });

    it.each(TOPOLOGIES)('%s: every bridge has the primary, secondary and subordinate bus Linux gave it', async (topo) => {
        const { topology } = enumerate(await oraclePlatform(topo));
        const expected = expectedOf(topo);
        const bridges = topology.functions.filter((f) => f.secondary !== undefined);
        expect(bridges.map((b) => b.name).sort()).toEqual(expected.bridges.map((b) => b.name).sort());
        for (const b of expected.bridges) {
            const f = fn(topology, b.name);
            expect({ name: b.name, primary: f.bus, secondary: f.secondary, subordinate: f.subordinate }).toEqual({
                name: b.name,
                primary: BigInt(b.primary),
                secondary: BigInt(b.secondary),
                subordinate: BigInt(b.subordinate),
            });
        }
    });

    it('switch: the empty hot-plug downstream port takes a bus but no extra ones (README note 6)', async () => {
        const { topology } = enumerate(await oraclePlatform('switch'));
        expect([fn(topology, 'dn4').secondary, fn(topology, 'dn4').subordinate, fn(topology, 'rp2').secondary]).toEqual([6n, 6n, 7n]);
    });

    it('topology structure: upstream, downstream, host bridge, segment, order', async () => {
        const { topology } = enumerate(await oraclePlatform('legacy'));
        const [hb] = topology.hostBridges;
        expect(hb!.segment).toBe(0n);
        expect(hb!.root.map((f) => f.name)).toEqual(['pcie_host', 'ppb1', 'rp2', 'pb4', 'rp5']);
        expect(fn(topology, 'pb3').upstream?.name).toBe('ppb2');
        expect(fn(topology, 'ppb2').downstream.map((f) => f.name)).toEqual(['e1000_1', 'pb3']);
        expect(fn(topology, 'rp2').upstream).toBeUndefined();
        expect(topology.functions.map((f) => f.name)).toEqual([
            'pcie_host', 'ppb1', 'e1000_0', 'virtio_net0', 'rtl8139_0', 'rp2', 'ppb2', 'e1000_1', 'pb3', 'e1000_2', 'pb4', 'virtio_blk0', 'rp5', 'e1000e0',
        ]);
        expect(rid(fn(topology, 'e1000_2'))).toBe(0x0408n);
        expect(fn(topology, 'e1000_2').loc).toEqual(fn(topology, 'e1000_2').decl.nameLoc);
    });
});

describe('DOMAIN.md B.1.2 worked example', () => {
    const text = (legacyAt: string, ppbAt = '00.0') =>
        platformText(`
    root-port rp at 00:1c.0 {
      pcie-pci-bridge ppb at ${ppbAt} {
        pci-device legacy at ${legacyAt}
      }
    }`);

    it('root port 00:1c.0 -> PCIe-to-PCI bridge 01:00.0 -> conventional device 02:03.0 (RID 0x0218)', async () => {
        const { topology, findings } = await enumerateText(text('03.0'));
        expect(findings).toEqual([]);
        expect([fn(topology, 'rp').secondary, fn(topology, 'rp').subordinate]).toEqual([1n, 2n]);
        expect([bdf(fn(topology, 'ppb')), fn(topology, 'ppb').secondary, fn(topology, 'ppb').subordinate]).toEqual(['0000:01:00.0', 2n, 2n]);
        const legacy = fn(topology, 'legacy');
        expect([bdf(legacy), legacy.devfn, rid(legacy), legacy.upstream?.name]).toEqual(['0000:02:03.0', 0x18n, 0x0218n, 'ppb']);
    });

    it('absolute addresses that agree with the numbering are quiet', async () => {
        const { topology, findings } = await enumerateText(text('02:03.0', '01:00.0'));
        expect(findings).toEqual([]);
        expect(rid(fn(topology, 'legacy'))).toBe(0x0218n);
    });
});

describe('bus numbering as Linux does it', () => {
    it('a bridge whose child is written as BB:DD.F keeps that secondary; the next bridge follows it', async () => {
        const { topology, findings } = await enumerateText(platformText(`
    root-port rp0 at 00:01.0 { endpoint a at 05:00.0 }
    root-port rp1 at 00:02.0 { endpoint b at 00.0 }`));
        expect(findings).toEqual([]);
        expect([fn(topology, 'rp0').secondary, fn(topology, 'rp0').subordinate, fn(topology, 'rp1').secondary]).toEqual([5n, 5n, 6n]);
    });

    it('bridges firmware configured are scanned first (pass 0), the others numbered after them (pass 1)', async () => {
        const { topology, findings } = await enumerateText(platformText(`
    root-port rp0 at 00:01.0 { endpoint a at 00.0 }
    root-port rp1 at 00:02.0 {
      secondary 0x01 subordinate 0x03
      endpoint b at 00.0
    }`));
        expect(findings).toEqual([]);
        expect([fn(topology, 'rp1').secondary, fn(topology, 'rp1').subordinate]).toEqual([1n, 3n]);
        expect([fn(topology, 'rp0').secondary, fn(topology, 'rp0').subordinate, fn(topology, 'a').bus]).toEqual([4n, 4n, 4n]);
    });

    it('root-bus functions take the start of the bus-range', async () => {
        const { topology, findings } = await enumerateText(platformText(`
    rc-endpoint a at 20:01.0
    root-port rp at 20:02.0 { endpoint b at 00.0 }`, { busRange: '0x20..0x3f' }));
        expect(findings).toEqual([]);
        expect([bdf(fn(topology, 'a')), fn(topology, 'rp').secondary, bdf(fn(topology, 'b'))]).toEqual(['0000:20:01.0', 0x21n, '0000:21:00.0']);
    });

    it('spare buses of a firmware-configured bridge go to the hot-plug ports below it (Linux 6.1 available_buses)', async () => {
        const { topology, findings } = await enumerateText(platformText(`
    root-port rp at 00:01.0 {
      secondary 0x01 subordinate 0x10
      switch-upstream usp at 00.0 {
        downstream-port dsp0 at 00.0 { slot 1 hotplug }
        downstream-port dsp1 at 01.0 { slot 2 hotplug }
      }
    }`));
        expect(findings).toEqual([]);
        const buses = (n: string) => [fn(topology, n).secondary, fn(topology, n).subordinate];
        expect([buses('usp'), buses('dsp0'), buses('dsp1')]).toEqual([[2n, 0x10n], [3n, 9n], [0x0an, 0x10n]]);
    });

    it('segments: written ones kept, the others allocated 0, 1, 2... skipping written numbers', async () => {
        const platform = await platformFromText(`platform p {${HEADER}
  host-bridge a { ecam at 0x1000_0000 size 16M  bus-range 0x00..0x0f }
  host-bridge b segment 0 { ecam at 0x2000_0000 size 16M  bus-range 0x10..0x1f }
  host-bridge c { ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f }
}`);
        const { topology } = enumerate(platform);
        expect(topology.hostBridges.map((h) => [h.hostBridge.name, h.segment])).toEqual([['a', 1n], ['b', 0n], ['c', 2n]]);
    });
});

describe('scan rules', () => {
    it('functions 1-7 of a device whose function 0 is not multi-function are not scanned (no finding here)', async () => {
        const { topology, findings } = await enumerateText(platformText(`
    rc-endpoint a0 at 00:01.0
    rc-endpoint a1 at 00:01.1
    rc-endpoint b0 at 00:02.0 { multifunction }
    rc-endpoint b1 at 00:02.1
    rc-endpoint c3 at 00:03.3`));
        expect(findings).toEqual([]);
        expect(topology.functions.filter((f) => f.invisible !== undefined).map((f) => f.name)).toEqual(['a1', 'c3']);
        expect(fn(topology, 'a1').invisible).toBe('function 0 of device 0x01 (a0) is not multi-function, so Linux does not scan functions 1-7');
        expect(fn(topology, 'c3').invisible).toBe('device 0x03 has no function 0, so Linux scans none of its functions');
    });

    const nonZeroDevice = (linux = '') =>
        platformText(`
    root-port rp at 00:01.0 {
      endpoint ok at 00.0
      endpoint hidden at 02.0
      pcie-pci-bridge ppb at 03.0 { pci-device below at 01.0 }
    }`, { outside: linux });

    it('PCI-DEVICE-INVISIBLE: a device other than 0 below a root port, and everything below it', async () => {
        const text = nonZeroDevice();
        const { topology, findings } = await enumerateText(text);
        expect(summary(text, findings)).toEqual([
            {
                code: 'PCI-DEVICE-INVISIBLE',
                line: lineOf(text, 'hidden at'),
                at: '02.0',
                message: 'endpoint hidden at 01:02.0 is device 0x02 below root-port rp: the link below a Root Port or Downstream Port carries one device, so Linux scans only device 0 there (unless ARI is enabled or `linux { pcie-scan-all }`) and never finds hidden.',
            },
            {
                code: 'PCI-DEVICE-INVISIBLE',
                line: lineOf(text, 'ppb at'),
                at: '03.0',
                message: 'pcie-pci-bridge ppb at 01:03.0 is device 0x03 below root-port rp: the link below a Root Port or Downstream Port carries one device, so Linux scans only device 0 there (unless ARI is enabled or `linux { pcie-scan-all }`) and never finds ppb.',
            },
        ]);
        expect(findings[0]!.related.map((r) => textAt(text, r.loc))).toEqual(['rp']);
        expect(fn(topology, 'below').invisible).toBe('it is below ppb, which Linux does not find');
        expect(fn(topology, 'ppb').secondary).toBeUndefined();
        expect(fn(topology, 'rp').subordinate).toBe(1n);
    });

    it('linux { pcie-scan-all } scans every device below a port', async () => {
        const { topology, findings } = await enumerateText(nonZeroDevice('linux { pcie-scan-all }'));
        expect(findings).toEqual([]);
        expect([bdf(fn(topology, 'hidden')), fn(topology, 'ppb').secondary, bdf(fn(topology, 'below'))]).toEqual(['0000:01:02.0', 2n, '0000:02:01.0']);
    });
});

describe('ARI', () => {
    const chain = (rest = '') =>
        platformText(`
    root-port rp at 00:01.0 {
      ari-forwarding
      endpoint f0 at 00.0 { ari next-function 0x01 }
      endpoint f1 at 00.1 { ari next-function 0x09 }
      endpoint f9 at 01.1 { ari next-function 0x10 }
      endpoint f16 at 00.10 { ari }${rest}
    }`);

    it('functions are chained by next-function from function 0; devfn is the 8-bit function number', async () => {
        const { topology, findings } = await enumerateText(chain());
        expect(findings).toEqual([]);
        const seen = ['f0', 'f1', 'f9', 'f16'].map((n) => fn(topology, n));
        expect(seen.map((f) => [f.name, f.devfn, f.ari, f.invisible])).toEqual([
            ['f0', 0n, true, undefined],
            ['f1', 1n, true, undefined],
            // Device 1 below a port is ARI function 9 here, not an invisible device.
            ['f9', 9n, true, undefined],
            ['f16', 0x10n, true, undefined],
        ]);
        // Linux (and lspci) print an ARI function by the two fields of its devfn.
        expect([bdf(fn(topology, 'f16')), rid(fn(topology, 'f16'))]).toEqual(['0000:01:02.0', 0x0110n]);
    });

    it('a next-function not above the current one ends the chain', async () => {
        const { topology } = await enumerateText(chain().replace('ari next-function 0x10', 'ari next-function 0x01'));
        expect(fn(topology, 'f16').invisible).toBe("the ARI Next Function chain below rp does not reach it (f9's next-function 0x01 ends the chain)");
    });

    it('PCI-ARI-NOT-IN-CHAIN: a function the chain skips is not scanned', async () => {
        const text = chain(`
      endpoint f32 at 00.20`);
        const { topology, findings } = await enumerateText(text);
        expect(summary(text, findings)).toEqual([
            {
                code: 'PCI-ARI-NOT-IN-CHAIN',
                line: lineOf(text, 'f32 at'),
                at: '00.20',
                message: "endpoint f32 (ARI function 0x20) is not in the ARI Next Function chain below root-port rp: Linux scans 0x00 -> 0x01 -> 0x09 -> 0x10 and stops (f16's next-function 0x00 ends the chain), so it never finds f32.",
            },
        ]);
        expect(findings[0]!.related.map((r) => textAt(text, r.loc))).toEqual(['ari']);
        expect(fn(topology, 'f32').invisible).toBeDefined();
    });

    // PCI-FUNCTION-RANGE (language) reports ARI function numbers without ARI from the text;
    // enumeration only leaves them out, saying why.
    it('function numbers above 7 where the port does not forward ARI are not found', async () => {
        const { topology, findings } = await enumerateText(platformText(`
    root-port rp at 00:01.0 {
      endpoint f0 at 00.0 { ari next-function 0x12 }
      endpoint f18 at 00.12
    }`));
        expect(findings).toEqual([]);
        expect(fn(topology, 'f18').invisible).toBe('function number 0x12 needs ARI, which is not enabled: root-port rp does not advertise ARI forwarding (`ari-forwarding`)');
        expect(fn(topology, 'f0').ari).toBe(false);
    });

    it('the port forwards ARI but function 0 has no ARI capability: ARI stays off', async () => {
        const { topology, findings } = await enumerateText(platformText(`
    root-port rp at 00:01.0 {
      ari-forwarding
      endpoint f0 at 00.0
      endpoint f18 at 00.12
    }`));
        expect(findings).toEqual([]);
        expect(fn(topology, 'f18').invisible).toBe('function number 0x12 needs ARI, which is not enabled: function 0 below rp (endpoint f0) has no `ari` capability');
    });
});

describe('SR-IOV virtual functions', () => {
    const nic = (sriov: string, more = '') =>
        platformText(`
    root-port rp at 00:01.0 {
      endpoint nic at 00.0 {
        sriov ${sriov} vf-device 0x10ca
      }
    }${more}`);

    it('offset 0x80 stride 2 on bus 1: VF 0 at 01:10.0, VF i at RID + 0x80 + 2i', async () => {
        const { topology, findings } = await enumerateText(nic('total-vfs 8 num-vfs 4 offset 0x80 stride 2'));
        expect(findings).toEqual([]);
        const pf = fn(topology, 'nic');
        expect(pf.vfs.map((v) => [v.name, bdf(v), rid(v)])).toEqual([
            ['nic.vf[0]', '0000:01:10.0', 0x0180n],
            ['nic.vf[1]', '0000:01:10.2', 0x0182n],
            ['nic.vf[2]', '0000:01:10.4', 0x0184n],
            ['nic.vf[3]', '0000:01:10.6', 0x0186n],
        ]);
        const vf = fn(topology, 'nic.vf[2]');
        expect([vf.isVf, vf.pf, vf.vfIndex, vf.decl, vf.upstream?.name, vf.segment, vf.hostBridge.name, vf.invisible]).toEqual([true, pf, 2, pf.decl, 'rp', 0n, 'pcie0', undefined]);
        expect(topology.functions.map((f) => f.name)).toEqual(['rp', 'nic', 'nic.vf[0]', 'nic.vf[1]', 'nic.vf[2]', 'nic.vf[3]']);
        expect(fn(topology, 'rp').subordinate).toBe(1n);
    });

    it('a VF set crossing into the next bus: the port reserves buses for TotalVFs (compute_max_vf_buses)', async () => {
        const { topology, findings } = await enumerateText(
            nic('total-vfs 200 num-vfs 130 offset 0x80 stride 1', `
    root-port rp2 at 00:02.0 { endpoint other at 00.0 }`),
        );
        expect(findings).toEqual([]);
        expect(['nic.vf[127]', 'nic.vf[128]', 'nic.vf[129]'].map((n) => bdf(fn(topology, n)))).toEqual(['0000:01:1f.7', '0000:02:00.0', '0000:02:00.1']);
        // TotalVFs 200 reach devfn 0x80 + 199 = 0x147: bus 2, whatever NumVFs is.
        expect([fn(topology, 'rp').subordinate, fn(topology, 'rp2').secondary]).toEqual([2n, 3n]);
    });

    it('VF buses of a PF are reserved before the bridges beside it are numbered (pci_iov_bus_range)', async () => {
        const { topology, findings } = await enumerateText(platformText(`
    rc-endpoint pf at 00:01.0 { sriov total-vfs 4 num-vfs 4 offset 0x100 stride 1 }
    root-port rp at 00:02.0 { endpoint e at 00.0 }`));
        expect(findings).toEqual([]);
        expect(fn(topology, 'pf').vfs.map(bdf)).toEqual(['0000:01:01.0', '0000:01:01.1', '0000:01:01.2', '0000:01:01.3']);
        expect(fn(topology, 'rp').secondary).toBe(2n);
    });

    it('options.numVfs overrides the declared num-vfs (scenario enable-sriov)', async () => {
        const platform = await platformFromText(nic('total-vfs 8 num-vfs 4 offset 0x80 stride 2'));
        expect(enumerate(platform, { numVfs: new Map([['nic', 8n]]) }).topology.byName.get('nic')!.vfs.length).toBe(8);
        expect(enumerate(platform, { numVfs: new Map([['nic', 0n]]) }).topology.byName.get('nic.vf[0]')).toBeUndefined();
    });

    it('VFs Linux refuses are never built: the PF carries the refusal (offset 0; NumVFs above TotalVFs; PF not found)', async () => {
        const refusal = async (text: string) => {
            const { topology } = await enumerateText(text);
            const pf = fn(topology, 'nic');
            const built = topology.functions.filter((f) => f.isVf).length;
            expect([pf.vfs.length, built]).toEqual(pf.vfRefusal ? [0, 0] : [4, 4]);
            return pf.vfRefusal;
        };
        expect(await refusal(nic('total-vfs 4 num-vfs 2 offset 0 stride 1'))).toEqual({ reason: 'Linux refuses SR-IOV on nic: its First VF Offset is 0', numVfs: 2n });
        expect(await refusal(nic('total-vfs 2 num-vfs 3 offset 1 stride 1'))).toEqual({ reason: "NumVFs 3 exceeds nic's TotalVFs 2", numVfs: 3n });
        expect(await refusal(nic('total-vfs 2 num-vfs 2 offset 1 stride 1').replace('nic at 00.0', 'nic at 01.0'))).toEqual({ reason: 'its PF nic is not found', numVfs: 2n });
        expect(await refusal(nic('total-vfs 4 num-vfs 4 offset 8 stride 1'))).toBeUndefined();
    });

    it('SRIOV-VF-BUS-OUT-OF-RANGE: the last VF beyond the written subordinate bus of the port', async () => {
        const text = platformText(`
    root-port rp at 00:01.0 {
      secondary 0x01 subordinate 0x01
      endpoint nic at 00.0 { sriov total-vfs 4 num-vfs 4 offset 0xfe stride 1 }
    }`);
        const { topology, findings } = await enumerateText(text);
        expect(summary(text, findings)).toEqual([
            {
                code: 'SRIOV-VF-BUS-OUT-OF-RANGE',
                line: lineOf(text, 'sriov total-vfs'),
                at: 'sriov total-vfs 4 num-vfs 4 offset 0xfe stride 1',
                message: "The last of endpoint nic's 4 VFs, nic.vf[3], is on bus 0x02 (VFs on buses 0x01-0x02), beyond 0x01, the subordinate bus of root-port rp: Linux refuses to enable the VFs.",
            },
        ]);
        expect(findings[0]!.related.map((r) => textAt(text, r.loc))).toEqual(['secondary 0x01 subordinate 0x01']);
        // Refused before any VF is built (sriov_enable checks the bus range first).
        expect(fn(topology, 'nic').vfs).toEqual([]);
        expect(topology.functions.filter((f) => f.isVf)).toEqual([]);
        expect(fn(topology, 'nic').vfRefusal).toEqual({ reason: 'VF 3 would be on bus 0x02, beyond 0x01, the subordinate bus of root-port rp', numVfs: 4n });
    });

    it('SRIOV-VF-BUS-OUT-OF-RANGE: num-vfs 0xffff on the root bus beyond the bus-range builds no VF (fuzz huge-count)', async () => {
        const text = platformText(`
    rc-endpoint pf at 00:01.0 { sriov total-vfs 0xffff num-vfs 0xffff offset 1 stride 1 }`, { busRange: '0x00..0x0f' });
        const { topology, findings } = await enumerateText(text);
        expect(summary(text, findings)).toEqual([
            {
                code: 'SRIOV-VF-BUS-OUT-OF-RANGE',
                line: lineOf(text, 'sriov total-vfs'),
                at: 'sriov total-vfs 0xffff num-vfs 0xffff offset 1 stride 1',
                message: "The last of rc-endpoint pf's 65535 VFs, pf.vf[65534], is on bus 0x100 (VFs on buses 0x00-0x100), beyond 0x0f, the end of host bridge pcie0's bus-range: Linux refuses to enable the VFs.",
            },
        ]);
        expect(topology.functions.filter((f) => f.isVf)).toEqual([]);
        expect(fn(topology, 'pf').vfRefusal?.numVfs).toBe(0xffffn);
    });

    it('SRIOV-RID-COLLISION: VF RIDs landing on another function', async () => {
        const text = platformText(`
    root-port rp at 00:01.0 {
      endpoint nic at 00.0 {
        multifunction
        sriov total-vfs 4 num-vfs 3 offset 1 stride 1
      }
      endpoint nic1 at 00.1
      endpoint nic2 at 00.2
    }`);
        const { findings } = await enumerateText(text);
        expect(summary(text, findings)).toEqual([
            {
                code: 'SRIOV-RID-COLLISION',
                line: lineOf(text, 'sriov total-vfs'),
                at: 'sriov total-vfs 4 num-vfs 3 offset 1 stride 1',
                message: "VF nic.vf[0] has RID 0x0101 (01:00.1), already the RID of endpoint nic1; 2 of nic's 3 VFs collide: configuration requests and DMA of the two cannot be told apart.",
            },
        ]);
        expect(findings[0]!.related.map((r) => textAt(text, r.loc))).toEqual(['nic1', 'nic2']);
    });

    it('good SR-IOV is quiet', async () => {
        const { findings } = await enumerateText(platformText(`
    root-port rp at 00:01.0 {
      endpoint nic at 00.0 {
        multifunction
        sriov total-vfs 4 num-vfs 4 offset 8 stride 1
      }
      endpoint nic1 at 00.1
    }`));
        expect(findings).toEqual([]);
    });
});

describe('bus number findings', () => {
    // The language's PCI-BRIDGE-BUSES, PCI-ADDRESS-BUS and PCI-ADDRESS-SEGMENT report what the
    // written numbers alone contradict; these need the buses Linux computes.
    it('PCI-BUS-NUMBERS-INVALID: a secondary not above the bus Linux puts the bridge on; Linux renumbers it', async () => {
        const text = platformText(`
    root-port rp at 00:01.0 {
      switch-upstream usp at 00.0 {
        secondary 0x01 subordinate 0x02
        downstream-port d at 00.0 { endpoint e at 00.0 }
      }
    }`);
        const { topology, findings } = await enumerateText(text);
        expect(summary(text, findings)).toEqual([
            {
                code: 'PCI-BUS-NUMBERS-INVALID',
                line: lineOf(text, 'secondary 0x01'),
                at: 'secondary 0x01 subordinate 0x02',
                message: "switch-upstream usp's secondary bus 0x01 is not above bus 0x01, the bus Linux puts it on: Linux treats the bridge configuration as invalid and renumbers it.",
            },
        ]);
        expect(findings[0]!.related.map((r) => textAt(text, r.loc))).toEqual(['usp']);
        const buses = (n: string) => [fn(topology, n).secondary, fn(topology, n).subordinate];
        expect([buses('rp'), buses('usp'), buses('d')]).toEqual([[1n, 3n], [2n, 3n], [3n, 3n]]);
    });

    it('PCI-BUS-NUMBERS-INVALID: a child written on a bus that cannot be its bridge\'s secondary', async () => {
        const text = platformText(`
    root-port rp at 00:01.0 { endpoint e at 00:00.0 }`);
        const { topology, findings } = await enumerateText(text);
        expect(summary(text, findings).map((f) => [f.code, f.at, f.message])).toEqual([
            ['PCI-BUS-NUMBERS-INVALID', '00:00.0', 'endpoint e is written on bus 0x00, which would make it the secondary bus of root-port rp, but a secondary bus must be above bus 0x00, the bus rp sits on; Linux numbers rp itself.'],
        ]);
        expect(bdf(fn(topology, 'e'))).toBe('0000:01:00.0');
    });

    it('numbers the text alone shows impossible are renumbered without a finding here (PCI-BRIDGE-BUSES)', async () => {
        const { topology, findings } = await enumerateText(platformText(`
    root-port rp at 00:01.0 { secondary 0x03 subordinate 0x02 }
    root-port rq at 00:02.0 { secondary 0x00 subordinate 0x04 }`));
        expect(findings).toEqual([]);
        expect([fn(topology, 'rp').secondary, fn(topology, 'rq').secondary]).toEqual([1n, 2n]);
    });

    it('PCI-BUS-OUTSIDE-PARENT: a range beyond the subordinate of a bridge further up', async () => {
        const text = platformText(`
    root-port rp at 00:01.0 {
      secondary 0x01 subordinate 0x02
      switch-upstream usp at 00.0 {
        secondary 0x02 subordinate 0x05
        downstream-port dsp at 00.0 { secondary 0x03 subordinate 0x03  endpoint e at 00.0 }
      }
    }`);
        const { topology, findings } = await enumerateText(text);
        // usp against rp is the language's; dsp against rp needs the numbering.
        expect(summary(text, findings)).toEqual([
            {
                code: 'PCI-BUS-OUTSIDE-PARENT',
                line: lineOf(text, 'secondary 0x03 subordinate 0x03'),
                at: 'secondary 0x03 subordinate 0x03',
                message: "downstream-port dsp's buses 0x03 reach beyond 0x02, the subordinate bus of root-port rp: configuration cycles for bus 0x03 never reach dsp, so nothing below it is found.",
            },
        ]);
        expect(findings[0]!.related.map((r) => textAt(text, r.loc))).toEqual(['secondary 0x01 subordinate 0x02']);
        expect(fn(topology, 'e').invisible).toBeDefined();
    });

    it('PCI-BUS-OUTSIDE-HOST-BRIDGE: a range below a computed bridge beyond the bus-range', async () => {
        const text = platformText(`
    root-port rp at 00:01.0 {
      switch-upstream usp at 00.0 { secondary 0x02 subordinate 0x20 }
    }`, { busRange: '0x00..0x0f' });
        const { findings } = await enumerateText(text.replace('size 256M', 'size 16M'));
        expect(summary(text, findings).map((f) => [f.code, f.at, f.message])).toEqual([
            ['PCI-BUS-OUTSIDE-HOST-BRIDGE', 'secondary 0x02 subordinate 0x20', "switch-upstream usp's buses 0x02-0x20 exceed 0x0f, the end of host bridge pcie0's bus-range: the host bridge decodes no configuration cycle beyond it, so buses 0x10-0x20 are unreachable."],
        ]);
        expect(findings[0]!.related.map((r) => r.message)).toEqual(["the end of host bridge pcie0's bus-range is 0x0f"]);
    });

    it('PCI-BUS-CONFLICT: a written secondary inside the buses Linux gives a sibling', async () => {
        const text = platformText(`
    root-port rp1 at 00:01.0 {
      secondary 0x01
      switch-upstream usp at 00.0 {
        downstream-port d0 at 00.0
        downstream-port d1 at 01.0
      }
    }
    root-port rp2 at 00:02.0 { secondary 0x03 }`);
        const { topology, findings } = await enumerateText(text);
        expect(summary(text, findings)).toEqual([
            {
                code: 'PCI-BUS-CONFLICT',
                line: lineOf(text, 'secondary 0x03'),
                at: 'secondary 0x03',
                message: "root-port rp2's buses 0x03 overlap root-port rp1's buses 0x01-0x04: configuration cycles for bus 0x03 reach only one of them.",
            },
        ]);
        expect(findings[0]!.related.map((r) => textAt(text, r.loc))).toEqual(['secondary 0x01']);
        expect(fn(topology, 'rp1').subordinate).toBe(4n);
    });

    it('written sibling ranges that overlap are the language\'s (PCI-BRIDGE-BUSES)', async () => {
        const { findings } = await enumerateText(platformText(`
    root-port rp1 at 00:01.0 { secondary 0x01 subordinate 0x03 }
    root-port rp2 at 00:02.0 { secondary 0x03 subordinate 0x04 }`));
        expect(findings).toEqual([]);
    });

    it('PCI-BUS-CONFLICT: a bridge on buses a PF beside it uses for VFs', async () => {
        const text = platformText(`
    rc-endpoint pf at 00:01.0 { sriov total-vfs 2 num-vfs 2 offset 0x100 stride 1 }
    root-port rp at 00:02.0 { secondary 0x01 subordinate 0x01 }`);
        const { findings } = await enumerateText(text);
        expect(summary(text, findings).map((f) => [f.code, f.at, f.message])).toEqual([
            ['PCI-BUS-CONFLICT', 'secondary 0x01 subordinate 0x01', "root-port rp's buses 0x01 overlap the VFs of rc-endpoint pf on buses 0x01: configuration cycles for bus 0x01 reach only one of them."],
        ]);
        expect(findings[0]!.related.map((r) => textAt(text, r.loc))).toEqual(['sriov total-vfs 2 num-vfs 2 offset 0x100 stride 1']);
    });

    it('a child written on another bus than its bridge forwards sits on the real bus (PCI-ADDRESS-BUS is the language\'s)', async () => {
        const { topology, findings } = await enumerateText(platformText(`
    root-port rp at 00:01.0 {
      secondary 0x01 subordinate 0x01
      endpoint e at 02:00.0
    }
    rc-endpoint r at 01:02.0`));
        expect(findings).toEqual([]);
        expect([bdf(fn(topology, 'e')), bdf(fn(topology, 'r'))]).toEqual(['0000:01:00.0', '0000:00:02.0']);
    });

    it('PCI-BUS-EXHAUSTED: past the bus-range Linux 6.1 keeps counting, one finding per bridge with its real number', async () => {
        const text = platformText(`
    root-port rp1 at 00:01.0 { endpoint a at 00.0 }
    root-port rp2 at 00:02.0 { endpoint b at 00.0 }
    root-port rp3 at 00:03.0 { endpoint c at 00.0 }`, { busRange: '0x00..0x01' });
        const { topology, findings } = await enumerateText(text);
        const message = (rp: string, bus: string) =>
            `Linux has no bus number left for root-port ${rp}: it numbers its secondary bus 0x${bus} anyway, past 0x01, the end of host bridge pcie0's bus-range (the kernel logs "busn_res: can not insert [bus ${bus}-01] under [bus 00-01]"), and finds nothing there, so the devices behind ${rp} are unusable.`;
        expect(summary(text, findings)).toEqual([
            { code: 'PCI-BUS-EXHAUSTED', line: lineOf(text, 'rp2 at'), at: 'rp2', message: message('rp2', '02') },
            { code: 'PCI-BUS-EXHAUSTED', line: lineOf(text, 'rp3 at'), at: 'rp3', message: message('rp3', '03') },
        ]);
        // pci_scan_bridge_extend: max++ for every bridge, inside the range or not.
        expect(['rp1', 'rp2', 'rp3'].map((n) => [fn(topology, n).secondary, fn(topology, n).subordinate])).toEqual([
            [1n, 1n],
            [2n, 2n],
            [3n, 3n],
        ]);
        expect(fn(topology, 'b').invisible).toBe("its bus 0x02 is beyond 0x01, the end of host bridge pcie0's bus-range");
        expect(fn(topology, 'c').invisible).toBe("its bus 0x03 is beyond 0x01, the end of host bridge pcie0's bus-range");
        expect(fn(topology, 'a').invisible).toBeUndefined();
    });

    it('PCI-BUS-RENUMBERED: with assign-busses Linux ignores written numbers', async () => {
        const text = platformText(`
    root-port rp at 00:01.0 {
      secondary 0x05 subordinate 0x05
      endpoint e at 05:00.0
    }`, { outside: 'linux { assign-busses }' });
        const { topology, findings } = await enumerateText(text);
        expect(summary(text, findings).map((f) => [f.code, f.at, f.message])).toEqual([
            ['PCI-BUS-RENUMBERED', '05:00.0', 'endpoint e is written on bus 0x05, but Linux numbers the buses itself (`linux { assign-busses }`) and puts it on bus 0x01, the secondary bus of root-port rp.'],
            ['PCI-BUS-RENUMBERED', 'secondary 0x05 subordinate 0x05', "root-port rp's written bus numbers (secondary 0x05, subordinate 0x05) are not the ones Linux uses: it numbers the buses itself (`linux { assign-busses }`) and gives rp secondary 0x01, subordinate 0x01."],
        ]);
        expect(fn(topology, 'e').bus).toBe(1n);
    });

    it('PCI-SEGMENT-MISMATCH: a function written in another segment than the one its host bridge is allocated', async () => {
        const text = platformText(`
    rc-endpoint r at 0001:00:02.0`).replace('host-bridge pcie0 segment 0', 'host-bridge pcie0');
        const { findings } = await enumerateText(text);
        expect(summary(text, findings).map((f) => [f.code, f.at, f.message])).toEqual([
            ['PCI-SEGMENT-MISMATCH', '0001:00:02.0', 'rc-endpoint r is written in segment 0x0001, but its host bridge pcie0 has no `segment` and is allocated segment 0x0000.'],
        ]);
        expect(findings[0]!.related.map((r) => textAt(text, r.loc))).toEqual(['pcie0']);
        // With a written segment the language reports it (PCI-ADDRESS-SEGMENT).
        expect((await enumerateText(platformText(`
    rc-endpoint r at 0001:00:02.0`))).findings).toEqual([]);
    });

    it('consistent written numbers are quiet', async () => {
        const { findings } = await enumerateText(platformText(`
    root-port rp at 00:01.0 {
      secondary 0x01 subordinate 0x04
      switch-upstream usp at 01:00.0 {
        secondary 0x02 subordinate 0x04
        downstream-port d0 at 02:00.0 { secondary 0x03 subordinate 0x03  endpoint e0 at 03:00.0 }
        downstream-port d1 at 02:01.0 { secondary 0x04 subordinate 0x04  endpoint e1 at 04:00.0 }
      }
    }
    rc-endpoint r at 0000:00:02.0`));
        expect(findings).toEqual([]);
    });
});

describe('scale', () => {
    // Speed is measured by `npm run bench`, not here: this checks the numbering holds at 100k+.
    it('numbers 100k+ functions (SR-IOV VFs included) without a finding', async () => {
        const template = await platformFromText(platformText(`
    root-port rp at 00:01.0 {
      switch-upstream usp at 00.0 {
        downstream-port dsp at 00.0 {
          endpoint nic at 00.0 { sriov total-vfs 7 num-vfs 7 offset 8 stride 1 }
        }
      }
    }`));
        const [hb] = template.hostBridges;
        const rootPort = hb!.functions[0]!;
        const hostBridges = [];
        for (let h = 0; h < 64; h++) {
            const functions: PciFunction[] = [];
            for (let r = 0; r < 24; r++) {
                const rp = structuredClone(rootPort);
                rp.name = `rp${h}_${r}`;
                rp.address = { ...rp.address, device: BigInt(r + 1) };
                const usp = rp.children[0]!;
                usp.name = `usp${h}_${r}`;
                const dsp = usp.children[0]!;
                usp.children = Array.from({ length: 8 }, (_, d) => {
                    const copy = structuredClone(dsp);
                    copy.name = `dsp${h}_${r}_${d}`;
                    copy.address = { ...copy.address, device: BigInt(d) };
                    copy.children[0]!.name = `nic${h}_${r}_${d}`;
                    return copy;
                });
                functions.push(rp);
            }
            hostBridges.push({ ...hb!, name: `hb${h}`, segment: BigInt(h), functions });
        }
        const platform: Platform = { ...template, hostBridges };
        const { topology, findings } = enumerate(platform);
        expect(findings).toEqual([]);
        expect(topology.functions.length).toBe(64 * 24 * (2 + 8 * (2 + 7)));
        expect(topology.byName.get('nic63_23_7.vf[6]')!.bus).toBe(24n * 10n);
    });
});
