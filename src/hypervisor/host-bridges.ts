// How the hypervisor learns the host bridges before dom0 reports devices behind them, and how
// Xen and dom0 agree on segment numbers.
//
// - arm-design: dom0 calls PHYSDEVOP_pci_host_bridge_add {seg, cfg_base, cfg_size} for each host
//   bridge before any PHYSDEVOP_pci_device_add (seed 000 §2.2; summit notes, seed 003).
// - arm-upstream: Xen probes the `device_type = "pci"` nodes itself; no hypercall
//   (xen/arch/arm/pci/pci-host-common.c, DOMAIN.md B.8.1.2).
// - Segments on Arm: `linux,pci-domain` on all bridges or none; a mix makes Xen BUG() at boot
//   (pci_bus_find_domain_nr) and Linux reject the inconsistent node (B.5.1.4, B.12 #4). Without
//   the property Xen numbers bridges 0, 1, 2… and writes the property into dom0's DT so both agree
//   (domain_build.c handle_linux_pci_domain).
// - x86-pvh: MCFG areas of the static table are registered at Xen's boot; others dom0 reports
//   with PHYSDEVOP_pci_mmcfg_reserved before use (xen/arch/x86/physdev.c, hvm/io.c; B.9.3).
import type { HostBridge } from '../model/platform.js';
import { hex, range, sizeText } from './format.js';
import type { HvState } from './state.js';
import { compatibleText } from '../model/compatible.js';
import { XEN_ARM_HOST_BRIDGE_COMPATIBLES, xenHasHostBridgeDriver } from './xen-host-drivers.js';

export function segmentOf(state: HvState, hb: HostBridge): bigint {
    const fromFabric = state.input.functions.find((f) => f.hostBridge === hb.name);
    return fromFabric?.segment ?? hb.segment ?? BigInt(state.platform.hostBridges.indexOf(hb));
}

/** DOMAIN.md B.5.1.4, B.12 #4 (Arm profiles). */
export function checkSegmentAgreement(state: HvState): boolean {
    const bridges = state.platform.hostBridges;
    const written = bridges.filter((hb) => hb.segment !== undefined);
    if (written.length === 0 || written.length === bridges.length) return true;
    const profileNote =
        state.profile === 'arm-upstream'
            ? '(arm-upstream: Xen BUG()s at boot in pci_bus_find_domain_nr)'
            : '(arm-design: Linux rejects the inconsistent linux,pci-domain, so dom0 and Xen cannot agree on the segment of the PHYSDEVOP_pci_host_bridge_add calls)';
    for (const hb of bridges.filter((b) => b.segment === undefined)) {
        state.report(
            'XEN-SEGMENT-MIXED',
            `Host bridge ${hb.name} has no linux,pci-domain while ${written.map((w) => `${w.name} (segment ${hex(w.segment!)})`).join(', ')} ${written.length === 1 ? 'has one' : 'have one'}: Xen on Arm takes segments from the device tree for all host bridges or for none ${profileNote}`,
            { at: hb.nameLoc, related: written.map((w) => ({ loc: w.loc, message: `${w.name} writes linux,pci-domain ${hex(w.segment!)}` })), declaration: true },
            hb.name,
        );
    }
    return false;
}

export function registerArmHostBridges(state: HvState): void {
    for (const hb of state.platform.hostBridges) registerArmHostBridge(state, hb);
}

