// SR-IOV virtual functions once enabled: their routing IDs, and whether Linux can enable them
// (DOMAIN.md B.7.2-7.5, B.12 #21-23; linux:drivers/pci/iov.c sriov_enable, pci_iov_add_virtfn).
import { finding, type Finding } from '../findings/finding.js';
import { busBound } from '../util/arith.js';
import { canBePf } from './bus-numbers.js';
import { busRangeText, hex, label } from './pci-text.js';
import { sriovInitRefusal, vfPosition } from './sriov.js';
import type { FabricFunction } from './topology.js';

/** NumVFs beyond what the 16-bit register can hold is a typo the language reports; never build more. */
const MAX_VFS = 0xffffn;

/**
 * Creates `numVfs` VFs of `pf` (after bus numbering: VFs follow the PF's bus). VF i has
 * RID = PF RID + First VF Offset + i * VF Stride, sits on the PF's bus or a higher one with no
 * bridge (its `upstream` is the PF's), and is named `PF.vf[i]`. When Linux refuses the enable
 * (sriov_init, or sriov_enable's bus range check) no VF is built: the PF carries the refusal
 * (`vfRefusal`), decided in O(1), and references to its VFs are answered from it.
 */
export function createVfs(pf: FabricFunction, numVfs: bigint, findings: Finding[]): FabricFunction[] {
    const sriov = pf.decl.sriov;
    if (!sriov || numVfs <= 0n) return [];
    const count = numVfs > MAX_VFS ? MAX_VFS : numVfs;
    let refusal = whyNoVfs(pf, numVfs);
    if (refusal === undefined) {
        const last = vfPosition(pf.bus, pf.devfn, sriov, count - 1n);
        // sriov_enable: the last VF's bus must be within the PF's bus resource, i.e. the
        // upstream port's subordinate bus (the host bridge's bus-range on the root bus).
        const upstream = pf.upstream;
        const limit = busBound(upstream ? upstream.subordinate ?? upstream.bus : pf.hostBridge.busEnd, 'end');
        if (last.bus > limit) {
            const what = upstream ? `the subordinate bus of ${label(upstream)}` : `the end of host bridge ${pf.hostBridge.name}'s bus-range`;
            refusal = `VF ${count - 1n} would be on bus ${hex(last.bus, 2)}, beyond ${hex(limit, 2)}, ${what}`;
            findings.push(
                finding(
                    'SRIOV-VF-BUS-OUT-OF-RANGE',
                    `The last of ${label(pf)}'s ${count} VFs, ${pf.name}.vf[${count - 1n}], is on bus ${hex(last.bus, 2)} (VFs on buses ${busRangeText(pf.bus, last.bus)}), beyond ${hex(limit, 2)}, ${what}: Linux refuses to enable the VFs.`,
                    sriov.loc,
                    [
                        upstream
                            ? { loc: upstream.decl.busNumbersLoc ?? upstream.loc, message: `${label(upstream)}: subordinate bus ${hex(limit, 2)}` }
                            : { loc: pf.hostBridge.loc, message: `host bridge ${pf.hostBridge.name}: buses up to ${hex(limit, 2)}` },
                    ],
                ),
            );
        }
    }
    if (refusal !== undefined) {
        pf.vfRefusal = { reason: refusal, numVfs };
        return [];
    }
    const vfs: FabricFunction[] = [];
    // VF i's routing offset from the start of the PF's bus: devfn + offset + i * stride
    // (vfPosition), stepped by the stride.
    let routing = pf.devfn + sriov.offset;
    for (let i = 0n; i < count; i++, routing += sriov.stride) {
        const bus = pf.bus + (routing >> 8n);
        const devfn = routing & 0xffn;
        vfs.push({
            name: `${pf.name}.vf[${i}]`,
            decl: pf.decl,
            isVf: true,
            pf,
            vfIndex: Number(i),
            hostBridge: pf.hostBridge,
            segment: pf.segment,
            // The RID is 16 bits: a bus carried past 0xff wraps (such VFs are out of range anyway).
            bus: bus & 0xffn,
            device: devfn >> 3n,
            fn: devfn & 7n,
            devfn,
            upstream: pf.upstream,
            downstream: [],
            vfs: [],
            ari: pf.ari,
            loc: sriov.loc,
        });
    }
    return vfs;
}

/** Why Linux creates none of the VFs, before looking at bus numbers. */
function whyNoVfs(pf: FabricFunction, numVfs: bigint): string | undefined {
    if (pf.invisible !== undefined) return `its PF ${pf.name} is not found`;
    if (!canBePf(pf)) return `Linux supports SR-IOV only on PCIe endpoints and RC integrated endpoints, not on ${label(pf)}`;
    const refusal = sriovInitRefusal(pf.decl.sriov!);
    // SRIOV-OFFSET-STRIDE and SRIOV-NUMVFS are the language's findings.
    if (refusal !== undefined) return `Linux refuses SR-IOV on ${pf.name}: ${refusal}`;
    if (numVfs > pf.decl.sriov!.totalVfs) return `NumVFs ${numVfs} exceeds ${pf.name}'s TotalVFs ${pf.decl.sriov!.totalVfs}`;
    return undefined;
}
