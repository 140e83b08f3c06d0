// SR-IOV capability checks (DOMAIN §7, B.12 items 21-24): each key given once, total-vfs, offset
// and stride given, values that fit their registers, num-vfs at most total-vfs, a usable First VF
// Offset and VF Stride; and the VF BARs: the BAR register rules of bar-checks.ts, memory only and
// a multiple of the SR-IOV page size (DOMAIN §7.4). Codes LANG-DUPLICATE-PROPERTY,
// LANG-MISSING-PROPERTY, LANG-VALUE-RANGE, SRIOV-NUMVFS, SRIOV-OFFSET-STRIDE, SRIOV-VF-BAR-IO,
// SRIOV-VF-BAR-PAGE. Missing or over-64-bit numbers are skipped.
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { PciplatAstType, Sriov, SriovProp, VfBar } from '../generated/ast.js';
import { hex } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { isPowerOfTwo, lineOf, listed, valueOf } from './ast-helpers.js';
import { checkBar64NotInLastSlot, checkBarAlignedToSize, checkBarIndexFree, checkBarIndexInRange, checkBarSizePowerOfTwo } from './bar-checks.js';
import { barLabel } from './bar-helpers.js';
import { functionLabel } from './function-helpers.js';
import { relatedAt, report } from './report.js';

export function sriovChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        VfBar: [
            checkBarIndexInRange, checkBar64NotInLastSlot, checkBarIndexFree, checkVfBarIsMemory,
            checkBarSizePowerOfTwo, checkVfBarSizeIsPageMultiple, checkBarAlignedToSize,
        ],
        Sriov: [checkSriovKeysGivenOnce, checkSriovRequiredKeysGiven, checkNumVfsAtMostTotalVfs, checkVfOffsetAndStrideUsable],
        SriovProp: [checkSriovValueFitsItsRegister],
    };
}

type SriovKey = SriovProp['key'];

const REQUIRED_SRIOV_KEYS: readonly SriovKey[] = ['total-vfs', 'offset', 'stride'];
const DEFAULT_PAGE_SIZE = 0x1000n;
// System Page Size is a 32-bit register with one bit n set for 2^(12+n)-byte pages (DOMAIN §7.1).
const MAX_PAGE_SIZE = 1n << 43n;

function firstProp(sriov: Sriov, key: SriovKey): SriovProp | undefined {
    return sriov.props.find((p) => p.key === key);
}

function fitsRegister(key: SriovKey, value: bigint): boolean {
    return key === 'page-size' ? isPowerOfTwo(value) && value >= DEFAULT_PAGE_SIZE && value <= MAX_PAGE_SIZE : value <= 0xffffn;
}

/** The first value given for a key, when it fits its register (else undefined). */
function sriovValue(sriov: Sriov, key: SriovKey): bigint | undefined {
    const value = valueOf(firstProp(sriov, key)?.value);
    return value !== undefined && fitsRegister(key, value) ? value : undefined;
}

function sriovPageSize(sriov: Sriov): bigint | undefined {
    return firstProp(sriov, 'page-size') ? sriovValue(sriov, 'page-size') : DEFAULT_PAGE_SIZE;
}

function checkSriovKeysGivenOnce(sriov: Sriov, accept: ValidationAcceptor): void {
    for (const prop of sriov.props) {
        const first = firstProp(sriov, prop.key);
        if (!first || first === prop) continue;
        report(accept, 'LANG-DUPLICATE-PROPERTY', `SR-IOV ${prop.key} of ${functionLabel(sriov.$container)} is given twice (first at line ${lineOf(first)}).`, { node: prop, property: 'key' }, [relatedAt(first, `${prop.key} is first given here`)]);
    }
}

// Without TotalVFs, First VF Offset and VF Stride no VF can be numbered (DOMAIN §7.2).
function checkSriovRequiredKeysGiven(sriov: Sriov, accept: ValidationAcceptor): void {
    const missing = REQUIRED_SRIOV_KEYS.filter((key) => !firstProp(sriov, key));
    if (missing.length === 0) return;
    report(accept, 'LANG-MISSING-PROPERTY', `SR-IOV of ${functionLabel(sriov.$container)} is missing ${listed(missing)}.`, { node: sriov, keyword: 'sriov' });
}

