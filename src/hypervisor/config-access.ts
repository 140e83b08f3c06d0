// Whether Xen on Arm can reach a host bridge's configuration space itself (issue 14). Xen traps
// and emulates configuration space only where it can access it: "it cannot trap or emulate what
// it cannot access". Which controllers it reaches differs between the design and today's Xen:
//
// - arm-design (the 2015 draft, seed 000 §2.2, and the Xen Summit notes, seed 003): dom0 registers
//   each host bridge with PHYSDEVOP_pci_host_bridge_add {seg, cfg_base, cfg_size}, one ECAM
//   region; Xen accesses a domU's device through it for vPCI. For "non-ECAM compliant host
//   bridges" (restricted access sizes, register multiplexing through a window, ECAM with special
//   cases per device) the notes record only Julien's proposal to forward the accesses to dom0,
//   i.e. a Xen-aware dom0 driver; the design specifies nothing. So a domU device behind such a
//   bridge cannot be served: error at the bridge's `config-access`, with the assignments. [design]
// - arm-upstream (shipped code): Xen probes the bridge from the device tree with its own driver.
//   Its accessors (xen/arch/arm/pci/pci-access.c pci_generic_config_read/write, ecam.c) issue the
//   1-, 2- or 4-byte access asked for, with no read-modify-write and no per-device cases; its one
//   DesignWare driver (pci-designware.c dw_pcie_child_map_bus, used by pci-host-rcar4.c) programs
//   the iATU per access. A bridge Xen cannot reach leaves Xen's own reads at
//   PHYSDEVOP_pci_device_add (header, capabilities) to fail (pci_config_read returns all-ones
//   without a host bridge): warning at the `config-access`, reported whether or not a domU gets a
//   device (domU vPCI is off upstream anyway, XEN-NO-VPCI). [shipped]
// - x86-pvh and KVM: not reported. KVM's VFIO reaches configuration space through the host
//   kernel's own driver (the controller's pci_ops), whatever the method.
// Code XEN-CONFIG-ACCESS.
import type { ConfigAccess, HostBridge } from '../model/platform.js';
import { compatibleText, matchesCompatible } from '../model/compatible.js';
import { XEN_DESIGNWARE_COMPATIBLES, xenHasHostBridgeDriver } from './xen-host-drivers.js';
import type { RelatedLoc } from '../findings/finding.js';
import type { SourceLoc } from '../model/source.js';
import { refName, type HvState } from './state.js';

function methodText(a: ConfigAccess): string {
    switch (a.method) {
        case 'dbi': return 'the root bus through the DBI and the buses below through a window the iATU retargets per access';
        case 'sliding-window': return 'configuration space through a window it moves per access';
        case 'index-data': return 'configuration space through one address/data register pair, for every access';
        default: return 'ECAM';
    }
}

/** Why Xen cannot reach the bridge's configuration space under this profile, or undefined when it can. */
export function xenCannotReach(hb: HostBridge, profile: 'arm-design' | 'arm-upstream'): string | undefined {
    const a = hb.configAccess;
    if (!a) return undefined;
    const narrow = a.sizes && !(a.sizes.includes(1n) && a.sizes.includes(2n) && a.sizes.includes(4n));
    if (a.method === 'ecam') {
        if (narrow) return `the controller takes only ${a.sizes!.join('/')}-byte accesses, and Xen's ECAM accessors issue 1-, 2- and 4-byte ones as asked, with no read-modify-write`;
        if (a.special.length > 0) return `the controller's driver special-cases ${a.special.map((s) => `${s.bus === undefined ? '' : `${s.bus.toString(16).padStart(2, '0')}:`}${s.device.toString(16).padStart(2, '0')}.${s.fn.toString(16)}`).join(', ')}, and Xen's generic ECAM accessor has no per-device cases`;
        return undefined;
    }
    if (a.method === 'dbi' && profile === 'arm-upstream') {
        if (matchesCompatible(hb.compatible, XEN_DESIGNWARE_COMPATIBLES) && !narrow) return undefined;
        return `the controller reaches ${methodText(a)}, and Xen's only DesignWare driver is the R-Car Gen4 glue (${XEN_DESIGNWARE_COMPATIBLES.join(', ')}; pci-designware.c programs the iATU per access), not compatible ${hb.compatible?.length ? compatibleText(hb.compatible) : '(none written)'}`;
    }
    if (profile === 'arm-design') return `the controller reaches ${methodText(a)}, while dom0 registers one ECAM region per host bridge (PHYSDEVOP_pci_host_bridge_add cfg_base/cfg_size) that Xen would access directly`;
    return `the controller reaches ${methodText(a)}, and Xen has no driver that does`;
}

export function checkXenConfigAccess(state: HvState): void {
    const profile = state.profile;
    if (profile !== 'arm-design' && profile !== 'arm-upstream') return;
    for (const hb of state.platform.hostBridges) {
        // arm-upstream: a bridge no Xen driver matches is skipped whole (XEN-HOST-BRIDGE-NO-DRIVER,
        // host-bridges.ts); that is the one cause, so its access method is not a second finding.
        if (profile === 'arm-upstream' && !xenHasHostBridgeDriver(hb)) continue;
        const why = xenCannotReach(hb, profile);
        if (!why || !hb.configAccess) continue;
        const given: RelatedLoc[] = [];
        for (const d of state.platform.xen?.domains ?? []) {
            for (const a of d.assignments) {
                const f = state.fn(refName(a.device));
                if (f?.fn.hostBridge === hb.name) given.push({ loc: a.loc, message: `${refName(a.device)} goes to ${d.name}` });
            }
        }
        if (profile === 'arm-design') {
            if (given.length > 0) reportDesign(state, hb, why, given);
        } else {
            state.report(
                'XEN-CONFIG-ACCESS',
                `Xen probes host bridge ${hb.name} from the device tree but cannot reach its configuration space: ${why}; Xen's own reads when dom0 reports its devices (PHYSDEVOP_pci_device_add: header, capabilities) do not reach them, and it can trap nothing there (arm-upstream)`,
                { at: hb.configAccess.loc, related: given, declaration: true, severity: 'warning' },
                hb.name,
            );
        }
    }
}

function reportDesign(state: HvState, hb: HostBridge, why: string, given: RelatedLoc[]): void {
    state.report(
        'XEN-CONFIG-ACCESS',
        `Xen cannot reach the configuration space of host bridge ${hb.name}: ${why}. Xen cannot trap or emulate what it cannot access, so vPCI cannot serve its devices for a domU (arm-design: the Xen Summit notes propose forwarding such accesses to dom0, a Xen-aware dom0 driver; the design does not specify it)`,
        { at: hb.configAccess!.loc, related: given, declaration: true },
        hb.name,
    );
}

/** arm-design: a device given to a domU by a scenario step (assign, hot-plug) on a bridge Xen cannot reach; once per bridge. */
export function checkXenConfigAccessForDevice(state: HvState, device: string, domain: string, at: SourceLoc): void {
    if (state.profile !== 'arm-design') return;
    const hbName = state.fn(device)?.fn.hostBridge;
    const hb = state.platform.hostBridges.find((h) => h.name === hbName);
    const why = hb && xenCannotReach(hb, 'arm-design');
    if (hb && why) reportDesign(state, hb, why, [{ loc: at, message: `${device} goes to ${domain}` }]);
}
