// SR-IOV in dom0 (or on the KVM host): writing sriov_numvfs creates the VFs, which dom0 reports
// with PHYSDEVOP_pci_device_add (XEN_PCI_DEV_VIRTFN, physfn = the PF) after the PF (B.7.6);
// writing 0 removes them (PHYSDEVOP_pci_device_remove). Linux refuses to change NumVFs while
// VFs are enabled (-EBUSY) or assigned to a guest (pci_vfs_assigned, -EPERM)
// (linux:drivers/pci/iov.c sriov_numvfs_store). A PVH dom0 does not support SR-IOV (SUPPORT.md,
// B.7.6). Enabled before boot (by firmware), VF Enable is seen set when the PF is added.
import { sbdf } from './format.js';
import { assignableAdd } from './assignable.js';
import { addDevice } from './device-add.js';
import { clearIommu } from './iommu-tables.js';
import { unknownReason } from './ownership.js';
import { ownerText, type HvState } from './state.js';

export function enableSriov(state: HvState, pfName: string, numVfs: bigint): void {
    const pf = state.fn(pfName);
    const sriov = pf?.fn.decl.sriov;
    if (!pf || !sriov || pf.fn.isVf) {
        state.report('SCN-SRIOV-STATE', `enable-sriov ${pfName}: ${pfName} has no SR-IOV capability`, {}, `enable|${pfName}|${state.ctx.step}`);
        return;
    }
    if (numVfs > sriov.totalVfs) {
        state.report('SCN-SRIOV-STATE', `enable-sriov ${pfName} num-vfs ${numVfs}: ${pfName} supports at most ${sriov.totalVfs} VFs (TotalVFs); Linux refuses (-ERANGE)`, { related: [{ loc: sriov.loc, message: 'SR-IOV capability' }] }, `enable|${pfName}|${state.ctx.step}`);
        return;
    }
    if (pf.vfsEnabled > 0 && BigInt(pf.vfsEnabled) === numVfs && state.booted) {
        // sriov_numvfs_store: writing the current NumVFs again succeeds and changes nothing (a
        // written `boot` has already enabled the `num-vfs` of the declaration).
        state.emit('sriov-enable', { pf: pfName, numvfs: String(numVfs), by: 'nothing to do: already enabled' });
        return;
    }
    if (pf.vfsEnabled > 0) {
        state.report('SCN-SRIOV-STATE', `enable-sriov ${pfName}: ${pf.vfsEnabled} VFs are already enabled; Linux refuses to change NumVFs without disabling first (-EBUSY)`, {}, `enable|${pfName}|${state.ctx.step}`);
        return;
    }
    if (!pf.present && pf.fn.invisible !== undefined) {
        // dom0 drives a PF Xen failed to add; only a PF Linux never found has no sriov_numvfs.
        state.report('HV-DEVICE-UNKNOWN', `enable-sriov ${pfName}: ${unknownReason(state, pf, pfName)}`, {}, `enable|${pfName}`);
        return;
    }
    if (state.booted && state.domains.has(pf.owner)) {
        state.report('SCN-SRIOV-STATE', `enable-sriov ${pfName}: the PF is assigned to ${ownerText(state, pf.owner)}, so dom0 has no driver to enable its VFs`, {}, `enable|${pfName}|${state.ctx.step}`);
        return;
    }
    const vfs = state.vfsOf(pfName);
    // Linux refused the capability or the enable: the fabric built no VF (virtual-functions.ts).
    const refused = pf.fn.vfRefusal?.reason ?? (vfs.length > 0 && vfs.every((v) => v.fn.invisible !== undefined) ? vfs[0]!.fn.invisible : undefined);
    if (refused !== undefined) {
        state.report(
            'SCN-SRIOV-STATE',
            `enable-sriov ${pfName} num-vfs ${numVfs}: no VF can be enabled, because ${refused.replace(/^its PF /, 'the PF ')}; fix the SR-IOV capability first`,
            { related: [{ loc: sriov.loc, message: 'SR-IOV capability' }] },
            `enable|${pfName}|${state.ctx.step}`,
        );
        return;
    }
    if (numVfs > BigInt(vfs.length)) {
        state.report(
            'SCN-VF-NOT-ENUMERATED',
            `enable-sriov ${pfName} num-vfs ${numVfs}: the fabric was computed for num-vfs ${vfs.length} (the declared value), so only ${vfs.length} VFs are simulated; declare num-vfs ${numVfs} to place and translate the others`,
            { related: [{ loc: sriov.loc, message: 'SR-IOV capability' }], severity: 'warning' },
            `vfs|${pfName}|${state.ctx.step}`,
        );
    }
    const count = Number(numVfs < BigInt(vfs.length) ? numVfs : BigInt(vfs.length));
    pf.vfsEnabled = Number(numVfs);
    if (!state.booted) {
        state.emit('sriov-enable', { pf: pfName, numvfs: String(numVfs), by: 'firmware (before boot)' });
        return;
    }
    if (state.rules.hypervisor === 'xen' && !state.rules.dom0Sriov) {
        state.report(
            'XEN-PVH-SRIOV',
            `enable-sriov ${pfName}: a PVH dom0 does not support SR-IOV; vPCI does not handle the VFs' BARs, which Xen finds only in the PF's SR-IOV capability (x86-pvh: SUPPORT.md, CHANGELOG 4.21)`,
            { at: sriov.loc },
            `pvh|${pfName}`,
        );
    }
    state.emit('sriov-enable', { pf: pfName, sbdf: sbdf(pf.fn.segment, pf.fn.bus, pf.fn.devfn), numvfs: String(numVfs), by: state.rules.hypervisor === 'xen' ? 'dom0 (sysfs sriov_numvfs)' : 'host (sysfs sriov_numvfs)' });
    for (const vf of vfs.slice(0, count)) {
        vf.present = true;
        if (state.rules.hypervisor === 'xen') {
            addDevice(state, vf);
            const pending = state.deferredAssignable.get(vf.fn.name);
            if (pending && vf.added) assignableAdd(state, vf.fn.name, pending);
        } else {
            vf.added = true;
            vf.owner = 'host';
            vf.iommuIds = vf.fn.streamIds.map((s) => ({ ...s }));
            state.emit('linux-pci-add', { device: vf.fn.name, sbdf: sbdf(vf.fn.segment, vf.fn.bus, vf.fn.devfn), group: vf.fn.group === undefined ? 'none' : String(vf.fn.group) });
        }
    }
}

