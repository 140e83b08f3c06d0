// The platform hardware a device tree describes: RAM, GIC and ITS, SMMUs, UARTs, and every PCI
// host bridge with its ECAM, windows (`ranges`), bus range, segment and ID maps. Pure: device
// tree source in (the command layer turns a .dtb into source with the real `dtc`), model out.
// Bindings: Documentation/devicetree/bindings/pci/{pci.txt, host-generic-pci.yaml, pci-iommu.txt,
// pci-msi.txt}, iommu/arm,smmu-v3.yaml, interrupt-controller/arm,gic-v3.yaml.
import type { Gic, HostBridge, HostWindow, Its, MapEntry, MemoryRegion, PlatformDevice, Smmu } from '../model/platform.js';
import { cellsOf, nodeFullName, parseDts, stringsOf, walkNodes, type Cell, type DtNode, type DtProp } from './dts-parse.js';
import { ImportError } from './errors.js';
import { pciChildNodes, type DtPciNode } from './dt-pci-nodes.js';
import { addComment, importLoc, type Comments } from './source-loc.js';

export interface FirmwareHardware {
    memory: MemoryRegion[];
    its: Its[];
    smmus: Smmu[];
    gics: Gic[];
    platformDevices: PlatformDevice[];
    /** Host bridges without functions: the fabric sources fill them. */
    hostBridges: HostBridge[];
    /** Each host bridge's PCI child nodes (dt-pci-nodes.ts), where it has any. */
    pciNodes?: Map<HostBridge, DtPciNode[]>;
}

/**
 * Defaults for hardware registers a device tree does not carry: the SMMU's StreamID width
 * (IDR1.SIDSIZE) and the ITS's DeviceID width (GITS_TYPER.Devbits). 16 bits is what QEMU's
 * virt machine and most SoCs implement at least; widened when a map's outputs need more.
 */
const DEFAULT_ID_BITS = 16;

const GIC_VERSIONS: Record<string, Gic['version']> = {
    'arm,gic-v3': 'v3',
    'arm,gic-v4': 'v4',
    'arm,gic-400': 'v2',
    'arm,cortex-a15-gic': 'v2',
    'arm,cortex-a9-gic': 'v2',
    'arm,gic-v2': 'v2',
};
const SMMU_V2 = ['arm,mmu-500', 'arm,smmu-v2', 'arm,mmu-401', 'arm,mmu-400', 'arm,smmu-v1', 'qcom,smmu-v2', 'nvidia,smmu-500', 'nvidia,tegra234-smmu', 'nvidia,tegra194-smmu'];
const UARTS = ['arm,pl011', 'ns16550a', 'ns16550', 'snps,dw-apb-uart', 'arm,sbsa-uart', 'fsl,ns16550'];

