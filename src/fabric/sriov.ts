// SR-IOV routing IDs and the buses VFs take (DOMAIN.md B.7.2-7.3; linux:drivers/pci/iov.c).
import type { Sriov } from '../model/platform.js';

/** Where VF i (0-based) sits. `bus` is not wrapped at 0xff: Linux adds the carry to the PF's bus. */
export interface VfPosition {
    bus: bigint;
    devfn: bigint;
}

/**
 * pci_iov_virtfn_bus / pci_iov_virtfn_devfn: VF i is at PF devfn + First VF Offset + i * VF Stride,
 * the carry out of the low 8 bits moving it to a higher bus (with no bridge in between).
 */
export function vfPosition(pfBus: bigint, pfDevfn: bigint, sriov: Sriov, i: bigint): VfPosition {
    const routing = pfDevfn + sriov.offset + sriov.stride * i;
    return { bus: pfBus + (routing >> 8n), devfn: routing & 0xffn };
}

/**
 * Why sriov_init refuses the capability altogether (no VFs, no bus reservation), or undefined:
 * compute_max_vf_buses fails with -EIO when First VF Offset is 0, or VF Stride is 0 while more
 * than one VF is possible (B.7.2).
 */
export function sriovInitRefusal(sriov: Sriov): string | undefined {
    if (sriov.totalVfs === 0n) return undefined;
    if (sriov.offset === 0n) return 'its First VF Offset is 0';
    if (sriov.stride === 0n && sriov.totalVfs > 1n) return `its VF Stride is 0 with TotalVFs ${sriov.totalVfs}`;
    return undefined;
}

/**
 * compute_max_vf_buses: the highest bus any NumVFs from TotalVFs down to 1 would use. Linux
 * reserves the buses up to it below the PF's bus before numbering the bridges there
 * (pci_iov_bus_range, B.7.3). Offset and stride are fixed in the model, so the last of TotalVFs
 * VFs is the highest. The PF's own bus when it has no VF at all.
 */
export function maxVfBus(pfBus: bigint, pfDevfn: bigint, sriov: Sriov): bigint {
    if (sriov.totalVfs === 0n || sriovInitRefusal(sriov) !== undefined) return pfBus;
    return vfPosition(pfBus, pfDevfn, sriov, sriov.totalVfs - 1n).bus;
}

/** NumVFs in effect: a scenario's `enable-sriov` overrides the declared `num-vfs`. */
export function numVfsOf(name: string, sriov: Sriov, overrides: ReadonlyMap<string, bigint> | undefined): bigint {
    return overrides?.get(name) ?? sriov.numVfs;
}