export function disableSriov(state: HvState, pfName: string): void {
    const pf = state.fn(pfName);
    if (!pf || pf.vfsEnabled === 0) {
        state.report('SCN-SRIOV-STATE', `disable-sriov ${pfName}: no VFs are enabled`, { severity: 'warning' }, `disable|${pfName}|${state.ctx.step}`);
        return;
    }
    const vfs = state.vfsOf(pfName).filter((v) => v.present);
    const assigned = vfs.filter((v) => state.domains.has(v.owner));
    if (assigned.length > 0) {
        state.report(
            'SCN-SRIOV-STATE',
            `disable-sriov ${pfName}: ${assigned.map((v) => `${v.fn.name} (${ownerText(state, v.owner)})`).join(', ')} ${assigned.length > 1 ? 'are' : 'is'} still assigned; Linux refuses to change SR-IOV while VFs are assigned (-EPERM)`,
            {},
            `disable|${pfName}|${state.ctx.step}`,
        );
        return;
    }
    for (const vf of vfs) {
        if (vf.added && state.rules.hypervisor === 'xen') {
            clearIommu(state, vf);
            state.emit('PHYSDEVOP_pci_device_remove', { sbdf: sbdf(vf.fn.segment, vf.fn.bus, vf.fn.devfn), device: vf.fn.name });
        }
        vf.present = false;
        vf.added = false;
        vf.owner = 'none';
        vf.driver = undefined;
    }
    state.emit('sriov-disable', { pf: pfName, numvfs: String(pf.vfsEnabled) });
    pf.vfsEnabled = 0;
}
