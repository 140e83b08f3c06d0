// NUMA placement of MSIs: a host bridge's `numa-node` (DT numa-node-id, ACPI _PXM) against the
// node of the ITS its msi-map or msi-parent sends the functions' MSIs to. Linux targets the LPIs
// of an ITS with a node at CPUs of that node (linux:drivers/irqchip/irq-gic-v3-its.c
// its_irq_domain_activate, its_select_cpu; on Cavium ThunderX erratum 23144 no other node is
// possible), while the driver of a function below the host bridge allocates its memory on the
// host bridge's node (dev_to_node). Code HB-NUMA-REMOTE-ITS.
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { HostBridge, Its, PciplatAstType } from '../generated/ast.js';
import { hex } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { valueOf } from './ast-helpers.js';
import { relatedAt, report } from './report.js';

export function numaChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return { HostBridge: checkMsiTargetsOnNode };
}

function itsNode(its: Its | undefined): bigint | undefined {
    return valueOf(its?.props.find((p) => p.key === 'numa-node')?.value);
}

function checkMsiTargetsOnNode(bridge: HostBridge, accept: ValidationAcceptor): void {
    const node = valueOf(bridge.numaNodes[0]?.value);
    if (node === undefined) return;
    const remote = (its: Its | undefined) => {
        const other = itsNode(its);
        return other !== undefined && other !== node ? other : undefined;
    };
    const consequence = (other: bigint) =>
        `Linux targets the ITS's interrupts at CPUs of node ${other} (its_irq_domain_activate), so the functions' interrupts are handled on node ${other}, away from their drivers' memory on node ${node}; give the host bridge an ITS of its own node`;
    for (const entry of bridge.msiMaps) {
        const its = entry.target?.ref;
        const other = remote(its);
        if (!its || other === undefined) continue;
        const base = valueOf(entry.ridBase) ?? 0n;
        const count = valueOf(entry.count) ?? 0n;
        const rids = count === 0n ? `rid ${hex(base)}` : `requester IDs ${hex(base)}..${hex(base + count - 1n)}`;
        report(accept, 'HB-NUMA-REMOTE-ITS', `Host bridge ${bridge.name} is on NUMA node ${node}, but its msi-map sends ${rids} to ITS ${its.name} on node ${other}: ${consequence(other)}.`, { node: entry, property: 'target' }, [relatedAt(its, `ITS ${its.name} is on node ${other}`)]);
    }
    const parent = bridge.msiParents[0]?.target?.ref;
    const other = remote(parent);
    if (parent && other !== undefined && bridge.msiMaps.length === 0) {
        report(accept, 'HB-NUMA-REMOTE-ITS', `Host bridge ${bridge.name} is on NUMA node ${node}, but its msi-parent is ITS ${parent.name} on node ${other}: ${consequence(other)}.`, { node: bridge.msiParents[0]!, property: 'target' }, [relatedAt(parent, `ITS ${parent.name} is on node ${other}`)]);
    }
}
