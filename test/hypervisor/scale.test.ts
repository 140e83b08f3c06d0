// The hypervisor simulation stays linear: a synthetic 64k-function input (built directly, no
// parsing) boots, enables every PF's VFs and starts a guest with some of them.
import { describe, expect, it } from 'vitest';
import type { HvFunction, HypervisorInput } from '../../src/hypervisor/input.js';
import type { HostBridge, PciFunction, Platform } from '../../src/model/platform.js';
import type { SourceLoc } from '../../src/model/source.js';
import { simulateHypervisor } from '../../src/scenario/simulate-hypervisor.js';

const LOC: SourceLoc = { uri: 'file:///synthetic.pciplat', start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };

function fn(name: string, kind: PciFunction['kind'], extra: Partial<PciFunction> = {}): PciFunction {
    return { name, kind, address: { device: 0n, fn: 0n, loc: LOC }, multifunction: false, ariForwarding: false, ioWindow1k: false, bars: [], resets: ['flr'], quirks: [], windows: [], children: [], loc: LOC, nameLoc: LOC, ...extra };
}

function hostBridge(i: number): HostBridge {
    return {
        name: `pcie${i}`,
        segment: BigInt(i),
        busStart: 0n,
        busEnd: 0xffn,
        ecam: { convention: 'dt', base: 0x3000_0000n, size: 0x1000_0000n, loc: LOC },
        windows: [{ kind: 'mem64', prefetchable: true, cpuBase: 0x80_0000_0000n, pciBase: 0x80_0000_0000n, size: 1n << 40n, loc: LOC }],
        iommuMap: [{ ridBase: 0n, count: 1n << 24n, target: 'smmu0', targetBase: BigInt(i) << 24n, loc: LOC }],
        msiMap: [{ ridBase: 0n, count: 1n << 24n, target: 'gits0', targetBase: BigInt(i) << 24n, loc: LOC }],
        functions: [],
        loc: LOC,
        nameLoc: LOC,
    };
}

/** `bridges` host bridges of `ports` root ports, each with a PF and its VFs (RIDs are synthetic: up to 24 bits). */
function synthetic(bridges: number, ports: number, vfsPerPf: number): HypervisorInput {
    const platform: Platform = {
        name: 'big',
        arch: 'arm64',
        loc: LOC,
        memory: [],
        reserved: [],
        its: [{ name: 'gits0', base: 0x801_0002_0000n, deviceIdBits: 32, loc: LOC }],
        smmus: [{ name: 'smmu0', version: 'v3', base: 0x4000_0000n, streamIdBits: 32, streamMatches: [], loc: LOC }],
        x86Iommus: [],
        gics: [],
        ioapics: [],
        platformDevices: [],
        hostBridges: Array.from({ length: bridges }, (_, i) => hostBridge(i)),
        xen: { owns: [], assignable: [], dom0: { uses: [] }, domains: [], loc: LOC },
        linux: { acsOverride: [], pcieScanAll: false, realloc: false, assignBusses: false },
        scenarios: [],
    };
    const functions: HvFunction[] = [];
    const base = (name: string, decl: PciFunction, rid: bigint, hb: number): HvFunction => ({
        name,
        decl,
        kind: decl.kind,
        isVf: false,
        hostBridge: `pcie${hb}`,
        segment: BigInt(hb),
        bus: rid >> 8n,
        devfn: rid & 0xffn,
        rid,
        ari: false,
        multifunction: false,
        bars: [],
        aliases: [],
        phantomRids: [],
        streamIds: [{ iommu: 'smmu0', id: (BigInt(hb) << 24n) | rid }],
        deviceIds: [{ its: 'gits0', id: (BigInt(hb) << 24n) | rid }],
        loc: LOC,
    });
    const guest: string[] = [];
    for (let q = 0; q < bridges * ports; q++) {
        const hb = Math.floor(q / ports);
        const p = q;
        const busBase = BigInt(1 + (q % ports)) << 16n;
        const port = base(`rp${p}`, fn(`rp${p}`, 'root-port'), BigInt(q % ports), hb);
        const pfDecl = fn(`pf${p}`, 'endpoint', {
            msix: { entries: 64n, tableBar: 0, tableOffset: 0n, pbaBar: 0, pbaOffset: 0x2000n, loc: LOC },
            sriov: { totalVfs: BigInt(vfsPerPf), numVfs: BigInt(vfsPerPf), offset: 1n, stride: 1n, pageSize: 0x1000n, vfBars: [], loc: LOC },
        });
        const pf = { ...base(`pf${p}`, pfDecl, busBase, hb), upstream: port.name };
        functions.push(port, pf);
        for (let v = 0; v < vfsPerPf; v++) {
            functions.push({ ...base(`pf${p}.vf[${v}]`, pfDecl, busBase + 1n + BigInt(v), hb), kind: 'vf', isVf: true, pf: pf.name, vfIndex: v, upstream: port.name });
        }
        if (p % 64 === 0) guest.push(`pf${p}.vf[0]`);
    }
    platform.xen!.domains.push({
        name: 'guest1',
        dom0less: false,
        holes: [],
        assignments: guest.map((g) => ({ device: { function: g.slice(0, g.indexOf('.')), vf: 0n, loc: LOC }, flags: [], loc: LOC })),
        loc: LOC,
        nameLoc: LOC,
    });
    return { platform, profile: 'arm-design', functions, groups: functions.map((f, id) => ({ id, members: [f.name] })) };
}

describe('scale', () => {
    // Speed is measured by `npm run bench`; this checks the result holds at 64k functions.
    it('simulates 64k functions: every device added, guests populated', () => {
        const input = synthetic(4, 250, 62);
        input.functions.forEach((f, i) => (f.group = i));
        const r = simulateHypervisor(input);
        expect(input.functions).toHaveLength(64_000);
        expect(r.findings).toEqual([]);
        expect(r.domains[0]!.devices).toHaveLength(16);
        expect(r.trace.length).toBeGreaterThan(128_000);
    });
});
