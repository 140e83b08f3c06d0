// Device-tree iommu-map and msi-map entries of a host bridge (DOMAIN §3): inputs are 16-bit
// requester IDs matched after the map mask, so an entry covers some IDs (MAP-EMPTY-ENTRY), stays
// within 0xffff (LANG-VALUE-RANGE) and has no rid-base bits outside the mask (MAP-ID-BASE-MASK);
// a mask is one 32-bit cell (LANG-VALUE-RANGE).
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { IommuMapEntry, MapMask, MsiMapEntry, PciplatAstType } from '../generated/ast.js';
import { hex } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { U32_MAX, valueOf } from './ast-helpers.js';
import { relatedAt, report } from './report.js';

/** A requester ID is bus<<8 | devfn: 16 bits (DOMAIN §1.1). */
const RID_SPACE = 0x10000n;

export function idMapChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        IommuMapEntry: checkMapEntry,
        MsiMapEntry: checkMapEntry,
        MapMask: checkMaskFits32Bits,
    };
}

/** DT iommu-map/msi-map entries (DOMAIN §3): inputs are 16-bit RIDs, matched after the map mask. */
function checkMapEntry(entry: IommuMapEntry | MsiMapEntry, accept: ValidationAcceptor): void {
    const bridge = entry.$container;
    const kind = entry.$type === 'IommuMapEntry' ? 'iommu-map' : 'msi-map';
    const rid = valueOf(entry.ridBase);
    const count = valueOf(entry.count);
    if (count === 0n) {
        report(accept, 'MAP-EMPTY-ENTRY', `The ${kind} entry rid ${rid !== undefined ? hex(rid) : entry.ridBase} count 0 of host bridge ${bridge.name} matches no requester ID.`, { node: entry, property: 'count' });
    }
    if (rid === undefined) return;
    if (rid >= RID_SPACE) {
        report(accept, 'LANG-VALUE-RANGE', `The ${kind} entry of host bridge ${bridge.name} starts at rid ${hex(rid)}, above 0xffff: a requester ID has 16 bits.`, { node: entry, property: 'ridBase' });
        return;
    }
    if (count !== undefined && rid + count > RID_SPACE) {
        report(accept, 'LANG-VALUE-RANGE', `The ${kind} entry of host bridge ${bridge.name} covers requester IDs ${hex(rid)}..${hex(rid + count - 1n)}, past 0xffff: a requester ID has 16 bits.`, { node: entry, property: 'count' });
    }
    const mask = bridge.masks.find((m) => m.kind === `${kind}-mask`);
    const maskValue = valueOf(mask?.value);
    if (mask && maskValue !== undefined && maskValue <= U32_MAX && (rid & ~maskValue) !== 0n) {
        report(accept, 'MAP-ID-BASE-MASK', `The ${kind} entry rid ${hex(rid)} of host bridge ${bridge.name} has bits ${hex(rid & ~maskValue)} outside ${kind}-mask ${hex(maskValue)}: no masked requester ID can match it, and Linux and Xen fail every lookup that reaches it (-EFAULT).`, { node: entry, property: 'ridBase' }, [relatedAt(mask, `${kind}-mask of ${bridge.name}`)]);
    }
}

/** Map masks are one device-tree cell. */
function checkMaskFits32Bits(mask: MapMask, accept: ValidationAcceptor): void {
    const value = valueOf(mask.value);
    if (value !== undefined && value > U32_MAX) {
        report(accept, 'LANG-VALUE-RANGE', `${mask.kind} ${hex(value)} of host bridge ${mask.$container.name} does not fit 32 bits (one device-tree cell).`, { node: mask, property: 'value' });
    }
}
