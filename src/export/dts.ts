// `pciplat export dts` / `dtso`: the platform's PCI host bridges as device-tree nodes (reg,
// ranges, bus-range, linux,pci-domain, iommu-map/msi-map with their masks, msi-parent) and the
// SMMU and ITS nodes they reference, as a source file (dts) or an overlay adding them to the
// root (dtso, compiled with dtc -@). The values are the simulated platform's: the segment Linux
// uses, the windows' PCI and CPU addresses, the ID maps as written.
// `--domain D` (dts): what Xen reads for that domain's PCI devices. A dom0less domain gets the
// partial device tree Xen builds it from (/passthrough): the host bridge holding its devices,
// passed through whole (xen,reg maps its windows 1:1, xen,path names the host node, which must
// carry xen,passthrough). A domain started by xl gets its guest PCI host-bridge node as libxl
// writes it (vPCI ECAM and the two windows, libxl_arm.c), with the simulated guest slots and BARs.
import type { DomainResult } from '../hypervisor/result.js';
import { hex } from '../hypervisor/format.js';
import { isArmArch, type HostBridge, type HostWindow, type Platform, type Smmu } from '../model/platform.js';
import { cells, cells64, dtLabel, flag, headerComment, nodeText, str, u32, unitName, type Cell, type DtNode } from './dts-writer.js';
import type { ExportInput } from './exporter.js';

export function dtsNotApplicable(platform: Platform): string | undefined {
    return isArmArch(platform.arch) ? undefined : platform.arch === 'ppc64' ? 'a POWER host describes its PHBs to Linux through OPAL firmware, which this export does not write' : 'an x86 platform describes its PCI host bridges through ACPI (MCFG, _CRS), not a device tree';
}

const GIC_DIST_SIZE = 0x1_0000n;
const ITS_SIZE = 0x2_0000n;
const SMMU_SIZE = 0x2_0000n;

/** The phys.hi cell of a PCI range: space code and prefetchable bit (IEEE 1275 PCI binding). */
function spaceCode(w: Pick<HostWindow, 'kind' | 'prefetchable'>): bigint {
    const space = w.kind === 'io' ? 0x0100_0000n : w.kind === 'mem32' ? 0x0200_0000n : 0x0300_0000n;
    return space | (w.prefetchable && w.kind !== 'io' ? 0x4000_0000n : 0n);
}

function rangesEntry(pciSpace: bigint, pciBase: bigint, cpuBase: bigint, size: bigint): Cell[] {
    return [pciSpace, ...cells64(pciBase), ...cells64(cpuBase), ...cells64(size)];
}

function hostBridgePath(hb: HostBridge): string {
    return `/${unitName('pcie', hb.ecam?.base ?? 0n)}`;
}

function regOf(base: bigint, size: bigint): Cell[] {
    return [...cells64(base), ...cells64(size)];
}

/** The segment Linux uses: the written linux,pci-domain, else the one simulated for its functions. */
function segmentOf(input: ExportInput, hb: HostBridge, index: number): bigint {
    if (hb.segment !== undefined) return hb.segment;
    const root = hb.functions[0];
    return (root && input.result.functions.find((f) => f.name === root.name)?.segment) ?? BigInt(index);
}

