// The PCI fabric from the functions a listing or snapshot shows: each function hung below the
// bridge whose secondary bus it sits on (or on its host bridge's root bus), with its kind from
// the PCIe capability, its firmware-assigned resources written with `at`, and a name. Bus
// numbers that cannot belong to one machine (a function on a bus no bridge forwards, a bridge
// outside its parent's range) and functions listed twice stop the import.
import type { Bar, BridgeWindow, FunctionKind, HostBridge, PciFunction } from '../model/platform.js';
import { ImportError, type ImportNote } from './errors.js';
import { acsNames, bdfText, type FactBar, type FunctionFacts } from './facts.js';
import { Namer, namePrefix } from './names.js';
import { addComment, importLoc, type Comments } from './source-loc.js';
import type { AcsFlag, ResetMethod } from '../model/platform.js';

/** PCIe Device/Port Type → kind (PCI_EXP_TYPE_*). */
const PCIE_KINDS: Record<number, FunctionKind> = {
    0x0: 'endpoint',
    0x1: 'legacy-endpoint',
    0x4: 'root-port',
    0x5: 'switch-upstream',
    0x6: 'downstream-port',
    0x7: 'pcie-pci-bridge',
    0x8: 'pci-pcie-bridge',
    0x9: 'rc-endpoint',
    0xa: 'rc-event-collector',
};

export function kindOf(f: FunctionFacts): FunctionKind {
    if (f.pcieType !== undefined) {
        const kind = PCIE_KINDS[f.pcieType];
        if (kind) return kind;
    }
    return f.headerType === 1 ? 'pci-bridge' : 'pci-device';
}

const RESET_ORDER: ResetMethod[] = ['flr', 'pm', 'no-soft-reset', 'bus', 'slot', 'none'];

const where = (f: FunctionFacts) => `${f.source.file}${f.source.line > 0 ? `:${f.source.line}` : ''}`;

/** Fails on a function listed twice. */
export function checkUnique(facts: readonly FunctionFacts[]): void {
    const seen = new Map<string, FunctionFacts>();
    for (const f of facts) {
        const key = bdfText(f);
        const first = seen.get(key);
        if (first) throw new ImportError('IMPORT-DEVICE-TWICE', f.source.file, f.source.line, `${key} is listed twice (first at ${where(first)})`);
        seen.set(key, f);
    }
}

/** The functions that are SR-IOV VFs of a listed PF (lspci lists them; the platform computes them). */
export function virtualFunctions(facts: readonly FunctionFacts[]): Set<FunctionFacts> {
    const byRid = new Map<string, FunctionFacts>();
    for (const f of facts) byRid.set(`${f.segment}:${(f.bus << 8n) | (f.device << 3n) | f.fn}`, f);
    const vfs = new Set<FunctionFacts>();
    for (const pf of facts) {
        const s = pf.sriov;
        if (!s || s.numVfs === 0n) continue;
        const rid = (pf.bus << 8n) | (pf.device << 3n) | pf.fn;
        for (let n = 0n; n < s.numVfs && n < 0x10000n; n++) {
            const vf = byRid.get(`${pf.segment}:${(rid + s.offset + n * s.stride) & 0xffffn}`);
            if (vf && vf !== pf) vfs.add(vf);
        }
    }
    return vfs;
}

export interface FabricInput {
    facts: FunctionFacts[];
    /** Host bridges from the firmware (device tree, ACPI); placeholders are made when empty. */
    hostBridges: HostBridge[];
    comments: Comments;
    notes: ImportNote[];
    /** Names already used by the firmware hardware. */
    taken: Set<string>;
    /** Filled: the driver each named function was bound to at capture. */
    drivers: { name: string; driver: string; facts: FunctionFacts }[];
}

