// The xen and kvm blocks: xen profile and options, Dom0, domain and VM settings given once and
// not 0; one MMIO hole of each kind per domain, each inside the address space and the low hole
// below 4 GiB (DOMAIN §8.3); one host driver per device (DOMAIN §10.1). Codes
// LANG-DUPLICATE-PROPERTY, LANG-VALUE-RANGE. (Profile against arch: arch-checks.ts; virtual
// slots of assignments: scenario-checks.ts.)
import type { AstNode, ValidationAcceptor, ValidationChecks } from 'langium';
import type { Dom0, FunctionRef, Kvm, KvmVm, MmioHole, PciplatAstType, Xen, XenDomain } from '../generated/ast.js';
import { hex } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { ADDRESS_SPACE, FOUR_GIB, lineOf, valueOf } from './ast-helpers.js';
import { checkSizedRange, sizeOf } from './platform-helpers.js';
import { repeatedItems, repeatedValues, repeats } from './repeat-helpers.js';
import { report } from './report.js';

export function xenKvmChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Xen: checkXenSettingsOnce,
        Dom0: checkDom0SettingsOnce,
        XenDomain: [checkDomainSettingsOnce, checkOneHoleOfEachKind],
        MmioHole: checkHole,
        Kvm: checkOneHostDriverPerDevice,
        KvmVm: checkVmSettingsOnce,
    };
}

function checkXenSettingsOnce(xen: Xen, accept: ValidationAcceptor): void {
    repeatedItems(xen.profiles, () => 'profile', (node) => ({ node }), accept, 'The xen block');
    repeatedItems(xen.options, (o) => o.key, (o) => ({ node: o, property: 'key' }), accept, 'The xen block');
}

function checkDom0SettingsOnce(dom0: Dom0, accept: ValidationAcceptor): void {
    repeatedValues(dom0, dom0.memory, 'memory', accept, 'Dom0');
    checkPositive(dom0, dom0.memory, 'memory', 'Dom0', accept);
    repeatedValues(dom0, dom0.vcpus, 'vcpus', accept, 'Dom0');
    checkPositive(dom0, dom0.vcpus, 'vcpus', 'Dom0', accept);
}

function checkDomainSettingsOnce(domain: XenDomain, accept: ValidationAcceptor): void {
    const owner = `Domain ${domain.name}`;
    repeatedValues(domain, domain.memory, 'memory', accept, owner);
    repeatedValues(domain, domain.vcpus, 'vcpus', accept, owner);
    repeatedValues(domain, domain.guestType, 'guestType', accept, owner, 'type');
    checkPositive(domain, domain.memory, 'memory', owner, accept);
    checkPositive(domain, domain.vcpus, 'vcpus', owner, accept);
}

function checkVmSettingsOnce(vm: KvmVm, accept: ValidationAcceptor): void {
    repeatedValues(vm, vm.memory, 'memory', accept, `VM ${vm.name}`);
    checkPositive(vm, vm.memory, 'memory', `VM ${vm.name}`, accept);
    repeatedValues(vm, vm.vcpus, 'vcpus', accept, `VM ${vm.name}`);
    checkPositive(vm, vm.vcpus, 'vcpus', `VM ${vm.name}`, accept);
}

function checkPositive(node: AstNode, values: readonly string[], property: string, owner: string, accept: ValidationAcceptor): void {
    values.forEach((text, index) => {
        if (valueOf(text) === 0n) report(accept, 'LANG-VALUE-RANGE', `${owner} has ${property} 0.`, { node, property: property as never, index });
    });
}

function checkOneHoleOfEachKind(domain: XenDomain, accept: ValidationAcceptor): void {
    for (const r of repeats<MmioHole>(domain.holes, (h) => h.which)) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `Domain ${domain.name} has ${r.count} ${r.item.which} MMIO holes (first at line ${lineOf(r.first)}).`, { node: r.item, property: 'which' });
    }
}

/** The low hole holds 32-bit BARs, so it ends at or below 4 GiB (DOMAIN §8.3, seed 000). */
function checkHole(hole: MmioHole, accept: ValidationAcceptor): void {
    const label = `The ${hole.which} MMIO hole of domain ${hole.$container.name}`;
    const base = valueOf(hole.base);
    const size = valueOf(hole.size);
    checkSizedRange(sizeOf(hole), label, base, size, ADDRESS_SPACE, 'the 64-bit address space', accept);
    if (hole.which !== 'low' || base === undefined || size === undefined || size === 0n || base + size <= FOUR_GIB) return;
    report(accept, 'LANG-VALUE-RANGE', `${label} at ${hex(base)} size ${hex(size)} ends at ${hex(base + size)}, above 4 GiB: the low hole holds 32-bit BARs.`, { node: hole, property: base >= FOUR_GIB ? 'base' : 'size' });
}

/** A device is bound to one host driver at a time (DOMAIN §10.1). */
function checkOneHostDriverPerDevice(kvm: Kvm, accept: ValidationAcceptor): void {
    const keyOf = (ref: FunctionRef | undefined) => (ref?.function?.ref ? `${ref.function.ref.name}${ref.vf !== undefined ? `.vf[${valueOf(ref.vf)}]` : ''}` : undefined);
    for (const r of repeats(kvm.hostDrivers, (d) => keyOf(d.device))) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `${keyOf(r.item.device)} has ${r.count} host-driver lines (first at line ${lineOf(r.first)}): a device is bound to one driver.`, { node: r.item, property: 'device' });
    }
}
