// Hardware blocks: memory, reserved regions, devices and UARTs fit their address space; ITS
// properties given once, device-id-bits present, GITS_TYPER widths 1-32 (DOMAIN §11.4); SMMU
// properties given once, stream-id-bits present and within IDR0/IDR1 (DOMAIN §2.2.4), stream-match
// entries on SMMUv2 only and within stream-id-bits. Codes LANG-VALUE-RANGE, LANG-DUPLICATE-PROPERTY,
// LANG-MISSING-PROPERTY, LANG-NOT-APPLICABLE.
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { GenericDevice, Its, ItsProp, MemoryRegion, PciplatAstType, ReservedRegion, Smmu, SmmuProp, Uart } from '../generated/ast.js';
import { hex } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { ADDRESS_SPACE, capitalised, valueOf } from './ast-helpers.js';
import { checkSizedRange, describeNode, sizeOf } from './platform-helpers.js';
import { repeatedItems } from './repeat-helpers.js';
import { report } from './report.js';

/** x86 port I/O addresses have 16 bits. */
const IO_PORT_SPACE = 0x10000n;

export function hardwareChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        MemoryRegion: checkRegionFitsAddressSpace,
        ReservedRegion: checkRegionFitsAddressSpace,
        GenericDevice: checkRegionFitsAddressSpace,
        Uart: checkUartFits,
        Its: checkItsProperties,
        Smmu: [checkSmmuProperties, checkStreamMatches],
    };
}

type SizedRegion = MemoryRegion | ReservedRegion | GenericDevice;

function checkRegionFitsAddressSpace(region: SizedRegion, accept: ValidationAcceptor): void {
    checkSizedRange(sizeOf(region), capitalised(describeNode(region)), valueOf(region.base), valueOf(region.size), ADDRESS_SPACE, 'the 64-bit address space', accept);
}

function checkUartFits(uart: Uart, accept: ValidationAcceptor): void {
    if (uart.port !== undefined) checkSizedRange(sizeOf(uart), `UART ${uart.name} (I/O port)`, valueOf(uart.port), valueOf(uart.size), IO_PORT_SPACE, 'the 64 KiB I/O port space', accept);
    else checkSizedRange(sizeOf(uart), `UART ${uart.name}`, valueOf(uart.base), valueOf(uart.size), ADDRESS_SPACE, 'the 64-bit address space', accept);
}

/** GITS_TYPER holds Devbits and ID_bits as "bits minus one" in 5-bit fields: 1 to 32 bits (DOMAIN §11.4). */
function checkItsProperties(its: Its, accept: ValidationAcceptor): void {
    const why = "DeviceIDs cannot be checked against the ITS's width (GITS_TYPER.Devbits + 1)";
    checkBlockProperties(its, its.props, `ITS ${its.name}`, { key: 'device-id-bits', why }, (prop, value) => {
        if ((prop.key === 'device-id-bits' || prop.key === 'event-id-bits') && (value < 1n || value > 32n)) {
            report(accept, 'LANG-VALUE-RANGE', `${prop.key} ${value} of ITS ${its.name} is out of range: GITS_TYPER holds 1 to 32 bits.`, { node: prop, property: 'value' });
        }
    }, accept);
}

/** SMMUv3 IDR1.SIDSIZE allows up to 32 StreamID bits; SMMUv2 IDR0.NUMSIDB up to 15, 16 with extended IDs (DOMAIN §2.2.4). */
function maxStreamIdBits(smmu: Smmu): bigint {
    return smmu.version === 'v2' ? 16n : 32n;
}

function streamIdBits(smmu: Smmu): bigint | undefined {
    const bits = valueOf(smmu.props.find((p) => p.key === 'stream-id-bits')?.value);
    return bits !== undefined && bits >= 1n && bits <= maxStreamIdBits(smmu) ? bits : undefined;
}

function checkSmmuProperties(smmu: Smmu, accept: ValidationAcceptor): void {
    const why = "StreamIDs cannot be checked against the SMMU's width";
    checkBlockProperties(smmu, smmu.props, `SMMU ${smmu.name}`, { key: 'stream-id-bits', why }, (prop, value) => {
        // Without a written version the SMMU is lowered as v3 (lower-platform.ts), so it is checked as one.
        if (prop.key === 'stream-id-bits' && (value < 1n || value > maxStreamIdBits(smmu))) {
            const field = smmu.version === 'v2' ? 'IDR0.NUMSIDB' : 'IDR1.SIDSIZE';
            report(accept, 'LANG-VALUE-RANGE', `stream-id-bits ${value} of SMMU ${smmu.name} is out of range: an SMMU${smmu.version ?? 'v3'} has 1 to ${maxStreamIdBits(smmu)} StreamID bits (${field}).`, { node: prop, property: 'value' });
        }
    }, accept);
}

/**
 * The `key value` properties of an ITS or SMMU: each key given once, `required` given, each value
 * in its range (`checkValue`, on values that fit 64 bits), and a `size` that keeps the block
 * inside the 64-bit address space.
 */
function checkBlockProperties<P extends ItsProp | SmmuProp>(block: Its | Smmu, props: readonly P[], owner: string, required: { key: P['key']; why: string }, checkValue: (prop: P, value: bigint) => void, accept: ValidationAcceptor): void {
    repeatedItems<ItsProp | SmmuProp>(props, (p) => p.key, (p) => ({ node: p, property: 'key' }), accept, owner);
    if (!props.some((p) => p.key === required.key)) {
        report(accept, 'LANG-MISSING-PROPERTY', `${owner} has no ${required.key}: ${required.why}.`, { node: block, property: 'name' });
    }
    for (const prop of props) {
        const value = valueOf(prop.value);
        if (value === undefined) continue;
        checkValue(prop, value);
        if (prop.key === 'size') checkSizedRange({ node: prop, property: 'value' }, owner, valueOf(block.base), value, ADDRESS_SPACE, 'the 64-bit address space', accept);
    }
}

/** Stream-match registers (SMR: ID and mask) exist on SMMUv2 only; v3 indexes a stream table by StreamID. */
function checkStreamMatches(smmu: Smmu, accept: ValidationAcceptor): void {
    if (smmu.version === 'v3') {
        for (const match of smmu.streamMatches) {
            report(accept, 'LANG-NOT-APPLICABLE', `SMMU ${smmu.name} is v3: stream-match entries (SMR registers) exist only on SMMUv2.`, { node: match, keyword: 'stream-match' });
        }
        return;
    }
    const bits = streamIdBits(smmu);
    if (bits === undefined) return;
    const limit = 1n << bits;
    for (const match of smmu.streamMatches) {
        for (const property of ['id', 'mask'] as const) {
            const value = valueOf(match[property]);
            if (value !== undefined && value >= limit) {
                report(accept, 'LANG-VALUE-RANGE', `stream-match ${property} ${hex(value)} of SMMU ${smmu.name} does not fit its ${bits} stream-id-bits (largest ${hex(limit - 1n)}).`, { node: match, property });
            }
        }
    }
}
