// Which hypervisor view a simulation runs under (DOMAIN.md A.2).
import type { Platform, Profile } from '../model/platform.js';

export const PROFILES: readonly Profile[] = ['arm-design', 'arm-upstream', 'x86-pvh', 'kvm'];

export function isProfile(value: string): value is Profile {
    return (PROFILES as readonly string[]).includes(value);
}

/**
 * The profile written in the platform's `xen` block, else the natural one for the platform:
 * the seeds' design on Arm, the PVH dom0 on x86, and the KVM/VFIO view when only a `kvm`
 * block describes the host.
 */
export function defaultProfile(platform: Platform): Profile {
    if (platform.xen?.profile) return platform.xen.profile;
    if (!platform.xen && platform.kvm) return 'kvm';
    // Xen has no PCI passthrough on POWER: a ppc64 host is a KVM host.
    if (platform.arch === 'ppc64') return 'kvm';
    return platform.arch === 'x86_64' ? 'x86-pvh' : 'arm-design';
}
