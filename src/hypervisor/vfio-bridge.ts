// vfio-pci binds only type-0 functions: vfio_pci_core_register_device() (Linux 5.15+; before
// that vfio_pci_probe()) returns -EINVAL when pdev->hdr_type is not PCI_HEADER_TYPE_NORMAL. A
// bridge given to a VM therefore never reaches it, and neither does anything below it: VFIO
// passes functions, not hierarchies. The functions below have to be assigned one by one.
import { allFunctions } from '../model/walk.js';
import { isBridge, type PciFunction } from '../model/platform.js';
import type { SourceLoc } from '../model/source.js';
import type { FnState, HvState } from './state.js';

/** Reports `f` when it is a bridge going to `vm`; true when it was refused. */
export function refuseBridge(state: HvState, vm: string, f: FnState, at: SourceLoc): boolean {
    if (f.fn.isVf || !isBridge(f.fn.decl.kind)) return false;
    const below = endpointsBelow(f.fn.decl);
    const listed = below.slice(0, 8).map((e) => e.name).join(', ') + (below.length > 8 ? ` and ${below.length - 8} more` : '');
    const advice = below.length > 0 ? `; assign the functions below it instead (${listed})` : ', and nothing is below it to assign instead';
    state.report(
        'KVM-ASSIGN-BRIDGE',
        `${vm} is given ${f.fn.name}, a ${f.fn.decl.kind} (type 1 header): vfio-pci refuses to bind bridges (vfio_pci_core_register_device returns -EINVAL), and VFIO passes single functions, not what is below a bridge${advice}`,
        { at, related: below.slice(0, 8).map((e) => ({ loc: e.loc, message: `${e.name}, below ${f.fn.name}` })) },
        `${vm}|${f.fn.name}|bridge`,
    );
    return true;
}

/** The type-0 functions of the hierarchy below `bridge`, depth first. */
function endpointsBelow(bridge: PciFunction): PciFunction[] {
    return allFunctions(bridge.children).filter((c) => !isBridge(c.kind));
}
