// PCI child nodes of a device-tree host bridge (Documentation/devicetree/bindings/pci/pci.txt:
// `pci@D,F` / `usb@D,F` nodes with `reg = <phys.hi 0 0 0 0>`, optionally `compatible =
// "pciVVVV,DDDD"` / `"pciclass,CCSSPP"`, bridges with `device_type = "pci"` and children).
// Linux attaches a node to the function at the node's devfn on the bus its parent forwards
// (pci_set_of_node → of_pci_find_child_device matches devfn only; the bus in phys.hi is not
// used), so the nodes are read as a tree of devfns. With a fabric source they name the function
// they describe (a comment); without one they are the fabric: functions at relative `DD.F`
// addresses, bus numbers left to enumeration. Pure.
import type { FunctionKind, HostBridge, PciFunction } from '../model/platform.js';
import { cellsOf, nodeFullName, stringsOf, type DtNode } from './dts-parse.js';
import type { ImportNote } from './errors.js';
import { Namer, namePrefix } from './names.js';
import { addComment, importLoc, type Comments } from './source-loc.js';

export interface DtPciNode {
    node: string;
    line: number;
    device: bigint;
    fn: bigint;
    vendor?: bigint;
    deviceId?: bigint;
    classCode?: bigint;
    bridge: boolean;
    children: DtPciNode[];
    /** Properties Linux 6.1 does not read on a PCI child node for what pciplat models. */
    ignored: string[];
}

/** Properties of a PCI child node that look like ID maps but only count on the host bridge (of_iommu_configure, of_msi_map_id read the host bridge's). */
const HOST_ONLY = ['iommu-map', 'iommu-map-mask', 'msi-map', 'msi-map-mask', 'msi-parent', 'iommus'];

/** The PCI child nodes of `node` (a host bridge or a bridge node), as a devfn tree. */
export function pciChildNodes(node: DtNode): DtPciNode[] {
    const out: DtPciNode[] = [];
    for (const child of node.children) {
        const hi = cellsOf(child.props.get('reg'))?.[0];
        if (typeof hi !== 'bigint') continue; // not a function node (no PCI address)
        const compatible = stringsOf(child.props.get('compatible')) ?? [];
        const ids = compatible.map((c) => /^pci([0-9a-f]{1,4}),([0-9a-f]{1,4})$/i.exec(c)).find((m) => m);
        const cls = compatible.map((c) => /^pciclass,([0-9a-f]{4,6})$/i.exec(c)).find((m) => m);
        const children = pciChildNodes(child);
        const classCode = cls ? BigInt(`0x${cls[1]!.padEnd(6, '0')}`) : undefined;
        out.push({
            node: nodeFullName(child),
            line: child.line,
            device: (hi >> 11n) & 0x1fn,
            fn: (hi >> 8n) & 0x7n,
            vendor: ids ? BigInt(`0x${ids[1]}`) : undefined,
            deviceId: ids ? BigInt(`0x${ids[2]}`) : undefined,
            classCode,
            bridge: stringsOf(child.props.get('device_type'))?.[0] === 'pci' || children.length > 0 || (classCode !== undefined && classCode >> 8n === 0x0604n),
            children,
            ignored: HOST_ONLY.filter((p) => child.props.has(p)),
        });
    }
    return out;
}

const devfnText = (n: { device: bigint; fn: bigint }) => `${n.device.toString(16).padStart(2, '0')}.${n.fn.toString(16)}`;

/**
 * Puts the device tree's PCI child nodes into `hb`: onto the functions a fabric source gave (a
 * comment naming the node), or, when the host bridge has no functions, as its functions.
 */
export function applyDtPciNodes(hb: HostBridge, nodes: readonly DtPciNode[], file: string, comments: Comments, notes: ImportNote[], taken: Set<string>): void {
    if (nodes.length === 0) return;
    const ignoredNote = (n: DtPciNode) => {
        if (n.ignored.length === 0) return;
        notes.push({ code: 'IMPORT-UNKNOWN', file, line: n.line, message: `${n.node}: ${n.ignored.join(', ')} on a PCI child node is not read by Linux 6.1 (it uses the host bridge's), so it is left out` });
    };
    if (hb.functions.length > 0) {
        const match = (list: readonly DtPciNode[], fns: readonly PciFunction[], where: string) => {
            for (const n of list) {
                ignoredNote(n);
                const fn = fns.find((f) => f.address.device === n.device && f.address.fn === n.fn);
                if (!fn) {
                    addComment(comments, hb, `${file}:${n.line} device tree node ${n.node} describes ${devfnText(n)} ${where}, which the fabric source does not list`);
                    continue;
                }
                addComment(comments, fn, `device tree node ${n.node} (${file}:${n.line})`);
                match(n.children, fn.children, `below ${fn.name}`);
            }
        };
        match(nodes, hb.functions, 'on the root bus');
        return;
    }
    const namer = new Namer(taken);
    // Kinds by place, as a PCIe host's tree has them: bridges on the root bus are root ports,
    // a bridge below a root port is a switch's upstream port, below that downstream ports.
    const build = (list: readonly DtPciNode[], parent: FunctionKind | undefined): PciFunction[] =>
        list.map((n) => {
            ignoredNote(n);
            const kind: FunctionKind = n.bridge
                ? parent === undefined
                    ? 'root-port'
                    : parent === 'root-port' || parent === 'downstream-port'
                      ? 'switch-upstream'
                      : 'downstream-port'
                : parent === undefined
                  ? 'rc-endpoint'
                  : 'endpoint';
            const loc = importLoc(file, n.line);
            const fn: PciFunction = {
                name: namer.next(namePrefix(kind, n.classCode)),
                kind,
                address: { device: n.device, fn: n.fn, loc },
                vendor: n.vendor,
                device: n.deviceId,
                classCode: n.classCode,
                multifunction: n.fn === 0n && list.some((o) => o !== n && o.device === n.device),
                ariForwarding: false,
                ioWindow1k: false,
                bars: [],
                resets: [],
                quirks: [],
                windows: [],
                children: [],
                loc,
                nameLoc: loc,
            };
            comments.set(fn, [`device tree node ${n.node} (${file}:${n.line}); ${kind} assumed from its place in the tree`]);
            notes.push({ code: 'IMPORT-UNKNOWN', file, line: n.line, message: `${n.node}: a device tree node gives no BARs, capabilities${n.vendor === undefined ? ' or IDs' : ''}: give --sysfs or --lspci for them` });
            fn.children = build(n.children, kind);
            return fn;
        });
    hb.functions = build(nodes, undefined);
    addComment(comments, hb, 'functions: from the device tree\'s PCI child nodes (no fabric source given)');
}
