// How enumeration findings spell PCI numbers: hex as lspci prints them.
import type { FabricFunction } from './topology.js';

export function hex(value: bigint, width = 0): string {
    return '0x' + value.toString(16).padStart(width, '0');
}

/** `BB:DD.F` as lspci prints it (`SSSS:BB:DD.F` when the segment is not 0); ARI functions too. */
export function bdfText(segment: bigint, bus: bigint, devfn: bigint): string {
    const seg = segment === 0n ? '' : `${segment.toString(16).padStart(4, '0')}:`;
    return `${seg}${bus.toString(16).padStart(2, '0')}:${(devfn >> 3n).toString(16).padStart(2, '0')}.${(devfn & 7n).toString(16)}`;
}

/** `root-port rp0`, `VF nic0.vf[3]`: the kind and the name, as the language checks say it. */
export function label(f: FabricFunction): string {
    return f.isVf ? `VF ${f.name}` : `${f.decl.kind} ${f.name}`;
}

/** `0x02`, or `0x02-0x05` for a range of buses. */
export function busRangeText(first: bigint, last: bigint): string {
    return first === last ? hex(first, 2) : `${hex(first, 2)}-${hex(last, 2)}`;
}
