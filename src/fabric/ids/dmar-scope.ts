// Which x86 IOMMU translates a function (linux:drivers/iommu/intel/iommu.c device_to_iommu, with
// dmar_register_drhd_unit's list order): DRHDs with device scopes are tried before any with
// INCLUDE_PCI_ALL (the kernel puts INCLUDE_PCI_ALL units at the tail of its list). A device scope
// entry matches the function it names, and, when it names a bridge (a PCI sub-hierarchy entry),
// every function on a bus below that bridge. A VF is looked up as its PF (pci_physfn). A function
// no unit matches has no IOMMU: Linux gives it no group, Xen no context.
import type { Platform, X86Iommu } from '../../model/platform.js';
import type { FabricFunction } from '../topology.js';

export class DmarScopes {
    private readonly scoped: X86Iommu[];
    private readonly includeAll = new Map<string, string>();

    constructor(platform: Platform) {
        // Later DRHDs are added at the head of the kernel's list, so they are tried first.
        this.scoped = platform.x86Iommus.filter((u) => (u.deviceScope?.length ?? 0) > 0).reverse();
        for (const u of platform.x86Iommus) for (const hb of u.scope) if (!this.includeAll.has(hb)) this.includeAll.set(hb, u.name);
    }

    /** Whether any unit lists device scopes (then a function outside them can have no IOMMU). */
    get hasDeviceScopes(): boolean {
        return this.scoped.length > 0;
    }

    /** The IOMMU translating `f`, if any. */
    unitFor(f: FabricFunction): string | undefined {
        const fn = f.isVf && f.pf ? f.pf : f;
        for (const unit of this.scoped) {
            for (const entry of unit.deviceScope!) {
                if (entry.function === fn.name || isBelow(fn, entry.function)) return unit.name;
            }
        }
        return this.includeAll.get(f.hostBridge.name);
    }
}

function isBelow(f: FabricFunction, bridge: string): boolean {
    for (let up = f.upstream; up; up = up.upstream) if (up.name === bridge) return true;
    return false;
}
