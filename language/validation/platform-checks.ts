// Platform checks: hardware blocks (ITS, SMMU, memory, UART), host bridges (ECAM/MCFG, bus range, windows, iommu-map/msi-map and masks), IORT, the xen/kvm/linux blocks and scenarios.
import type { ValidationChecks } from 'langium';
import type { PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';

export function platformChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {};
}
