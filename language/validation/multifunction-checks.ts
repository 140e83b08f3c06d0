// Multi-function rules for the functions of one device below one parent: Linux scans a slot from
// function 0, and functions 1-7 only when function 0 is multi-function or ARI is in effect
// (DOMAIN 1.1.4, B.12 #9). Codes PCI-MF-NO-FUNCTION0, PCI-MF-NOT-MULTIFUNCTION. The rule runs
// once per parent, from children-checks.ts, on the children that agree on the bus.
import type { ValidationAcceptor } from 'langium';
import { isPciFunction, type PciFunction } from '../generated/ast.js';
import { hex } from '../numbers.js';
import { listed } from './ast-helpers.js';
import { PORTS, addressOf, addressText, hasFlag, parentLabel, type Parent } from './function-helpers.js';
import { addressInError } from './pci-address-checks.js';
import { relatedAt, report } from './report.js';

/**
 * Linux scans a slot from function 0: without it the scan of the device stops, ARI or not
 * (probe.c pci_scan_slot; next_ari_fn needs function 0 to start the chain). Without ARI it goes
 * on to functions 1-7 only when function 0 is multi-function (DOMAIN 1.1.4, B.12 #9).
 * PCI-MF-NO-FUNCTION0 is reported on every function of the device, since each one is invisible.
 */
export function checkMultiFunctionSlots(parent: Parent, children: PciFunction[], accept: ValidationAcceptor): void {
    const byDevice = new Map<bigint, PciFunction[]>();
    for (const child of children) {
        const address = addressOf(child)!;
        if (addressInError(child, address)) continue;
        const group = byDevice.get(address.device);
        if (group) group.push(child);
        else byDevice.set(address.device, [child]);
    }
    for (const [device, group] of byDevice) {
        const zero = group.find((f) => addressOf(f)!.fn === 0n);
        if (!zero) {
            for (const fn of group) {
                report(accept, 'PCI-MF-NO-FUNCTION0', `${fn.name} (at ${addressText(fn)}) is never enumerated: device ${hex(device, 2)} below ${parentLabel(parent)} has no function 0, and Linux scans a device's other functions only after finding function 0.`, { node: fn, property: 'address' });
            }
            continue;
        }
        const others = group.filter((f) => addressOf(f)!.fn !== 0n);
        if (others.length === 0 || hasFlag(zero, 'multifunction') || ariInEffect(parent, zero)) continue;
        const names = listed(others.map((f) => `${f.name} (function ${hex(addressOf(f)!.fn)})`));
        report(accept, 'PCI-MF-NOT-MULTIFUNCTION', `${zero.name} (function 0 of device ${hex(device, 2)} below ${parentLabel(parent)}) does not declare multifunction, so Linux does not scan the device's other functions: ${names} ${others.length === 1 ? 'is' : 'are'} not enumerated.`, { node: zero, property: 'name' }, others.map((f) => relatedAt(f, `${f.name} shares device ${hex(device, 2)} with ${zero.name}`)));
    }
}

/** With ARI forwarding enabled Linux follows the ARI chain and ignores the multi-function bit. */
function ariInEffect(parent: Parent, zero: PciFunction): boolean {
    return isPciFunction(parent) && PORTS.has(parent.kind) && hasFlag(parent, 'ari-forwarding') && zero.aris.length > 0;
}