function hostBridgeNode(input: ExportInput, hb: HostBridge, index: number, label: (name: string) => string): DtNode {
    const props: DtNode['props'] = [];
    const ecam = hb.ecam;
    props.push(['compatible', str(...(hb.compatible ?? ['pci-host-ecam-generic']))]);
    props.push(['device_type', str('pci')]);
    if (ecam && hb.childEcam) {
        props.push(['reg', cells(regOf(ecam.base, ecam.size), regOf(hb.childEcam.base, hb.childEcam.size))]);
        props.push(['reg-names', str('dbi', 'config')]);
    } else if (ecam) props.push(['reg', cells(regOf(ecam.convention === 'mcfg' ? ecam.base + ((ecam.buses?.start ?? hb.busStart) << 20n) : ecam.base, ecam.size))]);
    props.push(['bus-range', cells([hb.busStart, hb.busEnd])]);
    props.push(['linux,pci-domain', u32(segmentOf(input, hb, index))]);
    props.push(['#address-cells', u32(3n)], ['#size-cells', u32(2n)]);
    if (hb.windows.length > 0) props.push(['ranges', cells(...hb.windows.map((w) => rangesEntry(spaceCode(w), w.pciBase, w.cpuBase, w.size)))]);
    if (hb.iommuMap.length > 0) props.push(['iommu-map', cells(...hb.iommuMap.map((m) => [m.ridBase, { ref: label(m.target) }, m.targetBase, m.count]))]);
    if (hb.iommuMapMask !== undefined) props.push(['iommu-map-mask', u32(hb.iommuMapMask)]);
    if (hb.msiMap.length > 0) props.push(['msi-map', cells(...hb.msiMap.map((m) => [m.ridBase, { ref: label(m.target) }, m.targetBase, m.count]))]);
    if (hb.msiMapMask !== undefined) props.push(['msi-map-mask', u32(hb.msiMapMask)]);
    if (hb.msiParent && hb.msiMap.length === 0 && input.platform.its.some((i) => i.name === hb.msiParent)) {
        // An ITS takes the DeviceID as its msi-cell (#msi-cells = <1>), so a bare msi-parent is
        // not well formed; the identity msi-map over the bus range says what it means: each RID
        // reaches the ITS unchanged (Linux's of_msi_map_id does the same for both).
        const base = hb.busStart << 8n;
        props.push(['msi-map', cells([base, { ref: label(hb.msiParent) }, base, (hb.busEnd - hb.busStart + 1n) << 8n])]);
    } else if (hb.msiParent) props.push(['msi-parent', cells([{ ref: label(hb.msiParent) }])]);
    if (hb.numaNode !== undefined) props.push(['numa-node-id', u32(hb.numaNode)]);
    return { name: unitName('pcie', ecam?.base ?? 0n), label: label(hb.name), comment: `host bridge ${hb.name}`, props, children: [] };
}

function smmuNode(s: Smmu): DtNode {
    const v3 = s.version === 'v3';
    return {
        name: unitName('iommu', s.base),
        label: dtLabel(s.name),
        comment: `${s.name}: SMMU${s.version}, ${s.streamIdBits}-bit StreamIDs`,
        props: [
            ['compatible', str(v3 ? 'arm,smmu-v3' : 'arm,mmu-500')],
            ['reg', cells(regOf(s.base, s.size ?? SMMU_SIZE))],
            ['#iommu-cells', u32(1n)],
        ],
        children: [],
    };
}

/** The nodes the host bridges need: the GIC with the ITSs they send MSIs to, the SMMUs they map to, the bridges. */
function platformNodes(input: ExportInput): DtNode[] {
    const { platform } = input;
    const referenced = new Set(platform.hostBridges.flatMap((hb) => [...hb.iommuMap, ...hb.msiMap].map((m) => m.target).concat(hb.msiParent ? [hb.msiParent] : [])));
    const label = (name: string) => dtLabel(name);
    const nodes: DtNode[] = [];
    const its = platform.its.filter((i) => referenced.has(i.name));
    const gic = platform.gics[0];
    if (its.length > 0 && gic) {
        nodes.push({
            name: unitName('interrupt-controller', gic.base),
            label: dtLabel(gic.name),
            comment: `${gic.name}: GIC${gic.version} distributor, with the ITSs the host bridges send MSIs to`,
            props: [
                ['compatible', str('arm,gic-v3')],
                ['reg', cells(regOf(gic.base, GIC_DIST_SIZE))],
                ['interrupt-controller', flag()],
                ['#interrupt-cells', u32(3n)],
                ['#address-cells', u32(2n)],
                ['#size-cells', u32(2n)],
                ['ranges', flag()],
            ],
            children: its.map((i) => ({
                name: unitName('msi-controller', i.base),
                label: dtLabel(i.name),
                comment: `${i.name}: ${i.deviceIdBits}-bit DeviceIDs`,
                props: [
                    ['compatible', str('arm,gic-v3-its')],
                    ['reg', cells(regOf(i.base, ITS_SIZE))],
                    ['msi-controller', flag()],
                    ['#msi-cells', u32(1n)],
                ],
                children: [],
            })),
        });
    }
    for (const s of platform.smmus.filter((x) => referenced.has(x.name))) nodes.push(smmuNode(s));
    platform.hostBridges.forEach((hb, i) => {
        if (hb.ecam) nodes.push(hostBridgeNode(input, hb, i, label));
    });
    return nodes;
}

