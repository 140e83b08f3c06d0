// The checks run once per parent (a bridge or a host bridge) over the functions directly below
// it, in this order: one bus and distinct addresses (pci-address-checks.ts), multi-function rules
// on the children that agree on the bus (multifunction-checks.ts), disjoint sibling bus ranges
// (bridge-bus-window-checks.ts). DOMAIN 1.1.4, 5.2.1; B.12 #6, #9, #22.
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { checkSiblingBusRangesDisjoint } from './bridge-bus-window-checks.js';
import type { Parent } from './function-helpers.js';
import { checkMultiFunctionSlots } from './multifunction-checks.js';
import { checkDistinctAddresses, childrenOnParentBus } from './pci-address-checks.js';

export function childrenChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        PciFunction: checkChildren,
        HostBridge: checkChildren,
    };
}

function checkChildren(parent: Parent, accept: ValidationAcceptor): void {
    const onBus = childrenOnParentBus(parent, accept);
    checkDistinctAddresses(parent, onBus, accept);
    checkMultiFunctionSlots(parent, onBus, accept);
    checkSiblingBusRangesDisjoint(parent, accept);
}
