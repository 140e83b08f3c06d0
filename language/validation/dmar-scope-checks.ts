// x86 IOMMU scopes: a unit translates either whole host bridges (`scope`, DMAR INCLUDE_PCI_ALL)
// or the functions its device scopes name (`device-scope`); a DRHD with INCLUDE_PCI_ALL lists no
// PCI device scopes (VT-d spec 8.3), so one or the other, never both or neither. A function marked
// `outside-iommu` cannot also be named by a device scope, or sit below a bridge one names.
import { AstUtils, type AstNode, type ValidationAcceptor, type ValidationChecks } from 'langium';
import { isPciFunction, isPlatform, isSoc, isX86Iommu, type Model, type PciFunction, type PciplatAstType, type X86Iommu } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { relatedAt, report } from './report.js';

export function dmarScopeChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        X86Iommu: checkScopeForm,
        PciFunction: checkOutsideIommuNotScoped,
    };
}

function checkScopeForm(iommu: X86Iommu, accept: ValidationAcceptor): void {
    const scoped = iommu.deviceScopes.some((d) => d.functions.length > 0);
    if (iommu.scope.length === 0 && !scoped) {
        report(accept, 'LANG-MISSING-PROPERTY', `IOMMU ${iommu.name} translates nothing: write \`scope HOSTBRIDGE...\` (INCLUDE_PCI_ALL) or \`{ device-scope FUNCTION... }\`.`, { node: iommu, property: 'name' });
    }
    if (iommu.scope.length > 0 && scoped) {
        report(accept, 'LANG-CONTRADICTORY', `IOMMU ${iommu.name} has both \`scope\` (INCLUDE_PCI_ALL: every function of its host bridges) and device scopes: a DRHD with INCLUDE_PCI_ALL lists no PCI device scopes; write one or the other.`, { node: iommu.deviceScopes[0]!, keyword: 'device-scope' });
    }
}

/**
 * The x86 IOMMUs of a file, in the order of a walk of its tree: they are items of its platforms
 * and SoCs (the grammar puts them nowhere else), so only those are read. Walking the whole tree
 * for each function marked outside-iommu was quadratic: 2,100 such functions took 32 s of CPU
 * (fuzz input 489,956 of seed 20261204).
 */
function x86IommusOf(root: AstNode): X86Iommu[] {
    const iommus: X86Iommu[] = [];
    for (const element of (root as Partial<Model>).elements ?? []) {
        if (!isPlatform(element) && !isSoc(element)) continue;
        for (const item of element.items) if (isX86Iommu(item)) iommus.push(item);
    }
    return iommus;
}

function checkOutsideIommuNotScoped(fn: PciFunction, accept: ValidationAcceptor): void {
    const flag = fn.flags.find((f) => f.flag === 'outside-iommu');
    if (!flag) return;
    const root = AstUtils.findRootNode(fn);
    const chain = new Set<PciFunction>();
    for (let up: unknown = fn; isPciFunction(up); up = up.$container) chain.add(up);
    for (const iommu of x86IommusOf(root)) {
        for (const ds of iommu.deviceScopes) {
            for (const ref of ds.functions) {
                const target = ref.ref;
                if (!target || !chain.has(target)) continue;
                const how = target === fn ? 'names it' : `names ${target.name}, a bridge above it (a PCI sub-hierarchy entry covers everything below)`;
                report(accept, 'LANG-CONTRADICTORY', `${fn.name} is marked outside-iommu, but the device scope of IOMMU ${iommu.name} ${how}: the IOMMU translates it.`, { node: flag, property: 'flag' }, [relatedAt(iommu, `IOMMU ${iommu.name}`)]);
                return;
            }
        }
    }
}
