// Resource checks: BARs, expansion ROM, MSI, MSI-X and SR-IOV (indices, sizes, alignment, flags, BIR and structure placement, VF rules).
import type { ValidationChecks } from 'langium';
import type { PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';

export function resourceChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {};
}
