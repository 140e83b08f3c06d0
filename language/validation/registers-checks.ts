// `registers bar I offset O size S`: the BAR must be a memory BAR the function declares (not the
// upper half of a 64-bit one) and the range must be non-empty and inside it. Codes LANG-NO-BAR,
// LANG-VALUE-RANGE. Whether the registers share a page with the MSI-X table is the hypervisor's
// question (src/hypervisor/msix-pages.ts): only a hypervisor that traps the page makes it matter.
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { Bar, PciplatAstType, Registers } from '../generated/ast.js';
import { hex } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { valueOf } from './ast-helpers.js';
import { barLabel, functionBank, slotsOf } from './bar-helpers.js';
import { functionLabel } from './function-helpers.js';
import { relatedAt, report } from './report.js';

export function registersChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return { Registers: checkRegistersInsideBar };
}

function checkRegistersInsideBar(registers: Registers, accept: ValidationAcceptor): void {
    const fn = registers.$container;
    const index = valueOf(registers.bar);
    if (index === undefined) return;
    const slot = slotsOf(functionBank(fn)).get(index);
    const owner = functionLabel(fn);
    if (!slot || slot.upperHalf || slot.bar.kind === 'io') {
        const why = !slot ? `${owner} declares no BAR ${index}` : slot.upperHalf ? `BAR ${index} is the upper half of 64-bit BAR ${index - 1n}` : `BAR ${index} is an I/O BAR`;
        report(accept, 'LANG-NO-BAR', `Registers of ${owner} name BAR ${index}: ${why}; registers live in a memory BAR.`, { node: registers, property: 'bar' });
        return;
    }
    const bar = slot.bar as Bar;
    const offset = valueOf(registers.offset);
    const size = valueOf(registers.size);
    const barSize = valueOf(bar.size);
    if (size === 0n) {
        report(accept, 'LANG-VALUE-RANGE', `Registers of ${owner} in BAR ${index} have size 0: they cover nothing.`, { node: registers, property: 'size' });
        return;
    }
    if (offset === undefined || size === undefined || barSize === undefined || offset + size <= barSize) return;
    report(accept, 'LANG-VALUE-RANGE', `Registers of ${owner} at offset ${hex(offset)} size ${hex(size)} end at ${hex(offset + size)}, past the end of BAR ${index} (size ${hex(barSize)}).`, { node: registers, property: 'size' }, [relatedAt(bar, barLabel(bar))]);
}
