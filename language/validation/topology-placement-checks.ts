// Placement of each function kind in the topology: PCIe Device/Port Types and where each sits
// (DOMAIN 5.2.2): functions only below bridges, root-port/rc-endpoint/rc-event-collector on a root
// bus, downstream-port below a switch-upstream, switch-upstream below a port, endpoints neither
// on a root bus nor on a conventional bus. Code PCI-PLACEMENT.
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import { isHostBridge, isPciFunction, type PciFunction, type PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { PORTS, isBridge, label, type Parent } from './function-helpers.js';
import { report } from './report.js';

/** Bridges whose secondary bus is conventional PCI. */
const CONVENTIONAL_SECONDARY: ReadonlySet<string> = new Set(['pcie-pci-bridge', 'pci-bridge']);
/** Kinds that exist only on a root bus (PCIe Device/Port Type 4, 9, 0xA; DOMAIN 5.2.2). */
const ROOT_BUS_ONLY: ReadonlySet<string> = new Set(['root-port', 'rc-endpoint', 'rc-event-collector']);

export function topologyPlacementChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        PciFunction: checkPlacement,
    };
}

function checkPlacement(fn: PciFunction, accept: ValidationAcceptor): void {
    if (!fn.kind || !fn.$container) return;
    const problem = placementProblem(fn, fn.$container);
    if (problem) report(accept, 'PCI-PLACEMENT', problem, { node: fn, property: 'kind' });
}

/** PCIe Device/Port Types and where each sits in the hierarchy (DOMAIN 5.2.2). */
function placementProblem(fn: PciFunction, parent: Parent): string | undefined {
    const where = isHostBridge(parent) ? `directly in host bridge ${parent.name}` : `below ${label(parent)}`;
    if (isPciFunction(parent) && !isBridge(parent)) {
        // A type 0 function whose capability says Root Port (Intel's DMI port) still has no bus below.
        const port = parent.pcieTypes[0]?.value;
        if (port !== undefined && ['root-port', 'downstream-port', 'switch-upstream'].includes(port)) {
            return `${label(fn)} sits inside ${label(parent)}, whose PCI Express capability says ${port} (pcie-type) but whose header is type 0: Linux decides from the header that it is no bridge (pci_is_bridge), so it has no secondary bus and nothing below it is scanned.`;
        }
        return `${label(fn)} sits inside ${label(parent)}, which is not a bridge: only root-port, switch-upstream, downstream-port, pcie-pci-bridge, pci-pcie-bridge and pci-bridge have functions below them.`;
    }
    if (ROOT_BUS_ONLY.has(fn.kind) && !isHostBridge(parent)) {
        return `${label(fn)} sits ${where}, but a root-port, rc-endpoint or rc-event-collector sits directly in a host bridge, on the root bus.`;
    }
    if (fn.kind === 'downstream-port' && !(isPciFunction(parent) && parent.kind === 'switch-upstream')) {
        return `${label(fn)} sits ${where}, but a downstream-port sits directly below a switch-upstream.`;
    }
    if (fn.kind === 'switch-upstream' && !(isPciFunction(parent) && PORTS.has(parent.kind))) {
        return `${label(fn)} sits ${where}, but a switch-upstream sits directly below a root-port or downstream-port.`;
    }
    if (fn.kind === 'endpoint' || fn.kind === 'legacy-endpoint') {
        if (isHostBridge(parent)) return `${label(fn)} sits directly on the root bus of host bridge ${parent.name}, where an integrated endpoint is an rc-endpoint.`;
        if (CONVENTIONAL_SECONDARY.has(parent.kind)) return `${label(fn)} sits below ${label(parent)}, whose secondary bus is conventional PCI, where a function is a pci-device.`;
    }
    return undefined;
}
