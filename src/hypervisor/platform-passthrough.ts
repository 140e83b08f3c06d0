// Non-PCI devices given to a Xen domain on Arm (docs/misc/arm/passthrough.txt, dom0less
// `passthrough` nodes; xl.cfg `dtdev` + `iomem`). Xen maps the registers at the guest address
// of `xen,reg` (1:1 when the description gives none) and assigns the device to the domain's
// IOMMU context: handle_passthrough_prop() calls iommu_assign_dt_device(), which returns -EINVAL
// for a device no IOMMU protects (no `iommus`, or Xen's IOMMU off) unless the node carries
// `xen,force-assign-without-iommu`. A dom0less domain that fails is fatal ("Could not set up
// domain"), an xl domain fails to create.
import { hex, overlaps, range } from './format.js';
import { armGuestRegions, guestMemory } from './guest-layout.js';
import type { HvState, DomainState } from './state.js';

export function passPlatformDevices(state: HvState, d: DomainState): void {
    const x = d.xen;
    if (!x?.passthrough || state.rules.arch !== 'arm') return;
    const failure = x.dom0less ? 'Xen panics building it at boot ("Could not set up domain")' : 'xl create fails';
    const regions = armGuestRegions(guestMemory(x));
    for (const p of x.passthrough) {
        const dev = state.platform.platformDevices.find((pd) => pd.name === p.device);
        if (!dev || dev.io) continue;
        const holder = state.platformPassedTo.get(dev.name);
        if (holder && holder !== d.name) {
            state.report('HV-ASSIGNED-TWICE', `${d.name} is given device ${dev.name}, which ${holder} already holds: a device is assigned to one domain's IOMMU context and stage-2 map at a time`, { at: p.loc }, `${d.name}|${dev.name}`);
            continue;
        }
        const protectedByIommu = (dev.iommus?.length ?? 0) > 0 && state.platform.xen?.iommu !== false;
        if (!protectedByIommu && !p.force) {
            const why = (dev.iommus?.length ?? 0) > 0 ? "Xen's IOMMU is off (`iommu off`)" : `${dev.name} has no \`iommus\`, so no SMMU protects it`;
            state.report(
                'XEN-PASSTHROUGH-NO-IOMMU',
                `${d.name} is given device ${dev.name}, but ${why}: iommu_assign_dt_device() refuses an unprotected device (-EINVAL), so ${failure}; give the device its \`iommus\`, or write force-assign-without-iommu if its DMA need not be isolated`,
                { at: p.loc, related: [{ loc: dev.loc, message: `device ${dev.name}` }] },
                `${d.name}|${dev.name}`,
            );
            continue;
        }
        const guestBase = p.guestBase ?? dev.base;
        const clash = regions.find((r) => overlaps(guestBase, dev.size, r.base, r.size));
        if (clash) {
            state.report(
                'XEN-PASSTHROUGH-OVERLAP',
                `${d.name} maps device ${dev.name}'s registers at guest ${range(guestBase, dev.size)}${p.guestBase === undefined ? ' (1:1, its host address)' : ''}, over ${clash.name} of the Arm guest layout (${range(clash.base, clash.size)}): the guest's ${clash.name} and the device cannot share the addresses; map it elsewhere with \`at\``,
                { at: p.loc, related: [{ loc: dev.loc, message: `device ${dev.name} at ${hex(dev.base)}` }] },
                `${d.name}|${dev.name}`,
            );
            continue;
        }
        state.platformPassedTo.set(dev.name, d.name);
        state.emit(x.dom0less ? 'dt-passthrough' : 'xl-dtdev', {
            domain: d.name,
            device: dev.name,
            'xen,path': `/${dev.name}@${dev.base.toString(16)}`,
            'xen,reg': `<${hex(dev.base)} ${hex(dev.size)} ${hex(guestBase)}>`,
            iommu: protectedByIommu ? dev.iommus!.map((s) => `${s.smmu}:${hex(s.streamId)}`).join(' ') : 'none (xen,force-assign-without-iommu)',
        });
    }
}
