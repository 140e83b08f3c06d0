// Properties that do not apply to a function's kind (LANG-NOT-APPLICABLE): bus numbers, windows
// and io-window-1k only on bridges; slot and ari-forwarding only on root and downstream ports
// (DOMAIN 1.1.3); SR-IOV only on endpoints; SR-IOV and ARI not on conventional PCI functions.
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { PciFunction, PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { PORTS, isBridge, label } from './function-helpers.js';
import { report } from './report.js';

/** Conventional PCI functions: 256 bytes of configuration space, so no extended capabilities. */
const CONVENTIONAL: ReadonlySet<string> = new Set(['pci-device', 'pci-bridge']);

export function applicabilityChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        PciFunction: checkPropertiesApplyToKind,
    };
}

function checkPropertiesApplyToKind(fn: PciFunction, accept: ValidationAcceptor): void {
    if (!fn.kind) return;
    if (!isBridge(fn)) {
        for (const buses of fn.busNumbers) {
            report(accept, 'LANG-NOT-APPLICABLE', `Bus numbers do not apply to ${label(fn)}: only a bridge has secondary and subordinate buses.`, { node: buses, keyword: buses.secondary !== undefined ? 'secondary' : 'subordinate' });
        }
        for (const window of fn.bridgeWindows) {
            report(accept, 'LANG-NOT-APPLICABLE', `A bridge window does not apply to ${label(fn)}: only a bridge forwards address windows (a function's own ranges are its BARs).`, { node: window, keyword: 'window' });
        }
        for (const flag of fn.flags.filter((f) => f.flag === 'io-window-1k')) {
            report(accept, 'LANG-NOT-APPLICABLE', `io-window-1k does not apply to ${label(fn)}: it is the I/O window granularity of a bridge.`, { node: flag, property: 'flag' });
        }
    }
    if (!PORTS.has(fn.kind)) {
        for (const slot of fn.slots) {
            report(accept, 'LANG-NOT-APPLICABLE', `slot does not apply to ${label(fn)}: only a root-port or downstream-port has a slot (PCIe Slot Capabilities).`, { node: slot, keyword: 'slot' });
        }
        for (const flag of fn.flags.filter((f) => f.flag === 'ari-forwarding')) {
            report(accept, 'LANG-NOT-APPLICABLE', `ari-forwarding does not apply to ${label(fn)}: only a root-port or downstream-port forwards ARI.`, { node: flag, property: 'flag' });
        }
    }
    // SR-IOV is a capability of type 0 functions; SR-IOV and ARI are PCIe extended capabilities,
    // which conventional functions (256 bytes of configuration space) cannot have.
    for (const sriov of fn.sriovs) {
        if (isBridge(fn) || CONVENTIONAL.has(fn.kind)) {
            report(accept, 'LANG-NOT-APPLICABLE', `sriov does not apply to ${label(fn)}: ${isBridge(fn) ? 'SR-IOV belongs to endpoints, not bridges' : 'a conventional PCI function has no extended capabilities'}.`, { node: sriov, keyword: 'sriov' });
        }
    }
    for (const ari of fn.aris) {
        if (CONVENTIONAL.has(fn.kind)) {
            report(accept, 'LANG-NOT-APPLICABLE', `ari does not apply to ${label(fn)}: a conventional PCI function has no extended capabilities.`, { node: ari, keyword: 'ari' });
        }
    }
}
