// A function's BARs, expansion ROM and SR-IOV VF BAR apertures as the Linux resources the
// allocator sees (drivers/pci/probe.c pci_read_bases()/__pci_read_base(), drivers/pci/iov.c
// sriov_init()): flags, size and alignment.
import type { Bar, PciFunction, Sriov } from '../../model/platform.js';
import {
    IORESOURCE_IO,
    IORESOURCE_MEM,
    IORESOURCE_MEM_64,
    IORESOURCE_PREFETCH,
    PCI_IOV_RESOURCES,
    PCI_ROM_RESOURCE,
    newResource,
    type PlacementDevice,
    type Resource,
} from './resource.js';

function isPowerOfTwo(value: bigint): boolean {
    return value > 0n && (value & (value - 1n)) === 0n;
}

/** decode_bar(): I/O; memory, 64-bit when the type bits say so, prefetchable from bit 3. */
export function barFlags(bar: Pick<Bar, 'kind' | 'prefetchable'>): number {
    if (bar.kind === 'io') return IORESOURCE_IO;
    let flags = IORESOURCE_MEM;
    if (bar.kind === 'mem64') flags |= IORESOURCE_MEM_64;
    if (bar.prefetchable) flags |= IORESOURCE_PREFETCH;
    return flags;
}

/**
 * pci_read_bases() gives the expansion ROM IORESOURCE_MEM | IORESOURCE_PREFETCH and no
 * IORESOURCE_MEM_64: for sizing and assignment it is a 32-bit prefetchable BAR, which is why it
 * lands in the non-prefetchable window behind bridges with a 64-bit prefetchable window.
 */
export const ROM_FLAGS = IORESOURCE_MEM | IORESOURCE_PREFETCH;

/**
 * sriov_init() refuses the capability (no VF BAR resources at all) when First VF Offset is 0, or
 * VF Stride is 0 with more than one VF, or a VF BAR is not a multiple of the page size.
 */
export function sriovUsable(sriov: Sriov): boolean {
    if (sriov.totalVfs === 0n) return false;
    if (sriov.offset === 0n || (sriov.stride === 0n && sriov.totalVfs > 1n)) return false;
    const page = sriov.pageSize > 0n ? sriov.pageSize : 4096n;
    return sriov.vfBars.every((bar) => bar.kind === 'io' || bar.size % page === 0n);
}

/** Declared BARs in index order (usually already so: no copy then). */
function byIndex(bars: readonly Bar[]): readonly Bar[] {
    for (let i = 1; i < bars.length; i++) {
        if (bars[i - 1]!.index > bars[i]!.index) return [...bars].sort((a, b) => a.index - b.index);
    }
    return bars;
}

/**
 * BARs by index, the ROM, then the VF BAR apertures (Linux's dev->resource[] order). Sizes the
 * hardware cannot report (zero, not a power of two) and I/O VF BARs are left out: the language
 * checks report them, and Linux would read a different size anyway.
 */
export function functionResources(owner: PlacementDevice): Resource[] {
    const fn: PciFunction = owner.fn;
    const resources: Resource[] = [];
    for (const bar of byIndex(fn.bars)) {
        // An Enhanced Allocation entry gives any DWORD-granular size; Linux takes it as is.
        if (!isPowerOfTwo(bar.size) && !(bar.ea && bar.address !== undefined)) continue;
        resources.push(newResource(owner, 'bar', bar.index, bar.index, barFlags(bar), bar.size, bar.size, bar.address, bar.loc, bar.ea === true && bar.address !== undefined));
    }
    if (fn.rom && isPowerOfTwo(fn.rom.size)) {
        resources.push(newResource(owner, 'rom', PCI_ROM_RESOURCE, PCI_ROM_RESOURCE, ROM_FLAGS, fn.rom.size, fn.rom.size, fn.rom.address, fn.rom.loc));
    }
    // pci_iov_init() looks for SR-IOV only in PCIe functions: conventional ones have no extended
    // capabilities.
    const pcie = fn.kind !== 'pci-device' && fn.kind !== 'pci-bridge';
    if (fn.sriov && pcie && sriovUsable(fn.sriov)) {
        for (const bar of byIndex(fn.sriov.vfBars)) {
            const ea = bar.ea === true && bar.address !== undefined;
            if (bar.kind === 'io' || (!isPowerOfTwo(bar.size) && !ea)) continue;
            // The aperture holds BAR i of every VF Linux could enable: size × TotalVFs, aligned
            // to one VF's BAR (pcibios_iov_resource_alignment() = pci_iov_resource_size()).
            resources.push(newResource(owner, 'vf-bar', bar.index, PCI_IOV_RESOURCES + bar.index, barFlags(bar), bar.size * fn.sriov.totalVfs, bar.size, bar.address, bar.loc, ea));
        }
    }
    return resources;
}