/** Hangs every function below its host bridge; returns the host bridges (firmware's and made ones). */
export function buildFabric(input: FabricInput): HostBridge[] {
    const { comments, notes } = input;
    checkUnique(input.facts);
    const vfs = virtualFunctions(input.facts);
    const facts = input.facts.filter((f) => !vfs.has(f)).sort(compareBdf);
    const hostBridges = [...input.hostBridges];
    const segmentOf = (hb: HostBridge, i: number) => hb.segment ?? BigInt(i);
    // Which host bridge each function belongs to: its segment, its bus in the bus range.
    const perHost = new Map<HostBridge, FunctionFacts[]>();
    for (const f of facts) {
        let hb = hostBridges.find((h, i) => segmentOf(h, i) === f.segment && f.bus >= h.busStart && f.bus <= h.busEnd);
        if (!hb) {
            hb = placeholderHostBridge(f, hostBridges.length, input);
            hostBridges.push(hb);
        }
        const list = perHost.get(hb) ?? [];
        list.push(f);
        perHost.set(hb, list);
    }
    const namer = new Namer(input.taken);
    // Function 0 of each device, once named: later functions are named after it.
    const made = new Map<string, { fn: PciFunction; facts: FunctionFacts }>();
    for (const [hb, list] of perHost) {
        // Parent of each function: the bridge whose secondary bus it is on, else the root bus.
        const bridgeOf = new Map<bigint, FunctionFacts>();
        for (const f of list) {
            if (!f.bridge) continue;
            const other = bridgeOf.get(f.bridge.secondary);
            if (other) {
                throw new ImportError('IMPORT-BUS-CONTRADICTION', f.source.file, f.source.line, `bridges ${bdfText(other)} and ${bdfText(f)} both have secondary bus 0x${f.bridge.secondary.toString(16)}`);
            }
            if (f.bridge.secondary > f.bridge.subordinate || f.bridge.secondary <= f.bus) {
                throw new ImportError('IMPORT-BUS-CONTRADICTION', f.source.file, f.source.line, `bridge ${bdfText(f)} on bus 0x${f.bus.toString(16)} has secondary 0x${f.bridge.secondary.toString(16)}, subordinate 0x${f.bridge.subordinate.toString(16)}: impossible`);
            }
            if (f.bridge.primary !== f.bus) {
                throw new ImportError('IMPORT-BUS-CONTRADICTION', f.source.file, f.source.line, `bridge ${bdfText(f)} sits on bus 0x${f.bus.toString(16)} but its primary bus is 0x${f.bridge.primary.toString(16)}`);
            }
            bridgeOf.set(f.bridge.secondary, f);
        }
        const root = hb.busStart;
        for (const f of list) {
            const parent = bridgeOf.get(f.bus);
            if (!parent && f.bus !== root) {
                throw new ImportError('IMPORT-BUS-CONTRADICTION', f.source.file, f.source.line, `${bdfText(f)} is on bus 0x${f.bus.toString(16)}, but no listed bridge has it as secondary bus and the root bus of ${hb.name} is 0x${root.toString(16)}`);
            }
            if (parent && f.bridge) {
                const p = parent.bridge!;
                if (f.bridge.secondary < p.secondary || f.bridge.subordinate > p.subordinate) {
                    throw new ImportError('IMPORT-BUS-CONTRADICTION', f.source.file, f.source.line, `bridge ${bdfText(f)} forwards buses 0x${f.bridge.secondary.toString(16)}..0x${f.bridge.subordinate.toString(16)}, outside 0x${p.secondary.toString(16)}..0x${p.subordinate.toString(16)} of the bridge above it, ${bdfText(parent)}`);
                }
            }
        }
        // Depth-first in bus order, so names count as a reader walks the tree.
        const children = new Map<FunctionFacts | undefined, FunctionFacts[]>();
        for (const f of list) {
            const parent = bridgeOf.get(f.bus);
            const siblings = children.get(parent) ?? [];
            siblings.push(f);
            children.set(parent, siblings);
        }
        // Below a port with ARI Forwarding whose device 0 function 0 has ARI, Linux enables ARI:
        // the language writes those functions as device 0 with 8-bit function numbers.
        for (const [parent, kids] of children) {
            if (!parent?.ariForwarding || !kids.some((k) => k.device === 0n && k.fn === 0n && k.ari)) continue;
            for (const k of kids) if (k.ari) Object.assign(k, { fn: (k.device << 3n) | k.fn, device: 0n });
        }
        const build = (parent: FunctionFacts | undefined): PciFunction[] =>
            (children.get(parent) ?? []).map((f) => {
                const fn0 = f.fn !== 0n ? made.get(deviceKey(f)) : undefined;
                const owner = fn0 && { name: fn0.fn.name, prefix: namePrefix(fn0.fn.kind, fn0.facts.classCode) };
                const fn = functionOf(f, parent === undefined, namer, owner, comments, notes);
                if (f.fn === 0n) made.set(deviceKey(f), { fn, facts: f });
                if (f.driver) input.drivers.push({ name: fn.name, driver: f.driver, facts: f });
                fn.children = f.bridge ? build(f) : [];
                return fn;
            });
        hb.functions = build(undefined);
        if (hb.windows.length === 0 && hb.functions.length > 0) deriveWindows(hb, list, comments, notes);
    }
    return hostBridges;
}

const deviceKey = (f: FunctionFacts) => `${f.segment}:${f.bus}:${f.device}`;