// TotalVFs, NumVFs, InitialVFs, First VF Offset, VF Stride and VF Device ID are 16-bit registers (DOMAIN §7.1).
function checkSriovValueFitsItsRegister(prop: SriovProp, accept: ValidationAcceptor): void {
    const value = valueOf(prop.value);
    if (prop.key === undefined || value === undefined || fitsRegister(prop.key, value)) return;
    const fn = functionLabel(prop.$container.$container);
    const why = prop.key === 'page-size'
        ? `System Page Size selects a power of two from 4 KiB (${hex(DEFAULT_PAGE_SIZE)}) to 8 TiB (${hex(MAX_PAGE_SIZE)})`
        : 'the register holds 16 bits (at most 0xffff)';
    report(accept, 'LANG-VALUE-RANGE', `SR-IOV ${prop.key} of ${fn} is ${hex(value)}: ${why}.`, { node: prop, property: 'value' });
}

function checkNumVfsAtMostTotalVfs(sriov: Sriov, accept: ValidationAcceptor): void {
    const total = sriovValue(sriov, 'total-vfs');
    const num = sriovValue(sriov, 'num-vfs');
    const numProp = firstProp(sriov, 'num-vfs');
    const totalProp = firstProp(sriov, 'total-vfs');
    if (total === undefined || num === undefined || !numProp || !totalProp || num <= total) return;
    report(accept, 'SRIOV-NUMVFS', `SR-IOV of ${functionLabel(sriov.$container)} enables ${num} VFs (num-vfs) but supports only ${total} (total-vfs).`, { node: numProp, property: 'value' }, [relatedAt(totalProp, `total-vfs ${total}`)]);
}

// Linux refuses SR-IOV when First VF Offset is 0, or VF Stride is 0 while TotalVFs > 1 (DOMAIN §7.2, iov.c sriov_init).
function checkVfOffsetAndStrideUsable(sriov: Sriov, accept: ValidationAcceptor): void {
    const fn = functionLabel(sriov.$container);
    const offsetProp = firstProp(sriov, 'offset');
    if (offsetProp && sriovValue(sriov, 'offset') === 0n) {
        report(accept, 'SRIOV-OFFSET-STRIDE', `SR-IOV offset of ${fn} is 0: its first VF (${sriov.$container.name}.vf[0]) would have the PF's own routing ID, so Linux refuses SR-IOV (sriov_init) and creates no VFs.`, { node: offsetProp, property: 'value' });
    }
    const strideProp = firstProp(sriov, 'stride');
    const total = sriovValue(sriov, 'total-vfs');
    if (strideProp && sriovValue(sriov, 'stride') === 0n && total !== undefined && total > 1n) {
        report(accept, 'SRIOV-OFFSET-STRIDE', `SR-IOV stride of ${fn} is 0 with total-vfs ${total}: all ${total} VFs would share one routing ID, so Linux refuses SR-IOV (sriov_init) and creates no VFs.`, { node: strideProp, property: 'value' });
    }
}

// VF BARs are memory only (DOMAIN §7.4; Xen warns on I/O VF BARs).
function checkVfBarIsMemory(bar: VfBar, accept: ValidationAcceptor): void {
    if (bar.kind !== 'io') return;
    report(accept, 'SRIOV-VF-BAR-IO', `${barLabel(bar)} is I/O: VF BARs are memory only.`, { node: bar, property: 'kind' });
}

// Each VF BAR is a multiple of the System Page Size; Linux rejects the device otherwise (DOMAIN §7.4).
function checkVfBarSizeIsPageMultiple(bar: VfBar, accept: ValidationAcceptor): void {
    const size = valueOf(bar.size);
    const pageSize = sriovPageSize(bar.$container);
    if (size === undefined || pageSize === undefined || size % pageSize === 0n) return;
    report(accept, 'SRIOV-VF-BAR-PAGE', `${barLabel(bar)} has size ${hex(size)}, not a multiple of the SR-IOV page size ${hex(pageSize)}.`, { node: bar, property: 'size' });
}
