// A type 0 function whose PCI Express capability says Root Port (`pcie-type root-port`, as
// Intel's DMI port at 00:00.0). Linux takes the header for the hierarchy (pci_is_bridge reads the
// header type, so there is no bus below it to scan) and the capability for isolation
// (linux:drivers/pci/probe.c set_pcie_port_type; drivers/pci/pci.c pci_acs_enabled): a Root Port
// needs ACS whatever its function count, where an endpoint needs it only as part of a
// multi-function device. Without ACS it is not isolated, so the other functions of its slot join
// its IOMMU group (drivers/iommu/iommu.c get_pci_function_alias_group). Code PCI-TYPE0-ROOT-PORT,
// reported only where the capability's type changes the isolation answer and so a group.
import { finding, type Finding } from '../../findings/finding.js';
import { isBridge } from '../../model/platform.js';
import { who } from '../ids/id-findings.js';
import type { FabricFunction } from '../topology.js';
import type { AcsRules } from './acs.js';
import type { IommuGroup } from './iommu-groups.js';

export function typeZeroRootPortFindings(functions: Iterable<FabricFunction>, groupOf: (f: FabricFunction) => IommuGroup | undefined, acs: AcsRules): Finding[] {
    const out: Finding[] = [];
    for (const f of functions) {
        if (f.isVf || f.invisible !== undefined || f.decl.pcieType !== 'root-port' || isBridge(f.decl.kind)) continue;
        const group = groupOf(f);
        const others = group?.members.filter((m) => m !== f) ?? [];
        // Only where the capability's type changes the answer from the header kind's (an ACS
        // override for one kind of function, a device-specific table entry for root ports).
        if (!group || others.length === 0 || acs.acsEnabled(f)) continue;
        if (!acs.acsEnabled({ ...f, decl: { ...f.decl, pcieType: undefined } })) continue;
        const names = others.slice(0, 8).map((m) => m.name).join(', ') + (others.length > 8 ? ` and ${others.length - 8} more` : '');
        out.push(
            finding(
                'PCI-TYPE0-ROOT-PORT',
                `${who(f)} has a type 0 header but its PCI Express capability says Root Port: Linux scans no bus below it, yet counts it as a root port for isolation, which needs ACS whatever the function count (pci_acs_enabled); as a Root Port it is not isolated where the ${f.decl.kind} its header describes would be, so it shares IOMMU group ${group.id} with ${names}.`,
                f.loc,
                others.slice(0, 8).map((m) => ({ loc: m.loc, message: `${m.name} is in group ${group.id}` })),
            ),
        );
    }
    return out;
}