export function readDeviceTree(text: string, file: string, comments: Comments): FirmwareHardware {
    const root = parseDts(text, file);
    const out: FirmwareHardware = { memory: [], its: [], smmus: [], gics: [], platformDevices: [], hostBridges: [] };
    const byPhandle = new Map<bigint, DtNode>();
    for (const node of walkNodes(root)) {
        const ph = cellsOf(node.props.get('phandle') ?? node.props.get('linux,phandle'))?.[0];
        if (typeof ph === 'bigint') byPhandle.set(ph, node);
    }
    const names = new Map<DtNode, string>();
    const counters = new Map<string, number>();
    const nameFor = (node: DtNode, prefix: string) => {
        const n = counters.get(prefix) ?? 0;
        counters.set(prefix, n + 1);
        const name = `${prefix}${n}`;
        names.set(node, name);
        return name;
    };
    const fail = (line: number, message: string): never => {
        throw new ImportError('IMPORT-DTS-SYNTAX', file, line, message);
    };
    const resolve = (cell: Cell, prop: DtProp): DtNode => {
        if (typeof cell === 'bigint') {
            const node = byPhandle.get(cell);
            if (!node) fail(prop.line, `${prop.name}: phandle 0x${cell.toString(16)} names no node`);
            return node!;
        }
        const labelled = [...walkNodes(root)].find((n) => n.labels.includes(cell.ref));
        if (!labelled) fail(prop.line, `${prop.name}: &${cell.ref} names no labelled node`);
        return labelled!;
    };
    const where = (node: DtNode) => `${file}:${node.line} ${nodeFullName(node)}`;

    const pciHosts: DtNode[] = [];
    for (const node of walkNodes(root)) {
        const compatible = stringsOf(node.props.get('compatible')) ?? [];
        const deviceType = stringsOf(node.props.get('device_type'))?.[0];
        if (deviceType === 'pci' && !isUnderPci(node)) {
            pciHosts.push(node);
            continue;
        }
        if (deviceType === 'memory') {
            for (const [i, r] of regs(node, fail).entries()) {
                const region: MemoryRegion = { name: nameFor(node, 'ram'), base: r.base, size: r.size, loc: importLoc(file, node.line) };
                if (i > 0) names.set(node, region.name);
                out.memory.push(region);
                addComment(comments, region, where(node));
            }
            continue;
        }
        if (compatible.includes('arm,gic-v3-its')) {
            const r = regs(node, fail)[0];
            if (!r) fail(node.line, `ITS ${nodeFullName(node)} has no reg`);
            const its: Its = { name: nameFor(node, 'its'), base: r!.base, deviceIdBits: DEFAULT_ID_BITS, loc: importLoc(file, node.line) };
            const numa = cellsOf(node.props.get('numa-node-id'))?.[0];
            if (typeof numa === 'bigint') its.numaNode = numa;
            out.its.push(its);
            addComment(comments, its, `${where(node)}; device-id-bits: GITS_TYPER.Devbits is not in the device tree, ${DEFAULT_ID_BITS} assumed`);
            continue;
        }
        const gic = compatible.map((c) => GIC_VERSIONS[c]).find((v) => v !== undefined);
        if (gic) {
            const r = regs(node, fail)[0];
            if (r) {
                const g: Gic = { name: nameFor(node, 'gic'), version: gic, base: r.base, loc: importLoc(file, node.line) };
                out.gics.push(g);
                addComment(comments, g, where(node));
            }
            continue;
        }
        const smmuVersion = compatible.includes('arm,smmu-v3') ? 'v3' : compatible.some((c) => SMMU_V2.includes(c)) ? 'v2' : undefined;
        if (smmuVersion) {
            const r = regs(node, fail)[0];
            if (!r) fail(node.line, `SMMU ${nodeFullName(node)} has no reg`);
            const smmu: Smmu = { name: nameFor(node, 'smmu'), version: smmuVersion, base: r!.base, size: r!.size, streamIdBits: DEFAULT_ID_BITS, streamMatches: [], loc: importLoc(file, node.line) };
            out.smmus.push(smmu);
            addComment(comments, smmu, `${where(node)}; stream-id-bits: ${smmuVersion === 'v3' ? 'IDR1.SIDSIZE' : 'IDR0.NUMSIDB'} is not in the device tree, ${DEFAULT_ID_BITS} assumed`);
            continue;
        }
        if (compatible.some((c) => UARTS.includes(c))) {
            const r = regs(node, fail)[0];
            if (r) {
                const uart: PlatformDevice = { name: nameFor(node, 'uart'), kind: 'uart', base: r.base, io: false, size: r.size, loc: importLoc(file, node.line) };
                out.platformDevices.push(uart);
                addComment(comments, uart, where(node));
            }
        }
    }

    out.pciNodes = new Map();
    for (const node of pciHosts) {
        const hb = hostBridge(node, nameFor(node, 'pcie'), file, comments, resolve, names, fail);
        out.hostBridges.push(hb);
        const children = pciChildNodes(node);
        if (children.length > 0) out.pciNodes.set(hb, children);
    }
    widenIdBits(out, comments);
    return out;
}

function isUnderPci(node: DtNode): boolean {
    for (let p = node.parent; p; p = p.parent) if (stringsOf(p.props.get('device_type'))?.[0] === 'pci') return true;
    return false;
}

function numCells(node: DtNode | undefined, prop: '#address-cells' | '#size-cells'): number {
    if (!node) return prop === '#address-cells' ? 2 : 1;
    const v = cellsOf(node.props.get(prop))?.[0];
    return typeof v === 'bigint' ? Number(v) : prop === '#address-cells' ? 2 : 1;
}

function toNumber(cells: Cell[], line: number, fail: (line: number, m: string) => never): bigint {
    let v = 0n;
    for (const c of cells) {
        if (typeof c !== 'bigint') fail(line, 'a phandle reference where a number is expected');
        v = (v << 32n) | (c as bigint);
    }
    return v;
}

