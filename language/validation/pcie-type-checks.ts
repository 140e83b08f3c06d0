// `pcie-type K`: the PCI Express capability's Device/Port Type, written when it differs from what
// the kind (the header) implies. Conventional PCI kinds have no capability, and conventional
// kinds name no capability type (LANG-CONTRADICTORY); one per function (LANG-DUPLICATE-PROPERTY).
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { PciFunction, PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { functionLabel } from './function-helpers.js';
import { repeatedItems } from './repeat-helpers.js';
import { report } from './report.js';

const CONVENTIONAL = new Set(['pci-device', 'pci-bridge']);

export function pcieTypeChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return { PciFunction: checkPcieType };
}

function checkPcieType(fn: PciFunction, accept: ValidationAcceptor): void {
    const written = fn.pcieTypes[0];
    if (!written) return;
    repeatedItems(fn.pcieTypes, () => 'pcie-type', (node) => ({ node, keyword: 'pcie-type' }), accept, functionLabel(fn));
    if (fn.kind !== undefined && CONVENTIONAL.has(fn.kind)) {
        report(accept, 'LANG-CONTRADICTORY', `${functionLabel(fn)} is conventional PCI (${fn.kind}): it has no PCI Express capability, so no pcie-type.`, { node: written, keyword: 'pcie-type' });
    } else if (written.value !== undefined && CONVENTIONAL.has(written.value)) {
        report(accept, 'LANG-CONTRADICTORY', `pcie-type ${written.value} of ${functionLabel(fn)} is conventional PCI, not a PCI Express Device/Port Type.`, { node: written, property: 'value' });
    }
}
