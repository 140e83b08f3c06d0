// The hypervisor simulation at scale, on the real fabric: a synthetic 64k-function platform
// (built as a lowered model directly, no parsing) is enumerated, placed and grouped as Linux
// would, then boots, enables every PF's VFs and starts a guest with some of them.
import { describe, expect, it } from 'vitest';
import type { HostBridge, PciFunction, Platform } from '../../src/model/platform.js';
import type { SourceLoc } from '../../src/model/source.js';
import { simulateHypervisor } from '../../src/scenario/simulate-hypervisor.js';
import { MAX_TRACE_EVENTS } from '../../src/hypervisor/state.js';
import { realInput } from './real-input.js';

const LOC: SourceLoc = { uri: 'file:///synthetic.pciplat', start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
const ACS = { flags: ['sv', 'rr', 'cr', 'uf'] as const, disabled: false, loc: LOC };

function fn(name: string, kind: PciFunction['kind'], device: number, func: number, extra: Partial<PciFunction> = {}): PciFunction {
    return {
        name,
        kind,
        address: { device: BigInt(device), fn: BigInt(func), loc: LOC },
        multifunction: false,
        ariForwarding: false,
        ioWindow1k: false,
        bars: [],
        resets: ['flr'],
        quirks: [],
        windows: [],
        children: [],
        loc: LOC,
        nameLoc: LOC,
        ...extra,
    };
}

/**
 * Host bridge `i` (segment i): `ports` root ports on bus 0 (multi-function devices of eight
 * ports, each with ACS), each with a PF at 00.0 on its own bus whose `vfsPerPf` VFs follow it
 * on that bus (First VF Offset 1, VF Stride 1).
 */
function hostBridge(i: number, ports: number, vfsPerPf: number): HostBridge {
    const functions: PciFunction[] = [];
    for (let q = 0; q < ports; q++) {
        const p = i * ports + q;
        const pf = fn(`pf${p}`, 'endpoint', 0, 0, {
            msix: { entries: 64n, tableBar: 0, tableOffset: 0n, pbaBar: 0, pbaOffset: 0x2000n, loc: LOC },
            sriov: { totalVfs: BigInt(vfsPerPf), numVfs: BigInt(vfsPerPf), offset: 1n, stride: 1n, pageSize: 0x1000n, vfBars: [], loc: LOC },
        });
        functions.push(fn(`rp${p}`, 'root-port', q >> 3, q & 7, { multifunction: true, acs: { ...ACS, flags: [...ACS.flags] }, children: [pf] }));
    }
    return {
        name: `pcie${i}`,
        segment: BigInt(i),
        busStart: 0n,
        busEnd: 0xffn,
        ecam: { convention: 'dt', base: 0x3000_0000n + BigInt(i) * 0x1000_0000n, size: 0x1000_0000n, loc: LOC },
        windows: [{ kind: 'mem64', prefetchable: true, cpuBase: 0x80_0000_0000n * BigInt(i + 1), pciBase: 0x80_0000_0000n * BigInt(i + 1), size: 1n << 36n, loc: LOC }],
        iommuMap: [{ ridBase: 0n, count: 0x1_0000n, target: 'smmu0', targetBase: BigInt(i) << 16n, loc: LOC }],
        msiMap: [{ ridBase: 0n, count: 0x1_0000n, target: 'gits0', targetBase: BigInt(i) << 16n, loc: LOC }],
        functions,
        loc: LOC,
        nameLoc: LOC,
    };
}

function synthetic(bridges: number, ports: number, vfsPerPf: number): Platform {
    const guest: string[] = [];
    for (let p = 0; p < bridges * ports; p += 64) guest.push(`pf${p}`);
    return {
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
        hostBridges: Array.from({ length: bridges }, (_, i) => hostBridge(i, ports, vfsPerPf)),
        xen: {
            owns: [],
            assignable: [],
            dom0: { uses: [] },
            domains: [
                {
                    name: 'guest1',
                    dom0less: false,
                    holes: [],
                    assignments: guest.map((pf) => ({ device: { function: pf, vf: 0n, loc: LOC }, flags: [], loc: LOC })),
                    loc: LOC,
                    nameLoc: LOC,
                },
            ],
            loc: LOC,
        },
        // ACS enabled as the ports are added, so each PF and each VF is its own IOMMU group.
        linux: { acs: 'enabled', acsOverride: [], pcieScanAll: false, realloc: false, assignBusses: false },
        scenarios: [],
    };
}

describe('scale', () => {
    // Speed is measured by `npm run bench`; this checks the result holds at 64k functions.
    it('simulates 64k functions: every device added, guests populated', () => {
        const { input } = realInput(synthetic(4, 250, 62), { profile: 'arm-design' });
        expect(input.functions).toHaveLength(64_000);
        expect(input.functions.filter((f) => f.invisible !== undefined)).toEqual([]);
        // pf64 (host bridge 0, port 64: 00:08.0) is on bus 0x41; its VF 0 is 41:00.1.
        const vf = input.functions.find((f) => f.name === 'pf64.vf[0]')!;
        expect({ bus: vf.bus, devfn: vf.devfn, streamIds: vf.streamIds }).toEqual({ bus: 0x41n, devfn: 1n, streamIds: [{ iommu: 'smmu0', id: 0x4101n }] });
        const r = simulateHypervisor(input);
        expect(r.findings).toEqual([]);
        expect(r.functions.every((f) => f.added)).toBe(true);
        expect(r.domains[0]!.devices).toHaveLength(16);
        // Every event happened; the trace keeps the first MAX_TRACE_EVENTS and counts the rest.
        expect(r.trace).toHaveLength(MAX_TRACE_EVENTS);
        expect(r.trace.length + r.traceLeftOut).toBeGreaterThan(128_000);
    });
});
