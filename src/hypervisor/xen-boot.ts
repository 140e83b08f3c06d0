// Booting Xen and dom0, in the order a boot log shows it:
//   1. Xen takes the devices it keeps (SMMUs, GIC, ITS, IOMMUs, `owns`), checks segments and,
//      upstream on Arm, probes the host bridges in the device tree (B.8.1.2).
//   2. dom0less domains are built from the device tree, before dom0 runs (so before any PCI
//      device is known to Xen: they cannot get PCI devices).
//   3. dom0 is built: Arm maps the host-bridge windows, ECAM and the ITS translation page
//      (dom0-mappings.ts); a PVH dom0 gets its identity maps and virtual IO-APICs; MMCFG areas
//      are registered and trapped before dom0 touches configuration space (B.9.3).
//   4. dom0 boots: in the design it registers every host bridge (PHYSDEVOP_pci_host_bridge_add),
//      then reports each device it enumerates (device-add.ts), PFs before their VFs.
//   5. `xl pci-assignable-add` for the devices written `assignable`.
import { assignableAdd } from './assignable.js';
import { addDevice, linuxAddOrder } from './device-add.js';
import { mapHostBridgesForArmDom0, mapItsTranslaterForDom0, mapPvhDom0 } from './dom0-mappings.js';
import { checkSegmentAgreement, registerArmHostBridges, registerPvhMmcfg, registerPvhMmcfgOf } from './host-bridges.js';
import { playDom0Reports } from './dom0-reports.js';
import type { Dom0Report } from '../model/platform.js';
import { checkXenConfigAccess } from './config-access.js';
import { keepXenDevices } from './ownership.js';
import { refName, type HvState } from './state.js';
import { checkVcpus } from './vcpus.js';
import { passPlatformDevices } from './platform-passthrough.js';

function buildDom0less(state: HvState): void {
    for (const d of state.domains.values()) {
        if (!d.xen?.dom0less) continue;
        d.domid = state.nextDomid++;
        d.vmid = state.nextVmid++;
        d.running = true;
        state.emit('dom0less-create', { domain: d.name, domid: String(d.domid) });
        checkVcpus(state, d.name, d.xen.vcpus, d.xen.vcpusLoc);
        passPlatformDevices(state, d);
        for (const a of d.xen.assignments) {
            state.report(
                'XEN-DOM0LESS-PCI',
                `dom0less domain ${d.name} is given ${refName(a.device)}, but Xen builds dom0less domains at boot, before dom0 reports any PCI device (PHYSDEVOP_pci_device_add): the device is unknown then and is not assigned`,
                { at: a.loc },
                `${d.name}|${refName(a.device)}`,
            );
        }
        d.config = [];
    }
}

/** `reports`: a written `boot { }` block (dom0-reports.ts); absent, dom0 reports in the implicit order. */
export function bootXen(state: HvState, reports?: readonly Dom0Report[]): void {
    state.booted = true;
    const arm = state.rules.arch === 'arm';
    state.emit('xen-boot', { profile: state.profile, arch: arm ? (state.platform.arch === 'arm32' ? 'arm32' : 'arm64') : 'x86_64', iommu: state.platform.xen?.iommu === false ? 'off' : 'on' });
    keepXenDevices(state);
    if (arm) {
        checkSegmentAgreement(state);
        checkXenConfigAccess(state);
        if (state.rules.hostBridgesFromDt) registerArmHostBridges(state);
    }
    buildDom0less(state);
    state.emit('dom0-build', { domain: 'dom0', domid: '0', type: arm ? 'hardware domain (Arm)' : 'PVH hardware domain' });
    checkVcpus(state, 'dom0', state.platform.xen?.dom0.vcpus, state.platform.xen?.dom0.vcpusLoc);
    if (arm) {
        mapHostBridgesForArmDom0(state);
        mapItsTranslaterForDom0(state);
        if (state.rules.hostBridgeHypercall && !reports) registerArmHostBridges(state);
    } else {
        mapPvhDom0(state);
        if (!reports) registerPvhMmcfg(state);
        // Written reports: Xen registers the static MCFG's areas itself when it builds dom0.
        else for (const hb of state.platform.hostBridges) if (hb.ecam?.convention !== 'dt') registerPvhMmcfgOf(state, hb);
    }
    if (reports) playDom0Reports(state, reports);
    else for (const f of linuxAddOrder(state)) addDevice(state, f);
    for (const ref of state.platform.xen?.assignable ?? []) {
        const name = refName(ref);
        // A VF becomes assignable once SR-IOV creates it (sriov.ts).
        // A VF of a refused enable is never created: it stays pending, like a VF never enabled.
        if ((state.fn(name)?.fn.isVf && !state.fn(name)?.present) || state.refusedVf(name)) state.deferredAssignable.set(name, ref.loc);
        else assignableAdd(state, name, ref.loc);
    }
}
