// The lowering from AST to the core model keeps 64-bit values exact, resolves SoC inclusion and
// records where everything was written.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { platformFromText, platformsFromFile } from '../helpers/platforms.js';

const tx2 = path.join(__dirname, '..', 'fixtures', 'acceptance', 'tx2.pciplat');

describe('lowering', () => {
    it('brings the SoC hardware into the platform that includes it', async () => {
        const [p] = await platformsFromFile(tx2);
        expect(p!.name).toBe('tx2');
        expect(p!.its.map((i) => [i.name, i.base, i.deviceIdBits])).toEqual([['gits0', 0x801_0002_0000n, 20]]);
        expect(p!.smmus.map((s) => [s.name, s.version, s.streamIdBits])).toEqual([['smmu0', 'v3', 20]]);
        expect(p!.platformDevices.map((d) => d.name)).toEqual(['uart0']);
        expect(p!.its[0]!.loc.uri).toMatch(/soc\/cn99xx\.pciplat$/);
    });

    it('keeps addresses and sizes as exact bigints', async () => {
        const [p] = await platformsFromFile(tx2);
        const pcie0 = p!.hostBridges[0]!;
        expect(pcie0.segment).toBe(0n);
        expect(pcie0.ecam).toMatchObject({ convention: 'dt', base: 0x3000_0000n, size: 256n << 20n });
        expect(pcie0.windows.map((w) => [w.kind, w.prefetchable, w.cpuBase, w.pciBase, w.size])).toEqual([
            ['mem32', false, 0x4000_0000n, 0x4000_0000n, 512n << 20n],
            ['mem64', true, 0x80_0000_0000n, 0x80_0000_0000n, 64n << 30n],
            ['io', false, 0x3eff_0000n, 0n, 64n << 10n],
        ]);
        expect(pcie0.iommuMap[0]).toMatchObject({ ridBase: 0n, count: 0x10000n, target: 'smmu0', targetBase: 0n });
        expect(pcie0.iommuMapMask).toBe(0xffffn);
        const nic0 = pcie0.functions[0]!.children[0]!;
        expect(nic0.name).toBe('nic0');
        expect(nic0.address).toMatchObject({ bus: 1n, device: 0n, fn: 0n });
        expect(nic0.bars.map((b) => [b.index, b.kind, b.prefetchable, b.size, b.address])).toEqual([
            [0, 'mem64', true, 128n << 10n, undefined],
            [2, 'io', false, 32n, undefined],
            [3, 'mem64', false, 16n << 10n, 0x4010_0000n],
        ]);
        expect(nic0.sriov).toMatchObject({ totalVfs: 8n, numVfs: 4n, offset: 0x80n, stride: 2n, vfDevice: 0x10can, pageSize: 4096n });
        expect(nic0.msix).toMatchObject({ entries: 10n, tableBar: 3, tableOffset: 0n, pbaBar: 3, pbaOffset: 0x2000n });
    });

    it('reads relative addresses, IORT ranges and hypervisor references', async () => {
        const [p] = await platformsFromFile(tx2);
        const legacy0 = p!.hostBridges[0]!.functions[2]!.children[0]!;
        expect(legacy0.address).toMatchObject({ device: 1n, fn: 0n });
        expect(legacy0.address.bus).toBeUndefined();
        // `ids 0x0..0xffff` is inclusive: IORT's id_count is 0xffff.
        expect(p!.iort!.rootComplexes.map((r) => [r.hostBridge, r.mappings[0]!.idCount, r.mappings[0]!.form])).toEqual([
            ['pcie0', 0xffffn, 'range'],
            ['pcie1', 0x3fffn, 'raw'],
        ]);
        expect(p!.xen!.domains[0]!.assignments.map((a) => [a.device.function, a.vslot && [a.vslot.device, a.vslot.fn]])).toEqual([
            ['nic0', [1n, 0n]],
            ['nvme0', undefined],
        ]);
        const steps = p!.scenarios[0]!.steps;
        expect(steps.map((s) => s.kind)).toEqual(['boot', 'enable-sriov', 'assign', 'start', 'relocate-bar', 'hot-unplug', 'destroy']);
        expect(steps[2]).toMatchObject({ kind: 'assign', device: { function: 'nic0', vf: 2n }, guest: 'guest1' });
        expect(steps[4]).toMatchObject({ kind: 'relocate-bar', bar: 0, address: 0x4020_0000n });
    });

    it('points model objects back at their source', async () => {
        const p = await platformFromText('platform p {\n  arch arm64\n  memory dram at 0x8000_0000 size 2G\n}\n');
        expect(p.memory[0]).toMatchObject({ base: 0x8000_0000n, size: 2n << 30n });
        expect(p.memory[0]!.loc.start).toEqual({ line: 2, character: 2 });
        expect(p.loc.start).toEqual({ line: 0, character: 9 });
    });

    it('lowers a half-typed platform without throwing', async () => {
        const p = await platformFromText('platform p {\n  arch arm64\n  host-bridge hb {\n    root-port rp at 00:01.0 {\n      endpoint e at \n');
        expect(p.name).toBe('p');
    });
});

