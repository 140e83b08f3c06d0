// Numbers a function writes about itself that must fit their register (LANG-VALUE-RANGE): the ID
// registers of the Type 0/1 header, the Physical Slot Number of Slot Capabilities and the ARI
// Next Function Number (DOMAIN 1.1.3).
import type { AstNode, ValidationAcceptor, ValidationChecks } from 'langium';
import type { Ari, IdAttr, IdKey, PciplatAstType, Slot } from '../generated/ast.js';
import { hex, numberValue } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { report } from './report.js';

export function registerWidthChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        IdAttr: checkIdFitsRegister,
        Slot: checkSlotNumberFits,
        Ari: checkNextFunctionFits,
    };
}

/** Type 0/1 header fields: Vendor, Device, Subsystem (Vendor) ID 16 bits, Class Code 24, Revision 8. */
const ID_REGISTERS: Record<IdKey, { field: string; bits: bigint }> = {
    vendor: { field: 'Vendor ID', bits: 16n },
    device: { field: 'Device ID', bits: 16n },
    'subsystem-vendor': { field: 'Subsystem Vendor ID', bits: 16n },
    subsystem: { field: 'Subsystem ID', bits: 16n },
    class: { field: 'Class Code', bits: 24n },
    revision: { field: 'Revision ID', bits: 8n },
};

function checkIdFitsRegister(attr: IdAttr, accept: ValidationAcceptor): void {
    const register = attr.key && ID_REGISTERS[attr.key];
    if (!register || attr.value === undefined) return;
    fitsBits(attr.value, register.bits, `${attr.key} ${attr.value} of ${attr.$container.name}`, `the ${register.field} register`, () => ({ node: attr, property: 'value' as const }), accept);
}

/** Slot Capabilities bits 31:19: Physical Slot Number, 13 bits. */
function checkSlotNumberFits(slot: Slot, accept: ValidationAcceptor): void {
    if (slot.number === undefined) return;
    fitsBits(slot.number, 13n, `slot ${slot.number} of ${slot.$container.name}`, 'the Physical Slot Number', () => ({ node: slot, property: 'number' as const }), accept);
}

/** ARI Capability register bits 15:8: Next Function Number, 8 bits (DOMAIN 1.1.3). */
function checkNextFunctionFits(ari: Ari, accept: ValidationAcceptor): void {
    if (ari.nextFunction === undefined) return;
    fitsBits(ari.nextFunction, 8n, `ari next-function ${ari.nextFunction} of ${ari.$container.name}`, 'the ARI Next Function Number', () => ({ node: ari, property: 'nextFunction' as const }), accept);
}

function fitsBits<N extends AstNode>(text: string, bits: bigint, what: string, field: string, where: () => Parameters<typeof report<N>>[3], accept: ValidationAcceptor): void {
    const max = (1n << bits) - 1n;
    if (numberValue(text) > max) report(accept, 'LANG-VALUE-RANGE', `${what} does not fit in ${bits} bits: ${field} holds at most ${hex(max)}.`, where());
}
