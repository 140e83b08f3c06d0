// What each profile's hypervisor does differently (DOMAIN.md A.2). Every rule that depends on
// the profile reads it from here, and findings name the profile in their message.
import type { Profile } from '../model/platform.js';

export interface ProfileRules {
    profile: Profile;
    hypervisor: 'xen' | 'kvm';
    arch: 'arm' | 'x86';
    /** dom0 registers each host bridge with PHYSDEVOP_pci_host_bridge_add (seed 000 §2.2). */
    hostBridgeHypercall: boolean;
    /** Xen finds host bridges itself in the device tree (B.8.1.2, commit 6ec9176d94). */
    hostBridgesFromDt: boolean;
    /** Xen programs a StreamID for every DMA alias (the design) or only own RID + phantoms (B.1.4.2). */
    aliasStreamIds: boolean;
    /** domU vPCI works: false upstream on Arm, where has_vpci() is hard-wired false (B.8.1.5). */
    domUVpci: boolean;
    /** Only physical function 0 can go to a domU (vpci.c assign_virtual_sbdf, B.8.3.2). */
    functionZeroOnly: boolean;
    /** Whether xl's `vslot` chooses the guest slot (QEMU / the design's pciback) or Xen picks one. */
    vslotHonoured: boolean;
    /** Guest slots an emulator keeps for itself (QEMU i440fx: host bridge, PIIX3, VGA, platform device). */
    reservedSlots: number;
    /** The toolstack allocates virtual BARs (keeping page offsets); else the guest OS places them. */
    toolstackPlacesBars: boolean;
    /** Expansion ROMs are shown to the guest (seed 000: "just another BAR"; hidden by vPCI, B.6.3.6). */
    guestRom: boolean;
    /** I/O BARs are shown to the guest (x86 only; they read as 0 on Arm, B.6.3.6). */
    guestIoBars: boolean;
    /** dom0's BAR and MSI/MSI-X accesses are trapped by vPCI (PVH dom0, B.6.3.7, B.9.2). */
    dom0Traps: boolean;
    /** dom0 may enable SR-IOV (PVH dom0 does not support it, B.7.6). */
    dom0Sriov: boolean;
    /** A guest ITS whose DeviceIDs are guest RIDs (the design, seed 000 §4.4/§5). */
    guestIts: boolean;
}

const RULES: Record<Profile, ProfileRules> = {
    'arm-design': {
        profile: 'arm-design',
        hypervisor: 'xen',
        arch: 'arm',
        hostBridgeHypercall: true,
        hostBridgesFromDt: false,
        aliasStreamIds: true,
        domUVpci: true,
        functionZeroOnly: false,
        vslotHonoured: true,
        reservedSlots: 0,
        toolstackPlacesBars: true,
        guestRom: true,
        guestIoBars: false,
        dom0Traps: false,
        dom0Sriov: true,
        guestIts: true,
    },
    'arm-upstream': {
        profile: 'arm-upstream',
        hypervisor: 'xen',
        arch: 'arm',
        hostBridgeHypercall: false,
        hostBridgesFromDt: true,
        aliasStreamIds: false,
        domUVpci: false,
        functionZeroOnly: true,
        vslotHonoured: false,
        reservedSlots: 0,
        toolstackPlacesBars: false,
        guestRom: false,
        guestIoBars: false,
        dom0Traps: false,
        dom0Sriov: true,
        guestIts: false,
    },
    'x86-pvh': {
        profile: 'x86-pvh',
        hypervisor: 'xen',
        arch: 'x86',
        hostBridgeHypercall: false,
        hostBridgesFromDt: false,
        aliasStreamIds: true,
        domUVpci: true,
        functionZeroOnly: false,
        vslotHonoured: true,
        reservedSlots: 4,
        toolstackPlacesBars: true,
        guestRom: true,
        guestIoBars: true,
        dom0Traps: true,
        dom0Sriov: false,
        guestIts: false,
    },
    kvm: {
        profile: 'kvm',
        hypervisor: 'kvm',
        arch: 'x86',
        hostBridgeHypercall: false,
        hostBridgesFromDt: false,
        aliasStreamIds: true,
        domUVpci: true,
        functionZeroOnly: false,
        vslotHonoured: true,
        reservedSlots: 1,
        toolstackPlacesBars: false,
        guestRom: true,
        guestIoBars: true,
        dom0Traps: false,
        dom0Sriov: true,
        guestIts: false,
    },
};

export function profileRules(profile: Profile): ProfileRules {
    return RULES[profile];
}

/** Maximum virtual slots on the guest's bus 0 (VPCI_MAX_VIRT_DEV = 32, B.8.3.2). */
export const MAX_VIRTUAL_SLOTS = 32;
