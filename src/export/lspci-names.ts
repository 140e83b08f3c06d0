// Device and class names the way lspci prints them (pciutils lib/names.c, format_name and
// format_name_pair), so the exported listings diff cleanly against the real machine's:
//   `lspci -nn`:  `Red Hat, Inc. QEMU PCIe Root port [1b36:000c]`, `Intel Corporation Device [8086:fff1]`
//   `lspci -v` (tree): `Red Hat, Inc. QEMU PCIe Root port`, `Intel Corporation Device fff1`
import type { Identity } from './identity.js';

/** The names the exports look up (src/pci-ids' PciIds implements it). */
export interface PciNames {
    vendorName(vendor: bigint | undefined): string | undefined;
    deviceName(vendor: bigint | undefined, device: bigint | undefined): string | undefined;
    /** The subclass's name, else the base class's, for a 16-bit class. */
    classOnlyName(class16: bigint): string | undefined;
}

function hex4(value: bigint): string {
    return value.toString(16).padStart(4, '0');
}

/** `V D [vvvv:dddd]` (mixed, `-nn`) or `V D` (names only); unknown parts as pciutils words them. */
export function vendorDeviceText(names: PciNames, id: Identity, numbers: boolean): string {
    if (id.vendor === undefined || id.device === undefined) return numbers ? 'Device [????:????]' : 'Device ????:????';
    const v = names.vendorName(id.vendor);
    const d = names.deviceName(id.vendor, id.device);
    const num = `${hex4(id.vendor)}:${hex4(id.device)}`;
    if (numbers) {
        if (v && d) return `${v} ${d} [${num}]`;
        return v ? `${v} Device [${num}]` : `Device [${num}]`;
    }
    if (v && d) return `${v} ${d}`;
    return v ? `${v} Device ${hex4(id.device)}` : `Device ${num}`;
}

/** `Ethernet controller [0200]` (`-nn`), `Class [xxxx]` when pci.ids does not name it. */
export function classText(names: PciNames, classCode: bigint): string {
    const class16 = classCode >> 8n;
    const name = names.classOnlyName(class16);
    return name ? `${name} [${hex4(class16)}]` : `Class [${hex4(class16)}]`;
}

/** The line `lspci -nns BDF` prints for a function: slot, class, names and IDs, revision. */
export function lspciLine(names: PciNames, slot: string, id: Identity): string {
    const rev = id.revision !== 0n ? ` (rev ${id.revision.toString(16).padStart(2, '0')})` : '';
    return `${slot} ${classText(names, id.classCode)}: ${vendorDeviceText(names, id, true)}${rev}`;
}