/** One host bridge made known to Xen on Arm: dom0's hypercall (arm-design) or Xen's own DT probe (arm-upstream). */
export function registerArmHostBridge(state: HvState, hb: HostBridge): void {
    state.registeredHostBridges.add(hb.name);
    {
        const seg = segmentOf(state, hb);
        const ecam = hb.ecam;
        if (state.rules.hostBridgeHypercall) {
            state.emit('PHYSDEVOP_pci_host_bridge_add', {
                seg: hex(seg),
                cfg_base: ecam ? hex(ecam.base) : 'none',
                cfg_size: ecam ? hex(ecam.size) : '0x0',
                hostBridge: hb.name,
            });
        } else {
            if (!xenHasHostBridgeDriver(hb)) {
                state.xenUnknownHostBridges.add(hb.name);
                state.report(
                    'XEN-HOST-BRIDGE-NO-DRIVER',
                    `Xen has no PCI host-bridge driver for ${hb.name}: none of its compatible strings (${compatibleText(hb.compatible ?? [])}) is one Xen on Arm drives (${compatibleText(XEN_ARM_HOST_BRIDGE_COMPATIBLES)}), so dt_pci_init skips the node, Xen cannot reach its configuration space, and every device dom0 reports on it is refused (-ENODEV)`,
                    { at: hb.compatibleLoc ?? hb.nameLoc, declaration: true },
                    hb.name,
                );
                return;
            }
            state.emit('xen-pci-host-bridge', {
                hostBridge: hb.name,
                seg: hex(seg),
                ecam: ecam ? range(ecam.base, ecam.size) : 'none',
                buses: `${hex(hb.busStart)}-${hex(hb.busEnd)}`,
                compatible: hb.compatible?.join(', '),
                source: 'device tree',
            });
            if (hb.segment === undefined) state.emit('dom0-dt-property', { node: hb.name, property: 'linux,pci-domain', value: hex(seg) });
        }
    }
}

export function registerPvhMmcfg(state: HvState): void {
    for (const hb of state.platform.hostBridges) registerPvhMmcfgOf(state, hb);
}

/** One host bridge's MMCFG area made known to Xen on x86 (static MCFG at boot, else dom0's PHYSDEVOP_pci_mmcfg_reserved). */
export function registerPvhMmcfgOf(state: HvState, hb: HostBridge): void {
    state.registeredHostBridges.add(hb.name);
    {
        const seg = segmentOf(state, hb);
        const ecam = hb.ecam;
        if (!ecam) {
            state.report(
                'XEN-MMCFG-MISSING',
                `Host bridge ${hb.name} (segment ${hex(seg)}) has no MMCFG area: Xen cannot trap dom0's extended configuration space there, and dom0 reaches segment ${hex(seg)} only through I/O ports${seg === 0n ? ' (256 bytes per function: no SR-IOV, ARI or ACS capabilities)' : ', which serve segment 0 only'} (x86-pvh: vPCI needs the area registered, B.9.3)`,
                { at: hb.nameLoc, declaration: true },
                hb.name,
            );
            return;
        }
        // MCFG convention: the base is bus 0's; Xen registers addr + (start_bus << 20).
        const bus0 = ecam.convention === 'mcfg' ? ecam.base : ecam.base - (hb.busStart << 20n);
        // An MCFG entry smaller than the bridge's bus range (HB-MCFG-PARTIAL): Xen traps only the buses it covers.
        const first = ecam.buses?.start ?? hb.busStart;
        const last = ecam.buses?.end ?? hb.busEnd;
        const start = bus0 + (first << 20n);
        const size = last >= first ? (last - first + 1n) << 20n : 0n;
        if (ecam.convention === 'mcfg') {
            state.emit('mmcfg-register', { seg: hex(seg), address: hex(bus0), start_bus: hex(first), end_bus: hex(last), trapped: range(start, size), source: 'MCFG' });
        } else {
            state.emit('PHYSDEVOP_pci_mmcfg_reserved', { address: hex(bus0), segment: hex(seg), start_bus: hex(first), end_bus: hex(last), flags: 'XEN_PCI_MMCFG_RESERVED' });
            state.emit('mmcfg-register', { seg: hex(seg), address: hex(bus0), start_bus: hex(first), end_bus: hex(last), trapped: range(start, size), source: 'dom0' });
        }
        state.emit('vpci-trap', { domain: 'dom0', what: `${hb.name} MMCFG`, range: range(start, size), size: sizeText(size) });
    }
}
