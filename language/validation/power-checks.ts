// VFIO on POWER in the language (issue 14): the sPAPR TCE IOMMU and pseries guest PHBs exist on
// ppc64 only, and type1 does not exist there; `vfio-iommu` once per kvm block; a VM's PHB
// indexes are distinct (QEMU's spapr-pci-host-bridge `index` places the PHB's windows).
// Codes LANG-ARCH-MISMATCH, LANG-DUPLICATE-PROPERTY.
import { AstUtils, type ValidationAcceptor, type ValidationChecks } from 'langium';
import { isPlatform, type GuestPhb, type Kvm, type KvmVm, type PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { lineOf, valueOf } from './ast-helpers.js';
import { repeats } from './repeat-helpers.js';
import { relatedAt, report } from './report.js';

export function powerChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Kvm: checkVfioIommu,
        KvmVm: checkGuestPhbs,
    };
}

function archOf(node: Kvm | KvmVm): string | undefined {
    const platform = AstUtils.getContainerOfType(node, isPlatform);
    const values = new Set((platform?.arch ?? []).map((a) => a.value).filter((v) => v !== undefined));
    return values.size === 1 ? [...values][0] : undefined;
}

function checkVfioIommu(kvm: Kvm, accept: ValidationAcceptor): void {
    const arch = archOf(kvm);
    const platform = kvm.$container.name;
    for (const r of repeats(kvm.vfioIommus, () => 'vfio-iommu')) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `The kvm block of platform ${platform} gives vfio-iommu ${r.count} times (first at line ${lineOf(r.first)}): the host has one VFIO IOMMU backend.`, { node: r.item, keyword: 'vfio-iommu' });
    }
    for (const v of kvm.vfioIommus) {
        if (arch === undefined || v.value === undefined) continue;
        const spapr = v.value !== 'type1';
        if (spapr && arch !== 'ppc64') {
            report(accept, 'LANG-ARCH-MISMATCH', `vfio-iommu ${v.value} is the sPAPR TCE IOMMU of POWER, but platform ${platform} is arch ${arch} (its VFIO backend is type1).`, { node: v, property: 'value' });
        } else if (!spapr && arch === 'ppc64') {
            report(accept, 'LANG-ARCH-MISMATCH', `vfio-iommu type1 does not exist on POWER, but platform ${platform} is arch ppc64: its VFIO backend is spapr-tce (POWER7) or spapr-tce-v2 (POWER8 and later).`, { node: v, property: 'value' });
        }
    }
}

function checkGuestPhbs(vm: KvmVm, accept: ValidationAcceptor): void {
    const arch = archOf(vm);
    const platform = vm.$container.$container.name;
    if (arch !== undefined && arch !== 'ppc64') {
        for (const phb of vm.phbs) {
            report(accept, 'LANG-ARCH-MISMATCH', `phb ${phb.name} is a pseries guest host bridge of POWER, but platform ${platform} is arch ${arch}.`, { node: phb, keyword: 'phb' });
        }
        return;
    }
    const seen = new Map<bigint, GuestPhb>();
    for (const phb of vm.phbs) {
        const index = valueOf(phb.index);
        if (index === undefined) continue;
        const first = seen.get(index);
        if (first) {
            report(accept, 'LANG-DUPLICATE-PROPERTY', `VM ${vm.name}'s phb ${phb.name} has index ${index}, which phb ${first.name} already has: each guest PHB needs its own index.`, { node: phb, property: 'index' }, [relatedAt(first, `phb ${first.name}`)]);
        } else {
            seen.set(index, phb);
        }
    }
}
