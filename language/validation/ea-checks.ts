// Enhanced Allocation entries (`bar ... at A ea`, `vf-bar ... at A ea`): the EA capability states
// the base and MaxOffset in DWORDs (bits 1:0 are flags), so any size that is a multiple of 4 is
// possible and no power-of-two alignment applies (linux:drivers/pci/pci.c pci_ea_read). Code
// PCI-EA-ENTRY; placement and window checks are the fabric's (src/fabric/placement/).
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { Bar, PciplatAstType, VfBar } from '../generated/ast.js';
import { hex } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { valueOf } from './ast-helpers.js';
import { barLabel } from './bar-helpers.js';
import { report } from './report.js';

export function eaChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return { Bar: checkEaGranularity, VfBar: checkEaGranularity };
}

function checkEaGranularity(bar: Bar | VfBar, accept: ValidationAcceptor): void {
    if (!bar.ea) return;
    const address = valueOf(bar.address);
    const size = valueOf(bar.size);
    if (address !== undefined && address % 4n !== 0n) {
        report(accept, 'PCI-EA-ENTRY', `${barLabel(bar)} is fixed by Enhanced Allocation at ${hex(address)}, which is not a multiple of 4: an EA entry's base is in DWORDs.`, { node: bar, property: 'address' });
    }
    // A BAR of size 0 is PCI-BAR-SIZE-MIN's already; a VF BAR has no such check.
    if (size === 0n && bar.$type === 'VfBar') {
        report(accept, 'PCI-EA-ENTRY', `${barLabel(bar)} is fixed by Enhanced Allocation with size 0: an EA entry covers at least one DWORD.`, { node: bar, property: 'size' });
    } else if (size !== undefined && size !== 0n && size % 4n !== 0n) {
        report(accept, 'PCI-EA-ENTRY', `${barLabel(bar)} is fixed by Enhanced Allocation with size ${hex(size)}, which is not a multiple of 4: an EA entry's MaxOffset is in DWORDs.`, { node: bar, property: 'size' });
    }
}
