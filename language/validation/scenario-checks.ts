// Assignments and scenario steps: virtual slots on the guest's segment 0, bus 0 (DOMAIN §8.3.2,
// §8.4.1), VF references below total-vfs, enable/disable-sriov on a function with SR-IOV and
// num-vfs at most total-vfs, relocate-bar naming a declared BAR and moving it to an aligned
// address a 32-bit BAR can hold (DOMAIN §5.3). Codes LANG-VALUE-RANGE, PCI-DEVICE-RANGE,
// PCI-FUNCTION-RANGE, LANG-NO-SRIOV, SRIOV-NUMVFS, LANG-NO-BAR, PCI-BAR32-ABOVE-4G, PCI-BAR-MISALIGNED.
import type { AstNode, ValidationAcceptor, ValidationChecks } from 'langium';
import type {
    AssignStep, Assignment, Bar, DisableSriovStep, EnableSriovStep, FunctionRef, HotPlugStep, PciAddress, PciFunction, PciplatAstType,
    RelocateBarStep, Sriov, VfBar,
} from '../generated/ast.js';
import { hex, pciAddressValue } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { FOUR_GIB, bus, isPowerOfTwo, valueOf } from './ast-helpers.js';
import { relatedAt, report, type Where } from './report.js';

export function scenarioChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Assignment: checkVirtualSlot,
        AssignStep: checkVirtualSlot,
        HotPlugStep: checkVirtualSlot,
        FunctionRef: checkVirtualFunctionExists,
        EnableSriovStep: checkEnableSriov,
        DisableSriovStep: checkDisableSriov,
        RelocateBarStep: checkRelocatedBar,
    };
}

/** xl's vslot and QEMU's addr give a slot on the guest's bus 0 of segment 0 (DOMAIN §8.3.2, §8.4.1). */
function checkVirtualSlot(node: Assignment | AssignStep | HotPlugStep, accept: ValidationAcceptor): void {
    const vslot: PciAddress | undefined = node.vslot;
    const text = vslot?.absolute ?? vslot?.relative;
    if (!vslot || !text) return;
    const address = pciAddressValue(text);
    const where = { node, property: 'vslot' } as Where<AstNode>;
    if ((address.segment ?? 0n) !== 0n) {
        report(accept, 'LANG-VALUE-RANGE', `Virtual slot ${text} is in segment ${hex(address.segment!)}: a guest's passed-through devices sit in segment 0, bus 0.`, where);
    }
    if ((address.bus ?? 0n) !== 0n) {
        report(accept, 'LANG-VALUE-RANGE', `Virtual slot ${text} is on bus ${bus(address.bus!)}: a guest's passed-through devices sit on bus 0 (xl vslot and QEMU addr give only the slot).`, where);
    }
    if (address.device > 0x1fn) {
        report(accept, 'PCI-DEVICE-RANGE', `Virtual slot ${text} has device ${hex(address.device)}, above 0x1f.`, where);
    }
    if (address.fn > 7n) {
        report(accept, 'PCI-FUNCTION-RANGE', `Virtual slot ${text} has function ${hex(address.fn)}, above 7.`, where);
    }
}

function sriovOf(fn: PciFunction): Sriov | undefined {
    return fn.sriovs[0];
}

function totalVfs(sriov: Sriov): bigint | undefined {
    return valueOf(sriov.props.find((p) => p.key === 'total-vfs')?.value);
}

/** VFs are numbered from 0 up to TotalVFs - 1. */
function checkVirtualFunctionExists(ref: FunctionRef, accept: ValidationAcceptor): void {
    const fn = ref.function?.ref;
    const vf = valueOf(ref.vf);
    if (!fn || vf === undefined) return;
    const sriov = sriovOf(fn);
    if (!sriov) {
        report(accept, 'LANG-NO-SRIOV', `${fn.name} has no sriov capability, so ${fn.name}.vf[${vf}] does not exist.`, { node: ref, property: 'vf' }, [relatedAt(fn, `${fn.name} is declared here`)]);
        return;
    }
    const total = totalVfs(sriov);
    if (total !== undefined && vf >= total) {
        report(accept, 'LANG-VALUE-RANGE', `${fn.name}.vf[${vf}] does not exist: ${fn.name} has total-vfs ${total}, so its VFs are numbered 0 to ${total - 1n}.`, { node: ref, property: 'vf' });
    }
}