describe('lowering of small forms', () => {
    it('reads size suffixes in either case and a bare acs', async () => {
        const p = await platformFromText('platform p {\n  arch arm64\n  memory a at 0x0 size 2g\n  memory b at 0x1_0000_0000 size 16K\n  host-bridge hb {\n    ecam at 0x3000_0000 size 16m bus-range 0..15\n    rc-endpoint e at 00:01.0 { acs }\n  }\n}\n');
        expect(p.memory.map((m) => m.size)).toEqual([2n << 30n, 16n << 10n]);
        expect(p.hostBridges[0]!.ecam!.size).toBe(16n << 20n);
        expect(p.hostBridges[0]!.functions[0]!.acs).toMatchObject({ flags: [], disabled: false });
    });
});

describe('lowering of strings', () => {
    it('keeps titles and compatibles as written, without quotes', async () => {
        const [p] = await platformsFromFile(tx2);
        expect(p!.title).toBe('ThunderX2 two-socket board');
        expect(p!.hostBridges[0]!.compatible).toEqual(['pci-host-ecam-generic']);
    });

    it('keeps every string of a compatible list, most specific first', async () => {
        const p = await platformFromText(`platform p {
  arch arm64
  device sdhc0 "fsl,ls1028a-esdhc", "fsl,esdhc" at 0x0214_0000 size 64K
  host-bridge pcie0 { compatible "fsl,ls1028a-pcie", "snps,dw-pcie"  ecam at 0x3000_0000 size 16M  bus-range 0..15 }
}`);
        expect(p.hostBridges[0]!.compatible).toEqual(['fsl,ls1028a-pcie', 'snps,dw-pcie']);
        expect(p.platformDevices[0]!.compatible).toEqual(['fsl,ls1028a-esdhc', 'fsl,esdhc']);
    });
});

describe('lowering of DMAR device scopes', () => {
    it('keeps each device-scope entry with its own location', async () => {
        const ps = await platformsFromFile(path.join(__dirname, '..', 'fixtures', 'parse', 'kitchen-sink.pciplat'));
        const unit = ps.flatMap((p) => p.x86Iommus).find((u) => u.name === 'dmar2')!;
        expect(unit.scope).toEqual([]);
        expect(unit.deviceScope!.map((d) => [d.function, d.loc.start.line + 1, d.loc.start.character + 1])).toEqual([
            ['dma0', 19, 50],
            ['rp1', 19, 55],
            ['nic0', 19, 73],
        ]);
    });
});

describe('lowering of host drivers', () => {
    it('reads a driver written as a name or as a string', async () => {
        const ps = await platformsFromFile(path.join(__dirname, '..', 'fixtures', 'parse', 'kitchen-sink.pciplat'));
        expect(ps[0]!.kvm!.hostDrivers.map((h) => [h.device.function, h.driver])).toEqual([
            ['old0', 'nvme'],
            ['rev0', 'vfio-pci'],
        ]);
    });
});

describe('lowering of guests in steps', () => {
    it('names the built-in dom0 with the keyword, other guests by reference', async () => {
        const ps = await platformsFromFile(path.join(__dirname, '..', 'fixtures', 'parse', 'kitchen-sink.pciplat'));
        const steps = ps[0]!.scenarios[0]!.steps;
        expect(steps.filter((s) => 'guest' in s).map((s) => [s.kind, (s as { guest: string }).guest])).toEqual([
            ['assign', 'guest1'],
            ['start', 'guest1'],
            ['hot-plug', 'guest1'],
            ['hot-unplug', 'guest1'],
            ['deassign', 'guest1'],
            ['destroy', 'guest1'],
            ['assign', 'dom0'],
        ]);
    });
});
