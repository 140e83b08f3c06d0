// The IDs Linux's quirk tables match a function on: vendor, device (a VF's own VF Device ID),
// class, revision and subsystem, as the function's config header gives them.
import type { PciFunction } from '../../model/platform.js';
import type { FabricFunction } from '../topology.js';

/** The ID fields of the model's function (classCode: 24-bit base, sub-class, programming interface). */
export type DeviceIds = Pick<PciFunction, 'vendor' | 'device' | 'classCode' | 'revision' | 'subsystemVendor' | 'subsystem'>;

export function deviceIds(f: FabricFunction): DeviceIds {
    const d = f.decl;
    if (f.isVf) return { vendor: d.vendor, device: d.sriov?.vfDevice, classCode: d.classCode, revision: d.revision };
    return { vendor: d.vendor, device: d.device, classCode: d.classCode, revision: d.revision, subsystemVendor: d.subsystemVendor, subsystem: d.subsystem };
}

/** A row's vendor/device against the function's (`any` is PCI_ANY_ID). Unwritten IDs match nothing. */
export function idsMatch(ids: DeviceIds, vendor: bigint, device: bigint | 'any'): boolean {
    if (ids.vendor !== vendor) return false;
    return device === 'any' || ids.device === device;
}

/** `8086:1521` as lspci -nn prints it. */
export function idText(ids: DeviceIds): string {
    const h = (v: bigint | undefined) => (v === undefined ? '????' : v.toString(16).padStart(4, '0'));
    return `${h(ids.vendor)}:${h(ids.device)}`;
}