function compareBdf(a: FunctionFacts, b: FunctionFacts): number {
    const ka = (a.segment << 16n) | (a.bus << 8n) | (a.device << 3n) | a.fn;
    const kb = (b.segment << 16n) | (b.bus << 8n) | (b.device << 3n) | b.fn;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function placeholderHostBridge(f: FunctionFacts, index: number, input: FabricInput): HostBridge {
    const seg = f.segment.toString(16).padStart(4, '0');
    const loc = importLoc(f.source.file, f.source.line);
    const name = `pci${seg}`;
    input.taken.add(name);
    const hb: HostBridge = {
        name,
        segment: f.segment,
        busStart: 0n,
        busEnd: 0xffn,
        ecam: { convention: 'mcfg', base: 0n, size: 256n << 20n, buses: { start: 0n, end: 0xffn }, loc },
        windows: [],
        iommuMap: [],
        msiMap: [],
        functions: [],
        loc,
        nameLoc: loc,
    };
    void index;
    addComment(input.comments, hb, `segment ${seg}: no device tree or ACPI table described this host bridge; its mcfg base and windows are placeholders (give --dt or --mcfg)`);
    input.notes.push({ code: 'IMPORT-HOST-BRIDGE-GUESSED', file: f.source.file, line: f.source.line, message: `no firmware description of the host bridge of segment ${seg}: its configuration window and apertures are placeholders` });
    return hb;
}

function barOf(b: FactBar, f: FunctionFacts, what: string, notes: ImportNote[], comments: Comments, holder: object): Bar | undefined {
    if (b.size === undefined) {
        const text = `${what} ${b.index} (${b.kind}${b.prefetchable ? ' prefetch' : ''}${b.address !== undefined ? ` at 0x${b.address.toString(16)}` : ''}): size unknown, left out`;
        addComment(comments, holder, text);
        notes.push({ code: 'IMPORT-UNKNOWN', file: f.source.file, line: f.source.line, message: `${bdfText(f)} ${text}` });
        return undefined;
    }
    return { index: b.index, kind: b.kind, prefetchable: b.prefetchable, size: b.size, address: b.address, loc: importLoc(f.source.file, f.source.line) };
}

function functionOf(
    f: FunctionFacts,
    onRootBus: boolean,
    namer: Namer,
    owner: { name: string; prefix: string } | undefined,
    comments: Comments,
    notes: ImportNote[],
): PciFunction {
    let kind = kindOf(f);
    const loc = importLoc(f.source.file, f.source.line);
    const header: string[] = [`${bdfText(f)}: ${where(f)}`];
    if (kind === 'endpoint' && onRootBus) {
        // Linux treats a PCIe endpoint found on a root bus as integrated (pci_pcie_type quirks aside).
        kind = 'rc-endpoint';
        header.push('an endpoint on the root bus: written as rc-endpoint');
    }
    const prefix = namePrefix(kind, f.classCode);
    const name = namer.next(prefix, owner);
    const fn: PciFunction = {
        name,
        kind,
        address: { bus: f.bus, device: f.device, fn: f.fn, loc },
        vendor: f.vendor,
        device: f.deviceId,
        classCode: f.classCode,
        revision: f.revision,
        subsystemVendor: f.subsystemVendor,
        subsystem: f.subsystem,
        multifunction: f.multifunction && f.fn === 0n,
        ariForwarding: f.ariForwarding && (kind === 'root-port' || kind === 'downstream-port'),
        ioWindow1k: false,
        bars: [],
        resets: [],
        quirks: [],
        windows: [],
        children: [],
        loc,
        nameLoc: loc,
    };
    comments.set(fn, header);
    for (const b of f.bars) {
        const bar = barOf(b, f, 'BAR', notes, comments, fn);
        if (bar) fn.bars.push(bar);
    }
    if (f.rom) {
        if (f.rom.size === undefined) {
            addComment(comments, fn, 'expansion ROM: size unknown, left out');
            notes.push({ code: 'IMPORT-UNKNOWN', file: f.source.file, line: f.source.line, message: `${bdfText(f)} expansion ROM: size unknown, left out` });
        } else fn.rom = { size: f.rom.size, address: f.rom.address, disabled: f.rom.disabled, loc };
    }
    if (f.msi) fn.msi = { ...f.msi, loc };
    if (f.msix && fn.bars.some((b) => b.index === f.msix!.tableBar) && fn.bars.some((b) => b.index === f.msix!.pbaBar)) fn.msix = { ...f.msix, loc };
    else if (f.msix) addComment(comments, fn, 'MSI-X: its table BAR is not described, left out');
    if (f.acs) {
        fn.acs = { flags: acsNames(f.acs.capability) as AcsFlag[], disabled: false, loc };
        addComment(comments, fn, `ACS control at capture: ${acsNames(f.acs.control).join(' ') || 'none enabled'}`);
    }
    if (f.ari) fn.ari = { nextFunction: f.ari.nextFunction === 0n ? undefined : f.ari.nextFunction, loc };
    if (f.sriov) {
        const s = f.sriov;
        fn.sriov = {
            totalVfs: s.totalVfs,
            numVfs: s.numVfs,
            initialVfs: s.initialVfs,
            offset: s.offset,
            stride: s.stride,
            vfDevice: s.vfDevice,
            pageSize: s.pageSize,
            vfBars: s.vfBars.flatMap((b) => barOf(b, f, 'VF BAR', notes, comments, fn) ?? []),
            loc,
        };
    }
    // One order whatever the source listed them in (the language gives the order no meaning).
    fn.resets = RESET_ORDER.filter((r) => f.resets.includes(r));
    if (f.slot && (kind === 'root-port' || kind === 'downstream-port')) fn.slot = { number: f.slot.number, hotplug: f.slot.hotplug, loc };
    if (f.bridge) {
        fn.secondary = f.bridge.secondary;
        fn.subordinate = f.bridge.subordinate;
        fn.busNumbersLoc = loc;
        fn.windows = f.bridge.windows.map((w): BridgeWindow => ({ kind: w.kind, prefetchable: w.prefetchable, start: w.start, end: w.end, loc }));
        // Closed as the machine had them (Linux failed to assign them, or nothing needed them):
        // written `none`, so the simulation does not open what Linux left closed.
        const closed = (f.bridge.closed ?? []).filter((slot) => !f.bridge!.windows.some((w) => (w.kind === 'io' ? 'io' : w.prefetchable ? 'prefetch' : 'mem') === slot));
        if (closed.length > 0) fn.closedWindows = closed.map((slot) => ({ kind: slot === 'io' ? 'io' : slot === 'prefetch' ? 'mem64' : 'mem32', prefetchable: slot === 'prefetch', loc }));
    }
    if (f.driver) addComment(comments, fn, `driver in use: ${f.driver}`);
    for (const u of f.unknown) {
        addComment(comments, fn, `unknown: ${u}`);
        notes.push({ code: 'IMPORT-UNKNOWN', file: f.source.file, line: f.source.line, message: `${bdfText(f)}: ${u}` });
    }
    return fn;
}

/**
 * Apertures for a host bridge no firmware table described (lspci or sysfs alone; an x86 DSDT
 * whose _CRS is computed at run time): the smallest windows holding every resource the machine
 * had assigned on that root bus, so written addresses check as inside. I/O is 4 KiB-granular,
 * memory 1 MiB; resources above 4 GiB get a 64-bit window.
 */
function deriveWindows(hb: HostBridge, list: FunctionFacts[], comments: Comments, notes: ImportNote[]): void {
    const spans = { io: [] as [bigint, bigint][], low: [] as [bigint, bigint][], high: [] as [bigint, bigint][] };
    const add = (kind: 'io' | 'mem', start: bigint, end: bigint) => {
        if (kind === 'io') spans.io.push([start, end]);
        else (start >= 1n << 32n ? spans.high : spans.low).push([start, end]);
    };
    for (const f of list) {
        for (const b of f.bars) if (b.address !== undefined && b.size !== undefined) add(b.kind === 'io' ? 'io' : 'mem', b.address, b.address + b.size - 1n);
        if (f.rom?.address !== undefined && f.rom.size !== undefined) add('mem', f.rom.address, f.rom.address + f.rom.size - 1n);
        for (const v of f.sriov?.vfBars ?? []) if (v.address !== undefined && v.size !== undefined) add('mem', v.address, v.address + v.size * (f.sriov!.totalVfs || 1n) - 1n);
        for (const w of f.bridge?.windows ?? []) add(w.kind === 'io' ? 'io' : 'mem', w.start, w.end);
    }
    // One window per run of touching resources (4 KiB-rounded), so gaps that other host
    // bridges or devices use stay outside.
    const windows = (kind: 'io' | 'mem32' | 'mem64', list: [bigint, bigint][]) => {
        const granule = 0x1000n;
        const sorted = list.map(([s, e]): [bigint, bigint] => [s & ~(granule - 1n), e | (granule - 1n)]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        const runs: [bigint, bigint][] = [];
        for (const [s, e] of sorted) {
            const last = runs[runs.length - 1];
            if (last && s <= last[1] + 1n) last[1] = e > last[1] ? e : last[1];
            else runs.push([s, e]);
        }
        for (const [start, end] of runs) {
            const w = { kind, prefetchable: false, cpuBase: start, pciBase: start, size: end - start + 1n, loc: hb.loc };
            hb.windows.push(w);
            addComment(comments, w, 'assumed: what the machine assigned here');
        }
    };
    windows('io', spans.io);
    windows('mem32', spans.low);
    windows('mem64', spans.high);
    if (hb.windows.length > 0) {
        addComment(comments, hb, 'windows: no firmware table gave them; derived from the assigned resources');
        const f = list[0]!;
        notes.push({ code: 'IMPORT-HOST-BRIDGE-GUESSED', file: f.source.file, line: f.source.line, message: `host bridge ${hb.name}: no firmware table gave its windows; they are derived from the resources the machine assigned` });
    }
}
