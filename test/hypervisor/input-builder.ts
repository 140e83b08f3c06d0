// TEST STAND-IN for the fabric: builds the hypervisor's HypervisorInput from a lowered platform
// with deliberately simple rules, so hypervisor and scenario tests do not depend on the fabric
// simulation (src/fabric), which the engine adapts into the same shape. Not Linux-accurate:
//   - buses: written ones; a bridge without `secondary` takes its first child's written bus, or
//     the next bus number after the highest seen so far (depth-first);
//   - BARs: written addresses; unwritten ones first-fit, naturally aligned, in a host-bridge
//     window of their type (64-bit prefetchable → a prefetchable window, else mem32; I/O → io);
//   - VFs: the declared num-vfs, RID = PF RID + offset + i·stride, VF BAR i = aperture + i·size;
//   - DMA aliases: PCIe-to-PCI bridges alias to (secondary, 00.0), conventional bridges to their
//     own RID, `dma-alias` quirks; the MSI RID is the last bridge alias (else the own RID);
//   - StreamIDs / DeviceIDs: every alias through the host bridge's iommu-map, the MSI RID through
//     msi-map; on x86 the RID itself with the IOMMU whose scope holds the host bridge;
//   - groups: one per function unless `groups` lists members together;
//   - invisible: functions 1-7 without a multi-function function 0, devices ≠ 0 below a port,
//     plus `invisible`.
import type { HvAlias, HvBar, HvFunction, HvGroup, HypervisorInput } from '../../src/hypervisor/input.js';
import { defaultProfile } from '../../src/engine/profile.js';
import type { Bar, HostBridge, MapEntry, PciFunction, Platform, Profile } from '../../src/model/platform.js';
import { isBridge } from '../../src/model/platform.js';

export interface BuildOptions {
    profile?: Profile;
    /** Functions (names) that share an IOMMU group. */
    groups?: string[][];
    /** Functions Linux does not find, with the reason. */
    invisible?: Record<string, string>;
    /** Functions without an IOMMU group. */
    noGroup?: string[];
}

interface Taken {
    base: bigint;
    size: bigint;
}

function alignUp(v: bigint, a: bigint): bigint {
    return ((v + a - 1n) / a) * a;
}

function mapId(entries: MapEntry[], mask: bigint | undefined, id: bigint): { target: string; id: bigint } | undefined {
    const masked = id & (mask ?? 0xffff_ffffn);
    for (const e of entries) if (masked >= e.ridBase && masked < e.ridBase + e.count) return { target: e.target, id: masked - e.ridBase + e.targetBase };
    return undefined;
}