/** A node's `reg` entries as CPU addresses (translated through its parents' `ranges`). */
function regs(node: DtNode, fail: (line: number, m: string) => never): { base: bigint; size: bigint }[] {
    const prop = node.props.get('reg');
    const cells = cellsOf(prop);
    if (!prop || !cells) return [];
    const ac = numCells(node.parent, '#address-cells');
    const sc = numCells(node.parent, '#size-cells');
    if (ac + sc === 0 || cells.length % (ac + sc) !== 0) fail(prop.line, `reg of ${nodeFullName(node)} has ${cells.length} cells, not a multiple of #address-cells ${ac} + #size-cells ${sc}`);
    const out: { base: bigint; size: bigint }[] = [];
    for (let i = 0; i + ac + sc <= cells.length; i += ac + sc) {
        const base = toNumber(cells.slice(i, i + ac), prop.line, fail);
        const size = toNumber(cells.slice(i + ac, i + ac + sc), prop.line, fail);
        out.push({ base: translate(node.parent, base, fail), size });
    }
    return out;
}

/** Translates an address on `bus` (a node's children's address space) to the CPU's. */
function translate(bus: DtNode | undefined, address: bigint, fail: (line: number, m: string) => never): bigint {
    let a = address;
    for (let b = bus; b && b.parent; b = b.parent) {
        const ranges = b.props.get('ranges');
        if (!ranges) return a; // no ranges: not translatable; keep as is
        const cells = cellsOf(ranges) ?? [];
        if (cells.length === 0) continue; // `ranges;` identity
        const cac = numCells(b, '#address-cells');
        const pac = numCells(b.parent, '#address-cells');
        const csc = numCells(b, '#size-cells');
        const width = cac + pac + csc;
        let mapped: bigint | undefined;
        for (let i = 0; i + width <= cells.length; i += width) {
            const child = toNumber(cells.slice(i, i + cac), ranges.line, fail);
            const parent = toNumber(cells.slice(i + cac, i + cac + pac), ranges.line, fail);
            const size = toNumber(cells.slice(i + cac + pac, i + width), ranges.line, fail);
            if (a >= child && a < child + size) {
                mapped = a - child + parent;
                break;
            }
        }
        if (mapped === undefined) return a;
        a = mapped;
    }
    return a;
}

