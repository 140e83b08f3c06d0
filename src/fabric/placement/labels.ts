// How placement names things in finding messages: `BAR 2 of endpoint nic0`, `the prefetch window of
// root-port rp1`, `mem64 prefetchable`, `0x10000000..0x1003ffff`.
import type { HostBridge, PciFunction } from '../../model/platform.js';
import { IORESOURCE_IO, IORESOURCE_MEM_64, IORESOURCE_PREFETCH, type Resource, type WindowSlot } from './resource.js';

export function hex(value: bigint): string {
    return '0x' + value.toString(16);
}

export function range(start: bigint, end: bigint): string {
    return `${hex(start)}..${hex(end)}`;
}

export function functionLabel(fn: PciFunction): string {
    return `${fn.kind} ${fn.name}`;
}

export function hostBridgeLabel(hostBridge: HostBridge): string {
    return `host bridge ${hostBridge.name}`;
}

export const SLOT_INDEX: Record<WindowSlot, number> = { io: 0, mem: 1, prefetch: 2 };
export const SLOT_OF_INDEX: readonly WindowSlot[] = ['io', 'mem', 'prefetch'];

/** `BAR 2 of endpoint nic0`, `the expansion ROM of endpoint nic0`, `VF BAR 0 of endpoint nic0`, `the mem window of root-port rp1`. */
export function resourceLabel(resource: Resource): string {
    const owner = functionLabel(resource.owner.fn);
    switch (resource.role) {
        case 'bar':
            return `BAR ${resource.index} of ${owner}`;
        case 'rom':
            return `the expansion ROM of ${owner}`;
        case 'vf-bar':
            return `the VF BAR ${resource.index} aperture of ${owner}`;
        case 'window':
            return `the ${SLOT_OF_INDEX[resource.index]} window of ${owner}`;
    }
}

/** `io`, `mem32`, `mem64 prefetchable`, ... from Linux flags. */
export function typeLabel(flags: number): string {
    if (flags & IORESOURCE_IO) return 'io';
    const width = flags & IORESOURCE_MEM_64 ? 'mem64' : 'mem32';
    return flags & IORESOURCE_PREFETCH ? `${width} prefetchable` : width;
}

/** `the I/O` / `memory` space name for sentences. */
export function spaceLabel(flags: number): string {
    return flags & IORESOURCE_IO ? 'I/O' : 'memory';
}

export function capitalised(text: string): string {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
