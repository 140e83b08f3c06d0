// vCPU counts against the machine, checked when the domain or VM is created.
//
// - vGICv2 serves at most 8 vCPUs (the GICv2 CPU interface has 8 targets). Xen on Arm gives every
//   domain the host's GIC version and refuses more in arch_sanitise_domain_config ("Requested
//   vCPUs (%u) exceeds the maximum supported by the vGIC"; dom0: panic "Error creating domain 0");
//   QEMU's virt machine with a KVM vGICv2 refuses more than its GIC_NCPU (8) CPUs before KVM is asked.
// - More vCPUs than physical CPUs (`cpus N`) is legal under Xen (dom0_max_vcpus, xl.cfg vcpus)
//   and KVM (-smp), but the vCPUs time-share: a sanity warning, not a failure.
import { hex } from './format.js';
import type { SourceLoc } from '../model/source.js';
import type { HvState } from './state.js';

const VGIC_V2_MAX_VCPUS = 8n;

export function checkVcpus(state: HvState, domain: string, vcpus: bigint | undefined, at: SourceLoc | undefined): void {
    if (vcpus === undefined || at === undefined) return;
    const xen = state.rules.hypervisor === 'xen';
    const who = domain === 'dom0' ? 'dom0' : xen ? `Domain ${domain}` : `VM ${domain}`;
    const gic = state.platform.gics[0];
    if (state.platform.arch === 'arm64' && gic?.version === 'v2' && vcpus > VGIC_V2_MAX_VCPUS) {
        const fails = xen
            ? `Xen gives guests the host's GIC version and its vGICv2 serves at most ${VGIC_V2_MAX_VCPUS}, so arch_sanitise_domain_config refuses the domain ("Requested vCPUs (${vcpus}) exceeds the maximum supported by the vGIC (${VGIC_V2_MAX_VCPUS})")${domain === 'dom0' ? ' and Xen panics creating dom0' : ': xl create fails with -EINVAL'}`
            : `KVM's vGICv2 serves at most ${VGIC_V2_MAX_VCPUS} vCPUs (VGIC_V2_MAX_CPUS), and QEMU's virt machine with gic-version=2 refuses more ("exceeds max CPUs supported by machine 'mach-virt' (${VGIC_V2_MAX_VCPUS})")`;
        state.report('VGIC-V2-VCPUS', `${who} has ${vcpus} vCPUs, but the GIC ${gic.name} at ${hex(gic.base)} is v2: ${fails}`, { at, related: [{ loc: gic.loc, message: `gic ${gic.name} v2` }] }, domain);
        return;
    }
    const cpus = state.platform.cpus;
    if (cpus && vcpus > cpus.count) {
        state.report(
            'VCPUS-OVERCOMMIT',
            `${who} has ${vcpus} vCPUs but the platform has ${cpus.count} physical CPUs: ${xen ? "Xen's scheduler" : 'the host scheduler'} time-shares them, so at most ${cpus.count} run at once and a vCPU holding a lock can be descheduled while the others spin`,
            { at, related: [{ loc: cpus.loc, message: `cpus ${cpus.count}` }] },
            domain,
        );
    }
}
