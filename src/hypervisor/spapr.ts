// VFIO on POWER (issue 14): a pseries guest sees each PHB as its own DMA address space, with its
// own TCE table, so QEMU gives every guest PHB its own VFIO container.
// - An IOMMU group attaches to one container: a group whose devices sit on two guest PHBs is
//   refused, as QEMU refuses a group "used in multiple address spaces" (hw/vfio vfio_get_group).
//   [shipped QEMU]
// - The v1 sPAPR TCE IOMMU (POWER7 IODA1) takes one group per container
//   (linux:drivers/vfio/vfio_iommu_spapr_tce.c tce_iommu_attach_group, "v1 reuses TCE tables and
//   does not share them among PEs": -EBUSY), so each group needs a guest PHB of its own; the 2011
//   VFIO design thread (seed 004, DOMAIN B.10.4) asked for exactly that, one PHB per isolation
//   group. spapr-tce-v2 (POWER8 and later, dynamic DMA windows) takes several groups per
//   container. [shipped Linux + design thread]
// A group refused here is not attached: its devices stay with the host.
// Codes KVM-SPAPR-GROUP-SPLIT, KVM-SPAPR-PHB-SHARED.
import type { SourceLoc } from '../model/source.js';
import type { DomainState, FnState, HvState } from './state.js';
import type { SlotRequest } from './virtual-slots.js';

export const DEFAULT_PHB = 'the default PHB (index 0)';

interface Wanted {
    f: FnState;
    req: SlotRequest;
    loc: SourceLoc;
}

function phbText(d: DomainState, phb: string | undefined): string {
    if (phb === undefined) return DEFAULT_PHB;
    const decl = d.kvm?.phbs?.find((p) => p.name === phb);
    return `PHB ${phb}${decl ? ` (index ${decl.index})` : ''}`;
}

interface Placed {
    f: FnState;
    phb: string | undefined;
    loc: SourceLoc;
    /** Wanted now (refusable), or already attached to the running VM. */
    wanted?: Wanted;
}

/** The devices whose groups fit the guest's PHBs (with what the VM already holds); reports the others. */
export function checkSpaprPhbs(state: HvState, d: DomainState, usable: Wanted[]): Wanted[] {
    const v1 = state.platform.kvm?.vfioIommu?.kind === 'spapr-tce';
    const refused = new Set<number>();
    const byGroup = new Map<number, Placed[]>();
    const held: Placed[] = [...d.attached.values()].flatMap((a) => {
        const f = state.fn(a.device);
        return f ? [{ f, phb: a.entry.phb, loc: a.entry.loc }] : [];
    });
    for (const p of [...held, ...usable.map((w) => ({ f: w.f, phb: w.req.entry.phb, loc: w.loc, wanted: w }))]) {
        if (p.f.fn.group === undefined) continue;
        const list = byGroup.get(p.f.fn.group);
        if (list) list.push(p);
        else byGroup.set(p.f.fn.group, [p]);
    }
    for (const [group, members] of byGroup) {
        const first = members[0]!;
        const other = members.find((m) => m.wanted && m.phb !== first.phb);
        if (!other) continue;
        refused.add(group);
        state.report(
            'KVM-SPAPR-GROUP-SPLIT',
            `${d.name} puts ${other.f.fn.name} on ${phbText(d, other.phb)} but ${first.f.fn.name}, of the same IOMMU group ${group}, on ${phbText(d, first.phb)}: each guest PHB is its own DMA address space (its own TCE table and VFIO container) and a group attaches to one, so QEMU refuses group ${group} "used in multiple address spaces"; put the group's devices on one PHB`,
            { at: other.loc, related: [{ loc: first.loc, message: `${first.f.fn.name} (group ${group})` }] },
            `${d.name}|${group}`,
        );
    }
    if (v1) {
        const holder = new Map<string, { group: number; p: Placed }>();
        // Groups the running VM already holds keep their PHB; new ones come after them.
        const order = [...byGroup].sort(([, a], [, b]) => Number(a.some((m) => m.wanted)) - Number(b.some((m) => m.wanted)));
        for (const [group, members] of order) {
            if (refused.has(group)) continue;
            const first = members[0]!;
            const phb = first.phb ?? '';
            const taken = holder.get(phb);
            if (!taken) {
                holder.set(phb, { group, p: first });
                continue;
            }
            if (!members.some((m) => m.wanted)) continue;
            refused.add(group);
            state.report(
                'KVM-SPAPR-PHB-SHARED',
                `${d.name} puts ${first.f.fn.name} (IOMMU group ${group}) on ${phbText(d, first.phb)}, which already holds ${taken.p.f.fn.name} (group ${taken.group}), but the host's sPAPR TCE IOMMU is v1 (\`vfio-iommu spapr-tce\`, POWER7 IODA1): a container takes one group (vfio_iommu_spapr_tce.c tce_iommu_attach_group: -EBUSY) and a guest PHB is one container; give group ${group} a PHB of its own (\`phb NAME index N { assign ${first.f.fn.name} }\`)`,
                { at: first.loc, related: [{ loc: taken.p.loc, message: `${taken.p.f.fn.name} (group ${taken.group})` }, ...(state.platform.kvm?.vfioIommu ? [{ loc: state.platform.kvm.vfioIommu.loc, message: 'vfio-iommu spapr-tce' }] : [])] },
                `${d.name}|${group}`,
            );
        }
    }
    return usable.filter((w) => w.f.fn.group === undefined || !refused.has(w.f.fn.group));
}
