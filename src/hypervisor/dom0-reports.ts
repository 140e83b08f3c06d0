// A written `boot { ... }` block: dom0's PCI reports to Xen played in the order written, instead
// of the implicit order (every host bridge, then every device Linux finds, xen-boot.ts).
//
// - host-bridge-add: arm-design, PHYSDEVOP_pci_host_bridge_add (seed 000 §2.2); x86,
//   PHYSDEVOP_pci_mmcfg_reserved (linux:drivers/xen/pci.c xen_mcfg_late; areas of the static MCFG
//   Xen registered itself when it built dom0, xen/arch/x86/hvm/dom0_build.c pvh_setup_mmcfg);
//   arm-upstream has no such call (Xen probes the device tree itself).
// - device-add: PHYSDEVOP_pci_device_add (device-add.ts). Before the device's host bridge is
//   registered, Xen does not know which host bridge the device is on: on Arm the add fails with
//   -ENODEV (the design needs the bridge's ECAM and its iommu-map; upstream's
//   pci_find_host_bridge finds none); on x86 Xen still adds it, but without an MMCFG area for it
//   it reads the device through the I/O ports only (segment 0, 256 bytes), missing its extended
//   capabilities. Codes XEN-DEVICE-BEFORE-HOST-BRIDGE, SCN-DOM0-REPORT, SCN-DOM0-REPORT-PROFILE.
import type { Dom0Report, HostBridge } from '../model/platform.js';
import { addDevice, linuxAddOrder } from './device-add.js';
import { hex, sbdf } from './format.js';
import { registerArmHostBridge, registerPvhMmcfgOf, segmentOf } from './host-bridges.js';
import { initialDriver } from './ownership.js';
import { refName, type FnState, type HvState } from './state.js';

export function playDom0Reports(state: HvState, reports: readonly Dom0Report[]): void {
    const boot = state.ctx;
    reports.forEach((report, index) => {
        state.ctx = { ...boot, loc: report.loc };
        if (report.kind === 'host-bridge-add') hostBridgeAdd(state, report.hostBridge);
        else deviceAdd(state, refName(report.device), reports.slice(index + 1));
    });
    state.ctx = boot;
    // What Linux found but dom0 never reported: dom0 drives it, Xen does not know it.
    for (const f of linuxAddOrder(state)) {
        if (f.added || f.notAddedWhy !== undefined) continue;
        f.notAddedWhy = 'dom0 never reported it (the boot block has no device-add for it)';
        f.owner = 'dom0';
        f.driver = initialDriver(state, f);
    }
}

function hostBridgeAdd(state: HvState, name: string): void {
    const hb = state.platform.hostBridges.find((h) => h.name === name);
    if (!hb) return;
    const arm = state.rules.arch === 'arm';
    if (arm && !state.rules.hostBridgeHypercall) {
        state.report('SCN-DOM0-REPORT-PROFILE', `host-bridge-add ${name}: under the ${state.profile} profile Xen finds host bridges in the device tree itself (at boot); dom0 has no call to register ${name}`, { severity: 'warning' }, `hbprofile|${state.ctx.step}|${name}`);
        return;
    }
    const fromMcfg = !arm && hb.ecam?.convention === 'mcfg';
    if (state.registeredHostBridges.has(name) && !fromMcfg) {
        state.report('SCN-DOM0-REPORT', `host-bridge-add ${name}: ${name} is already registered with Xen`, {}, `hbtwice|${state.ctx.step}|${name}`);
        return;
    }
    if (fromMcfg) {
        // Linux reports every MMCONFIG region, those of the static MCFG too; Xen already has them.
        state.emit('PHYSDEVOP_pci_mmcfg_reserved', { segment: hex(segmentOf(state, hb)), hostBridge: name, result: '0 (from MCFG, registered when dom0 was built)' });
        return;
    }
    if (arm) registerArmHostBridge(state, hb);
    else registerPvhMmcfgOf(state, hb);
}

function deviceAdd(state: HvState, name: string, later: readonly Dom0Report[]): void {
    const f = state.fn(name);
    if (!f) return;
    const fn = f.fn;
    if (fn.isVf) {
        state.report('SCN-DOM0-REPORT', `device-add ${name}: ${name} is a VF; dom0 reports VFs when SR-IOV is enabled on ${fn.pf ?? 'its PF'} (enable-sriov), not at boot`, {}, `vf|${state.ctx.step}|${name}`);
        return;
    }
    if (fn.invisible !== undefined) {
        state.report('SCN-DOM0-REPORT', `device-add ${name}: Linux does not find ${name} (${fn.invisible}), so dom0 cannot report it`, {}, `invisible|${state.ctx.step}|${name}`);
        return;
    }
    if (f.added || f.notAddedWhy !== undefined) {
        state.report('SCN-DOM0-REPORT', `device-add ${name}: dom0 already reported ${name} in this boot`, {}, `twice|${state.ctx.step}|${name}`);
        return;
    }
    const hb = state.platform.hostBridges.find((h) => h.name === fn.hostBridge);
    if (hb && !state.registeredHostBridges.has(hb.name)) {
        deviceBeforeHostBridge(state, f, hb, later);
        if (state.rules.arch === 'arm') return;
    }
    addDevice(state, f);
}

function deviceBeforeHostBridge(state: HvState, f: FnState, hb: HostBridge, later: readonly Dom0Report[]): void {
    const fn = f.fn;
    const address = sbdf(fn.segment, fn.bus, fn.devfn);
    const registration = later.find((r) => r.kind === 'host-bridge-add' && r.hostBridge === hb.name);
    const related = [
        { loc: hb.nameLoc, message: `host bridge ${hb.name}` },
        ...(registration ? [{ loc: registration.loc, message: `${hb.name} is registered only here, later` }] : []),
    ];
    if (state.rules.arch === 'arm') {
        state.emit('PHYSDEVOP_pci_device_add', { sbdf: address, device: fn.name, result: '-ENODEV' });
        f.notAddedWhy = `it was reported before its host bridge ${hb.name} was registered`;
        f.owner = 'dom0';
        f.driver = initialDriver(state, f);
        state.report(
            'XEN-DEVICE-BEFORE-HOST-BRIDGE',
            `device-add ${fn.name} (${address}) comes before host bridge ${hb.name} is registered (PHYSDEVOP_pci_host_bridge_add): Xen does not know which host bridge the device is on, so PHYSDEVOP_pci_device_add fails with -ENODEV; ${fn.name} is unknown to Xen, gets no IOMMU entry and cannot be assigned`,
            { related },
            fn.name,
        );
        return;
    }
    state.report(
        'XEN-DEVICE-BEFORE-HOST-BRIDGE',
        `device-add ${fn.name} (${address}) comes before the MMCFG area of host bridge ${hb.name} is registered (PHYSDEVOP_pci_mmcfg_reserved): Xen adds the device but reads its configuration space through the I/O ports only (segment 0, first 256 bytes), so it misses ${fn.name}'s extended capabilities (SR-IOV, ARI, ACS)`,
        { related, severity: 'warning' },
        fn.name,
    );
}
