// The guest's physical memory map and its MMIO holes for virtual BARs.
//
// Arm (xen/include/public/arch-arm.h, tools/libs/light/libxl_arm.c; DOMAIN.md B.8.3): the design
// puts 32-bit BARs in a hole below 4 GiB and 64-bit ones in a hole above (seed 000 §4.1); today's
// layout names them GUEST_VPCI_MEM (0x2300_0000, 256 MiB, 32-bit non-prefetchable) and
// GUEST_VPCI_PREFETCH_MEM (0x1_0000_0000, 4 GiB, 64-bit prefetchable). `mmio-hole` overrides them;
// a hole must not overlap the guest's other regions (B.12 #43).
// x86 HVM: hvmloader places BARs in [PCI_MEM_START 0xf000_0000, PCI_MEM_END 0xfc00_0000) and 64-bit
// BARs above the end of guest RAM (tools/firmware/hvmloader/pci.c); modelled the same way.
import type { MmioHole, XenDomain } from '../model/platform.js';
import { alignUp } from '../util/arith.js';
import { overlaps, range } from './format.js';
import type { GuestHole } from './result.js';
import type { HvState } from './state.js';

export interface GuestRegion {
    name: string;
    base: bigint;
    size: bigint;
}

const GIB = 1n << 30n;
const MIB = 1n << 20n;

export const ARM_GUEST_HOLE_DEFAULTS: Record<'low' | 'high', { base: bigint; size: bigint }> = {
    low: { base: 0x2300_0000n, size: 0x1000_0000n },
    high: { base: 0x1_0000_0000n, size: 0x1_0000_0000n },
};

const ARM_RAM0 = { base: 0x4000_0000n, size: 0xc000_0000n };
const ARM_RAM1_BASE = 0x2_0000_0000n;

/** The fixed regions of an Arm guest (B.8.3), RAM sized to the domain's memory. */
export function armGuestRegions(memory: bigint): GuestRegion[] {
    const ram0 = memory < ARM_RAM0.size ? memory : ARM_RAM0.size;
    const regions: GuestRegion[] = [
        { name: 'virtio-mmio', base: 0x0200_0000n, size: 0x0010_0000n },
        { name: 'vGIC', base: 0x0300_0000n, size: 0x0102_0000n },
        { name: 'vPCI ECAM', base: 0x1000_0000n, size: 0x1000_0000n },
        { name: 'ACPI tables', base: 0x2000_0000n, size: 0x0200_0000n },
        { name: 'PL011', base: 0x2200_0000n, size: 0x1000n },
        { name: 'grant table', base: 0x3800_0000n, size: 0x0100_0000n },
        { name: 'magic pages', base: 0x3900_0000n, size: 0x0100_0000n },
        { name: 'RAM0', base: ARM_RAM0.base, size: ram0 },
    ];
    if (memory > ARM_RAM0.size) regions.push({ name: 'RAM1', base: ARM_RAM1_BASE, size: memory - ARM_RAM0.size });
    return regions;
}

function x86Defaults(memory: bigint): Record<'low' | 'high', { base: bigint; size: bigint }> {
    const lowStart = 0xf000_0000n;
    const above4g = memory > lowStart ? memory - lowStart : 0n;
    return {
        low: { base: lowStart, size: 0xfc00_0000n - lowStart },
        high: { base: alignUp(4n * GIB + above4g, GIB), size: 64n * GIB },
    };
}

/** xl's default guest memory when none is written. */
export function guestMemory(d: XenDomain | undefined): bigint {
    return d?.memory ?? 128n * MIB;
}

/** The holes of a domU: written ones, else the profile's defaults. */
export function guestHoles(state: HvState, d: XenDomain): GuestHole[] {
    const defaults = state.rules.arch === 'arm' ? ARM_GUEST_HOLE_DEFAULTS : x86Defaults(guestMemory(d));
    return (['low', 'high'] as const).map((which) => {
        const written = d.holes.find((h) => h.which === which);
        return written
            ? { which, base: written.base, size: written.size, used: 0n, source: 'written' as const }
            : { which, base: defaults[which].base, size: defaults[which].size, used: 0n, source: 'default' as const };
    });
}

/** B.12 #43: a written hole must not overlap the guest's regions or the other hole. */
export function checkHoles(state: HvState, d: XenDomain): void {
    if (state.rules.arch !== 'arm') return;
    const regions = armGuestRegions(guestMemory(d));
    const holes = guestHoles(state, d);
    for (const hole of d.holes) {
        const clashes = regions.filter((r) => overlaps(hole.base, hole.size, r.base, r.size));
        const other = holes.find((h) => h.which !== hole.which);
        if (other && overlaps(hole.base, hole.size, other.base, other.size)) clashes.push({ name: `the ${other.which} hole`, base: other.base, size: other.size });
        if (hole.which === 'low' && hole.base + hole.size > 1n << 32n) clashes.push({ name: 'the 4 GiB boundary (32-bit BARs need addresses below it)', base: 1n << 32n, size: 1n });
        for (const c of clashes) {
            state.report(
                'XEN-GUEST-HOLE',
                `${d.name}'s ${hole.which} MMIO hole ${range(hole.base, hole.size)} overlaps ${c.name}${c.size > 1n ? ` (${range(c.base, c.size)})` : ''} of the Arm guest layout: virtual BARs placed there clobber it`,
                { at: hole.loc, declaration: true },
                `${d.name}|${hole.which}|${c.name}`,
            );
        }
    }
}

export function holeLoc(d: XenDomain, which: MmioHole['which']) {
    return d.holes.find((h) => h.which === which)?.loc;
}
