// VFIO group viability (DOMAIN.md B.10.1-2, B.12 #33; seed 004). The IOMMU group is the unit of
// ownership: QEMU can open a group only if every member is bound to vfio-pci (or pci-stub), has
// no driver, or is a bridge (historic drivers/vfio/vfio.c vfio_dev_viable; since ~5.19 any bound
// driver without driver_managed_dma blocks claiming the group). A group attaches to one
// container, so its devices cannot go to two VMs.
import { isBridge } from '../model/platform.js';
import type { SourceLoc } from '../model/source.js';
import { acsUnknownNote } from './isolation.js';
import type { FnState, HvState } from './state.js';

export const VFIO_FRIENDLY = new Set(['vfio-pci', 'pci-stub']);

export interface GroupVerdict {
    group: number;
    viable: boolean;
}

/** Checks the groups of `devices` (going to `vm`); reports and returns the groups QEMU can open. */
export function checkGroupViability(state: HvState, vm: string, devices: { f: FnState; loc: SourceLoc }[]): Map<number, boolean> {
    const verdicts = new Map<number, boolean>();
    const names = new Set(devices.map((d) => d.f.fn.name));
    for (const { f, loc } of devices) {
        const g = f.fn.group;
        if (g === undefined || verdicts.has(g)) continue;
        let viable = true;
        for (const m of state.groups.get(g) ?? []) {
            if (names.has(m)) continue;
            const peer = state.fn(m);
            if (!peer || !peer.present || peer.fn.invisible !== undefined) continue;
            if (!peer.fn.isVf && isBridge(peer.fn.decl.kind)) continue;
            const otherVm = state.domains.get(peer.owner);
            if (otherVm?.running && otherVm.name !== vm) {
                viable = false;
                state.report(
                    'KVM-GROUP-SHARED',
                    `${f.fn.name} goes to ${vm} but ${m}, in the same IOMMU group ${g}, belongs to the running VM ${otherVm.name}: a group attaches to one container, so QEMU refuses it ("group ${g} used in multiple address spaces")${acsUnknownNote(f)}`,
                    { at: loc, related: [{ loc: peer.fn.loc, message: `${m} (group ${g})` }] },
                    `${vm}|${g}|${m}`,
                );
                continue;
            }
            if (peer.driver === undefined || VFIO_FRIENDLY.has(peer.driver)) continue;
            viable = false;
            const decl = state.hostDrivers.get(m);
            state.report(
                'KVM-GROUP-NOT-VIABLE',
                `${f.fn.name} goes to ${vm} but ${m}, in the same IOMMU group ${g}, is bound to the host driver ${peer.driver}: group ${g} is not viable, so QEMU cannot open /dev/vfio/${g}; bind ${m} to vfio-pci too or unbind it${acsUnknownNote(f)}`,
                { at: loc, related: decl ? [{ loc: decl.loc, message: `${m} bound to ${peer.driver}` }] : [{ loc: peer.fn.loc, message: m }] },
                `${vm}|${g}|${m}`,
            );
        }
        verdicts.set(g, viable);
    }
    return verdicts;
}