export function buildInput(platform: Platform, options: BuildOptions = {}): HypervisorInput {
    const functions: HvFunction[] = [];
    const taken: Taken[] = [];
    const visitWritten = (fn: PciFunction) => {
        for (const b of fn.bars) if (b.address !== undefined) taken.push({ base: b.address, size: b.size });
        if (fn.rom?.address !== undefined) taken.push({ base: fn.rom.address, size: fn.rom.size });
        for (const b of fn.sriov?.vfBars ?? []) if (b.address !== undefined) taken.push({ base: b.address, size: b.size * (fn.sriov?.numVfs ?? 1n) });
        fn.children.forEach(visitWritten);
    };
    platform.hostBridges.forEach((hb) => hb.functions.forEach(visitWritten));

    const place = (hb: HostBridge, kind: Bar['kind'], prefetchable: boolean, size: bigint): bigint | undefined => {
        const windows = hb.windows.filter((w) =>
            kind === 'io' ? w.kind === 'io' : kind === 'mem64' && prefetchable ? w.kind !== 'io' && w.prefetchable : w.kind === 'mem32' && !w.prefetchable,
        );
        const fallback = kind === 'mem64' && prefetchable ? hb.windows.filter((w) => w.kind === 'mem32' && !w.prefetchable) : [];
        for (const w of [...windows, ...fallback]) {
            let cursor = alignUp(w.cpuBase, size);
            for (;;) {
                if (cursor + size > w.cpuBase + w.size) break;
                const clash = taken.find((t) => cursor < t.base + t.size && t.base < cursor + size);
                if (!clash) {
                    taken.push({ base: cursor, size });
                    return cursor;
                }
                cursor = alignUp(clash.base + clash.size, size);
            }
        }
        return undefined;
    };

    const invisible = new Map(Object.entries(options.invisible ?? {}));
    const byName = new Map<string, HvFunction>();

    platform.hostBridges.forEach((hb, hbIndex) => {
        const segment = hb.segment ?? BigInt(hbIndex);
        let highest = hb.busStart;
        const x86Iommu = platform.x86Iommus.find((u) => u.scope.includes(hb.name));
        const idsOf = (rids: bigint[], msiRid: bigint) => {
            const streamIds: HvFunction['streamIds'] = [];
            for (const r of rids) {
                if (x86Iommu) streamIds.push({ iommu: x86Iommu.name, id: r });
                else {
                    const m = mapId(hb.iommuMap, hb.iommuMapMask, r);
                    if (m) streamIds.push({ iommu: m.target, id: m.id });
                }
            }
            const msi = mapId(hb.msiMap, hb.msiMapMask, msiRid);
            return { streamIds, deviceIds: msi ? [{ its: msi.target, id: msi.id }] : [] };
        };
        const bars = (list: Bar[]): HvBar[] =>
            list.map((b) => ({ index: b.index, kind: b.kind, prefetchable: b.prefetchable, size: b.size, address: b.address ?? place(hb, b.kind, b.prefetchable, b.size), loc: b.loc }));

        const visit = (fn: PciFunction, bus: bigint, chain: HvFunction[], siblings: PciFunction[]) => {
            const upstream = chain[chain.length - 1];
            const ownBus = fn.address.bus ?? bus;
            if (ownBus > highest) highest = ownBus;
            const ari = fn.address.fn > 7n || (upstream?.decl.ariForwarding === true && siblings[0]?.ari !== undefined);
            const devfn = ari ? fn.address.fn | (fn.address.device << 3n) : (fn.address.device << 3n) | fn.address.fn;
            const rid = (ownBus << 8n) | devfn;
            // DMA aliases: bridges above, nearest first (stand-in for pci_for_each_dma_alias).
            const aliases: HvAlias[] = [];
            for (const q of fn.quirks) if (q.kind === 'dma-alias') aliases.push({ rid: (ownBus << 8n) | (q.device << 3n) | q.fn });
            if (fn.quirks.some((q) => q.kind === 'dma-func0-alias') && fn.address.fn !== 0n) aliases.push({ rid: (ownBus << 8n) | (fn.address.device << 3n) });
            let msiRid = rid;
            for (const b of [...chain].reverse()) {
                if (b.decl.quirks.some((q) => q.kind === 'bridge-xlate-root')) break;
                if (b.kind === 'pcie-pci-bridge' && !b.decl.quirks.some((q) => q.kind === 'pci-bridge-no-alias')) aliases.push({ rid: b.secondary! << 8n, bridge: b.name });
                else if (b.kind === 'pci-pcie-bridge' || b.kind === 'pci-bridge') aliases.push({ rid: b.decl.quirks.some((q) => q.kind === 'pcie-bridge-alias') ? b.secondary! << 8n : b.rid, bridge: b.name });
                else continue;
                msiRid = aliases[aliases.length - 1]!.rid;
            }
            const phantomQuirk = fn.quirks.find((q) => q.kind === 'phantom') as { count: bigint } | undefined;
            const phantomRids: bigint[] = [];
            if (phantomQuirk && phantomQuirk.count >= 1n && phantomQuirk.count <= 3n) {
                const stride = 8n >> phantomQuirk.count;
                if (fn.address.fn < stride) for (let p = fn.address.fn + stride; p < 8n; p += stride) phantomRids.push((ownBus << 8n) | (fn.address.device << 3n) | p);
            }
            const fn0 = siblings.find((s) => s.address.device === fn.address.device && s.address.fn === 0n);
            let why = invisible.get(fn.name);
            if (!why && !ari && fn.address.fn !== 0n && (!fn0 || !fn0.multifunction)) why = `function 0 of device ${fn.address.device} is ${fn0 ? 'not multi-function' : 'absent'}`;
            if (!why && upstream && (upstream.kind === 'root-port' || upstream.kind === 'downstream-port') && fn.address.device !== 0n && !ari) why = `device ${fn.address.device} below a PCIe port`;
            if (!why && upstream?.invisible !== undefined) why = `it is behind ${upstream.name}, which Linux does not find`;
            let secondary: bigint | undefined;
            if (isBridge(fn.kind)) {
                secondary = fn.secondary ?? fn.children.find((c) => c.address.bus !== undefined)?.address.bus ?? highest + 1n;
                if (secondary > highest) highest = secondary;
            }
            const ids = idsOf([rid, ...aliases.map((a) => a.rid)], msiRid);
            const h: HvFunction = {
                name: fn.name,
                decl: fn,
                kind: fn.kind,
                isVf: false,
                hostBridge: hb.name,
                segment,
                bus: ownBus,
                devfn,
                rid,
                ari,
                upstream: upstream?.name,
                secondary,
                multifunction: fn.multifunction,
                bars: bars(fn.bars),
                rom: fn.rom && { size: fn.rom.size, address: fn.rom.address ?? place(hb, 'mem32', false, fn.rom.size), disabled: fn.rom.disabled, loc: fn.rom.loc },
                aliases,
                phantomRids,
                ...ids,
                invisible: why,
                loc: fn.loc,
            };
            functions.push(h);
            byName.set(h.name, h);
            for (const child of fn.children) visit(child, secondary ?? ownBus, [...chain, h], fn.children);
            const sriov = fn.sriov;
            if (sriov && sriov.numVfs > 0n && !why) {
                const apertures = sriov.vfBars.map((b) => b.address ?? place(hb, b.kind, b.prefetchable, b.size * sriov.numVfs));
                for (let i = 0n; i < sriov.numVfs; i++) {
                    const vfRid = (rid + sriov.offset + i * sriov.stride) & 0xffffn;
                    const vfAliases = aliases.filter((a) => a.bridge !== undefined);
                    const vf: HvFunction = {
                        name: `${fn.name}.vf[${i}]`,
                        decl: fn,
                        kind: 'vf',
                        isVf: true,
                        pf: fn.name,
                        vfIndex: Number(i),
                        hostBridge: hb.name,
                        segment,
                        bus: vfRid >> 8n,
                        devfn: vfRid & 0xffn,
                        rid: vfRid,
                        ari,
                        upstream: upstream?.name,
                        multifunction: false,
                        bars: sriov.vfBars.map((b, k) => ({ index: b.index, kind: b.kind, prefetchable: b.prefetchable, size: b.size, address: apertures[k] === undefined ? undefined : apertures[k]! + i * b.size, loc: b.loc })),
                        aliases: vfAliases,
                        phantomRids: [],
                        ...idsOf([vfRid, ...vfAliases.map((a) => a.rid)], vfAliases.length ? msiRid : vfRid),
                        loc: sriov.loc,
                    };
                    functions.push(vf);
                    byName.set(vf.name, vf);
                }
            }
        };
        for (const fn of hb.functions) visit(fn, hb.busStart, [], hb.functions);
    });

    const groups: HvGroup[] = [];
    let next = 0;
    const listed = new Map<string, number>();
    for (const members of options.groups ?? []) {
        const id = next++;
        for (const m of members) listed.set(m, id);
        groups.push({ id, members: [...members] });
    }
    for (const f of functions) {
        if (options.noGroup?.includes(f.name)) continue;
        let id = listed.get(f.name);
        if (id === undefined) {
            id = next++;
            groups.push({ id, members: [f.name] });
        }
        f.group = id;
    }
    return { platform, profile: options.profile ?? defaultProfile(platform), functions, groups };
}