function checkEnableSriov(step: EnableSriovStep, accept: ValidationAcceptor): void {
    const fn = step.device?.ref;
    if (!fn) return;
    const sriov = sriovOf(fn);
    if (!sriov) {
        report(accept, 'LANG-NO-SRIOV', `${fn.name} has no sriov capability to enable.`, { node: step, property: 'device' });
        return;
    }
    const total = totalVfs(sriov);
    const numVfs = valueOf(step.numVfs);
    if (total !== undefined && numVfs !== undefined && numVfs > total) {
        report(accept, 'SRIOV-NUMVFS', `enable-sriov ${fn.name} num-vfs ${numVfs} exceeds its total-vfs ${total}.`, { node: step, property: 'numVfs' });
    }
}

function checkDisableSriov(step: DisableSriovStep, accept: ValidationAcceptor): void {
    const fn = step.device?.ref;
    if (fn && !sriovOf(fn)) {
        report(accept, 'LANG-NO-SRIOV', `${fn.name} has no sriov capability to disable.`, { node: step, property: 'device' });
    }
}

/** The BAR a relocate-bar step moves: the function's own, or its VFs' (SR-IOV VF BARs) for `x.vf[N]`. */
function checkRelocatedBar(step: RelocateBarStep, accept: ValidationAcceptor): void {
    const fn = step.device?.function?.ref;
    const index = valueOf(step.bar);
    if (!fn || index === undefined) return;
    const isVf = step.device.vf !== undefined;
    if (isVf && !sriovOf(fn)) return; // LANG-NO-SRIOV, at the reference
    const bars: Array<Bar | VfBar> = isVf ? sriovOf(fn)!.vfBars : fn.bars;
    const owner = isVf ? `The VFs of ${fn.name}` : fn.name;
    const bar = bars.find((b) => valueOf(b.index) === index);
    if (!bar) {
        const below = bars.find((b) => valueOf(b.index) === index - 1n && b.kind === 'mem64');
        const declared = bars.map((b) => b.index).join(', ');
        const detail = below ? `BAR ${index} is the upper half of 64-bit BAR ${index - 1n}` : declared ? `declared: ${declared}` : 'none is declared';
        report(accept, 'LANG-NO-BAR', `${owner} ${isVf ? 'have' : 'has'} no BAR ${index} to relocate (${detail}).`, { node: step, property: 'bar' });
        return;
    }
    checkRelocationAddress(step, bar, `BAR ${index} of ${isVf ? `${fn.name}.vf[${step.device.vf}]` : fn.name}`, accept);
}

/** A BAR decodes a naturally aligned range, and a 32-bit BAR cannot hold an address at or above 4 GiB (DOMAIN §5.3). */
function checkRelocationAddress(step: RelocateBarStep, bar: Bar | VfBar, label: string, accept: ValidationAcceptor): void {
    const address = valueOf(step.address);
    const size = valueOf(bar.size);
    if (address === undefined || size === undefined || size === 0n) return;
    if (bar.kind === 'mem32' && address + size > FOUR_GIB) {
        report(accept, 'PCI-BAR32-ABOVE-4G', `relocate-bar moves 32-bit ${label} (size ${hex(size)}) to ${hex(address)}, which ends above 4 GiB.`, { node: step, property: 'address' });
    }
    if (isPowerOfTwo(size) && address % size !== 0n) {
        report(accept, 'PCI-BAR-MISALIGNED', `relocate-bar moves ${label} (size ${hex(size)}) to ${hex(address)}, which is not aligned to its size.`, { node: step, property: 'address' });
    }
}