const ROOT_PROPS: DtNode['props'] = [
    ['#address-cells', u32(2n)],
    ['#size-cells', u32(2n)],
];

function header(input: ExportInput, what: string): string[] {
    return [`${what} for platform ${input.platform.name}, written by pciplat from its simulation.`];
}

export function dtsText(input: ExportInput): string {
    if (input.guest) return guestText(input, input.guest);
    const root: DtNode = { name: '/', props: ROOT_PROPS, children: platformNodes(input) };
    return `/dts-v1/;\n\n${headerComment([...header(input, 'PCI host bridges, ITS and SMMU nodes'), 'Compile: dtc -I dts -O dtb -o out.dtb FILE; merge the nodes into the board device tree.'])}\n${nodeText(root, 0)}`;
}

export function dtsoText(input: ExportInput): string {
    const nodes = platformNodes(input);
    // The root's cell sizes are restated (arm64's 2 and 2) so that the nodes' reg and ranges read
    // the same in the overlay as in the tree it is applied to.
    const root: DtNode = { name: '&{/}', props: ROOT_PROPS, children: nodes };
    return `/dts-v1/;\n/plugin/;\n\n${headerComment([...header(input, 'Overlay adding the PCI host bridges, ITS and SMMU nodes'), 'Compile: dtc -@ -I dts -O dtb -o out.dtbo FILE; apply to a base tree without these nodes.'])}\n${nodeText(root, 0)}`;
}

// --- one Xen domain ----------------------------------------------------------------------------

/** libxl's guest vPCI layout on Arm (xen/include/public/arch-arm.h). */
const GUEST_ECAM = { base: 0x1000_0000n, size: 0x1000_0000n };
const GUEST_MEM = { base: 0x2300_0000n, size: 0x1000_0000n };
const GUEST_PREFETCH = { base: 0x1_0000_0000n, size: 0x1_0000_0000n };

function guestBridgeNode(guest: DomainResult): DtNode {
    const low = guest.holes.find((h) => h.which === 'low') ?? GUEST_MEM;
    const high = guest.holes.find((h) => h.which === 'high') ?? GUEST_PREFETCH;
    const devices = guest.devices.map((d) => {
        const bars = guest.guestBars.filter((b) => b.device === d && b.guest !== undefined).map((b) => `bar${b.bar === 'rom' ? ' rom' : b.bar} ${hex(b.guest!)}`);
        return `${d} at ${guest.guestSbdf[d] ?? '?'}${bars.length ? `: ${bars.join(', ')}` : ''}`;
    });
    return {
        name: unitName('pcie', GUEST_ECAM.base),
        comment: [`the guest's PCI host bridge, as libxl writes it (segment 0, bus 0)`, ...devices].join('\n'),
        props: [
            ['compatible', str('pci-host-ecam-generic')],
            ['device_type', str('pci')],
            ['reg', cells(regOf(GUEST_ECAM.base, GUEST_ECAM.size))],
            ['bus-range', cells([0n, 0xffn])],
            ['#address-cells', u32(3n)],
            ['#size-cells', u32(2n)],
            ['ranges', cells(rangesEntry(0x0200_0000n, low.base, low.base, low.size), rangesEntry(0x4300_0000n, high.base, high.base, high.size))],
        ],
        children: [],
    };
}

/** The host bridges that hold the functions a domain is configured with. */
function bridgesOfDomain(platform: Platform, input: ExportInput, domain: string): HostBridge[] {
    const decl = platform.xen?.domains.find((d) => d.name === domain);
    const wanted = new Set((decl?.assignments ?? []).map((a) => a.device.function));
    const hostBridgeOf = (name: string) => {
        const f = input.result.functions.find((x) => x.name === name);
        return platform.hostBridges.find((hb) => (f ? containsFunction(hb, f.pf ?? f.name) : false));
    };
    const out: HostBridge[] = [];
    for (const name of wanted) {
        const hb = hostBridgeOf(name);
        if (hb && !out.includes(hb)) out.push(hb);
    }
    return out;
}