function hostBridge(
    node: DtNode,
    name: string,
    file: string,
    comments: Comments,
    resolve: (cell: Cell, prop: DtProp) => DtNode,
    names: Map<DtNode, string>,
    fail: (line: number, m: string) => never,
): HostBridge {
    const loc = importLoc(file, node.line);
    const compatible = stringsOf(node.props.get('compatible'));
    const busRange = cellsOf(node.props.get('bus-range'));
    const busStart = typeof busRange?.[0] === 'bigint' ? busRange[0] : 0n;
    const busEnd = typeof busRange?.[1] === 'bigint' ? busRange[1] : 0xffn;
    const hb: HostBridge = { name, compatible, busStart, busEnd, windows: [], iommuMap: [], msiMap: [], functions: [], loc, nameLoc: loc };
    const domain = cellsOf(node.props.get('linux,pci-domain'))?.[0];
    if (typeof domain === 'bigint') hb.segment = domain;
    const reg = regs(node, fail);
    const regNames = stringsOf(node.props.get('reg-names'));
    const regLine = node.props.get('reg')?.line ?? node.line;
    if (regNames && regNames.includes('config') && regNames.includes('dbi')) {
        const dbi = reg[regNames.indexOf('dbi')]!;
        const config = reg[regNames.indexOf('config')]!;
        hb.ecam = { convention: 'dt', base: dbi.base, size: dbi.size, loc: importLoc(file, regLine) };
        hb.childEcam = { convention: 'dt', base: config.base, size: config.size, loc: importLoc(file, regLine) };
    } else if (reg[0]) {
        hb.ecam = { convention: 'dt', base: reg[0].base, size: reg[0].size, loc: importLoc(file, regLine) };
    }
    if (!hb.ecam) fail(node.line, `PCI host bridge ${nodeFullName(node)} has no reg (its configuration space)`);
    // ranges: <pci.hi pci.mid pci.lo  cpu...  size.hi size.lo>
    const ranges = node.props.get('ranges');
    const rc = cellsOf(ranges) ?? [];
    const pac = numCells(node.parent, '#address-cells');
    const width = 3 + pac + 2;
    if (ranges && rc.length % width !== 0) fail(ranges.line, `ranges of ${nodeFullName(node)} has ${rc.length} cells, not a multiple of ${width} (3 PCI + ${pac} CPU + 2 size)`);
    for (let i = 0; i + width <= rc.length; i += width) {
        const hi = toNumber([rc[i]!], ranges!.line, fail);
        const pciBase = toNumber(rc.slice(i + 1, i + 3), ranges!.line, fail);
        const cpuBase = translate(node.parent, toNumber(rc.slice(i + 3, i + 3 + pac), ranges!.line, fail), fail);
        const size = toNumber(rc.slice(i + 3 + pac, i + width), ranges!.line, fail);
        const space = Number((hi >> 24n) & 3n);
        if (space === 0) continue; // configuration space: not a window
        const window: HostWindow = {
            kind: space === 1 ? 'io' : space === 2 ? 'mem32' : 'mem64',
            prefetchable: space !== 1 && (hi & 0x40000000n) !== 0n,
            cpuBase,
            pciBase,
            size,
            loc: importLoc(file, ranges!.line),
        };
        // A 32-bit space code on PCI addresses above 4 GiB (NXP LS1028A's ENETC root complex):
        // Linux takes the range as given, a memory window there; the language writes it 64-bit.
        const above = space === 2 && pciBase + size > 1n << 32n;
        if (above) window.kind = 'mem64';
        hb.windows.push(window);
        addComment(comments, window, `ranges 0x${hi.toString(16).padStart(8, '0')}${above ? ': 32-bit space code, but PCI addresses above 4 GiB; written mem64' : ''}`);
    }
    const map = (propName: 'iommu-map' | 'msi-map'): MapEntry[] => {
        const prop = node.props.get(propName);
        const cells = cellsOf(prop);
        if (!prop || !cells) return [];
        // <rid-base phandle out-base length>: the target's #iommu-cells / #msi-cells is 1 on every binding that has maps.
        if (cells.length % 4 !== 0) fail(prop.line, `${propName} has ${cells.length} cells, not a multiple of 4 (rid-base, phandle, output base, length)`);
        const entries: MapEntry[] = [];
        for (let i = 0; i + 4 <= cells.length; i += 4) {
            const target = resolve(cells[i + 1]!, prop);
            const targetName = names.get(target);
            if (!targetName) fail(prop.line, `${propName} entry ${i / 4} points at ${nodeFullName(target)}, which is not an ${propName === 'iommu-map' ? 'SMMU' : 'ITS'} this importer knows`);
            entries.push({
                ridBase: toNumber([cells[i]!], prop.line, fail),
                target: targetName!,
                targetBase: toNumber([cells[i + 2]!], prop.line, fail),
                count: toNumber([cells[i + 3]!], prop.line, fail),
                loc: importLoc(file, prop.line),
            });
        }
        return entries;
    };
    hb.iommuMap = map('iommu-map');
    hb.msiMap = map('msi-map');
    const mask = (p: string) => {
        const v = cellsOf(node.props.get(p))?.[0];
        return typeof v === 'bigint' ? v : undefined;
    };
    hb.iommuMapMask = mask('iommu-map-mask');
    hb.msiMapMask = mask('msi-map-mask');
    const msiParentProp = node.props.get('msi-parent');
    const msiParent = cellsOf(msiParentProp)?.[0];
    if (msiParent !== undefined && hb.msiMap.length === 0) {
        const target = names.get(resolve(msiParent, msiParentProp!));
        if (target) hb.msiParent = target;
    }
    const numa = cellsOf(node.props.get('numa-node-id'))?.[0];
    if (typeof numa === 'bigint') hb.numaNode = numa;
    addComment(comments, hb, `${file}:${node.line} ${nodeFullName(node)}${hb.segment !== undefined ? `, linux,pci-domain = <${hb.segment}>` : ''}`);
    return hb;
}

/** The assumed ID widths grow to hold every ID a map produces. */
function widenIdBits(hw: FirmwareHardware, comments: Comments): void {
    const bitsFor = (max: bigint) => {
        let bits = DEFAULT_ID_BITS;
        while (bits < 32 && max >= 1n << BigInt(bits)) bits++;
        return bits;
    };
    for (const hb of hw.hostBridges) {
        for (const e of hb.iommuMap) {
            const smmu = hw.smmus.find((s) => s.name === e.target);
            if (smmu && e.count > 0n) smmu.streamIdBits = Math.max(smmu.streamIdBits, bitsFor(e.targetBase + e.count - 1n));
        }
        for (const e of hb.msiMap) {
            const its = hw.its.find((s) => s.name === e.target);
            if (its && e.count > 0n) its.deviceIdBits = Math.max(its.deviceIdBits, bitsFor(e.targetBase + e.count - 1n));
        }
    }
    void comments;
}