function containsFunction(hb: HostBridge, name: string): boolean {
    const stack = [...hb.functions];
    while (stack.length > 0) {
        const f = stack.pop()!;
        if (f.name === name) return true;
        stack.push(...f.children);
    }
    return false;
}

function passthroughBridge(input: ExportInput, hb: HostBridge, index: number): DtNode {
    const node = hostBridgeNode(input, hb, index, dtLabel);
    // The guest has no SMMU or ITS of the host: no ID maps, no msi-parent.
    node.props = node.props.filter(([name]) => !['iommu-map', 'iommu-map-mask', 'msi-map', 'msi-map-mask', 'msi-parent'].includes(name));
    node.label = undefined;
    const regions = [...(hb.ecam ? [{ base: hb.ecam.base, size: hb.ecam.size }] : []), ...(hb.childEcam ? [{ base: hb.childEcam.base, size: hb.childEcam.size }] : []), ...hb.windows.filter((w) => w.kind !== 'io').map((w) => ({ base: w.cpuBase, size: w.size }))];
    node.props.push(['xen,reg', cells(...regions.map((r) => [...cells64(r.base), ...cells64(r.size), ...cells64(r.base)]))]);
    node.props.push(['xen,path', str(hostBridgePath(hb))]);
    // PCI host-bridge nodes name their masters through iommu-map, not `iommus`, which Xen's
    // dom0less passthrough looks for: without this flag it refuses the node.
    node.props.push(['xen,force-assign-without-iommu', flag()]);
    node.comment = `host bridge ${hb.name}, passed through whole: config space and windows mapped 1:1 (xen,reg), the host node ${hostBridgePath(hb)}\nmust carry xen,passthrough; and DMA from its devices is NOT translated by the SMMU (xen,force-assign-without-iommu)`;
    return node;
}

function guestText(input: ExportInput, guest: DomainResult): string {
    const { platform } = input;
    const decl = platform.xen?.domains.find((d) => d.name === guest.name);
    if (decl?.dom0less) {
        const bridges = bridgesOfDomain(platform, input, guest.name);
        const passthrough: DtNode = {
            name: 'passthrough',
            props: [
                ['compatible', str('simple-bus')],
                ['ranges', flag()],
                ['#address-cells', u32(2n)],
                ['#size-cells', u32(2n)],
            ],
            children: bridges.map((hb) => passthroughBridge(input, hb, platform.hostBridges.indexOf(hb))),
        };
        const lines = [
            ...header(input, `Partial device tree of dom0less domain ${guest.name}`),
            'Xen builds the domain from it at boot (the domU node\'s multiboot,device-tree module).',
            'A dom0less domain cannot be given single PCI functions (they are unknown to Xen at boot:',
            'XEN-DOM0LESS-PCI), so the host bridges holding its devices are passed through whole.',
            ...(bridges.length === 0 ? ['The domain is given no PCI function: /passthrough is empty.'] : bridges.map((hb) => `Host device tree: add  xen,passthrough;  to ${hostBridgePath(hb)} (host bridge ${hb.name}).`)),
        ];
        const root: DtNode = { name: '/', props: ROOT_PROPS, children: [passthrough] };
        return `/dts-v1/;\n\n${headerComment(lines)}\n${nodeText(root, 0)}`;
    }
    const root: DtNode = { name: '/', props: ROOT_PROPS, children: guest.devices.length > 0 ? [guestBridgeNode(guest)] : [] };
    const lines = [...header(input, `The guest PCI host-bridge node of domain ${guest.name}`), 'libxl adds it to the guest device tree itself when xl.cfg has pci = [...]; this shows what the guest sees.'];
    return `/dts-v1/;\n\n${headerComment(lines)}\n${nodeText(root, 0)}`;
}
