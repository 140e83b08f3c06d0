// dom0 (or the KVM host) moves a BAR.
//
// The new address must be a place the host bridge forwards: naturally aligned, inside a window
// of the right type (a non-prefetchable BAR never in a prefetchable window, a 32-bit BAR below
// 4 GiB), inside a window of the bridge above of that type, clear of the windows of the bridges
// beside it (they forward those addresses downstream) and of other BARs (DOMAIN.md B.5.3-B.5.5). Xen on Arm maps a BAR only inside a
// `ranges` window ("invalid position", pci-host-common.c pci_check_bar).
//
// x86-pvh: vPCI traps dom0's BAR writes. A write while memory decoding is on is ignored with a
// warning; Linux turns decoding off only around 64-bit BAR updates (linux:drivers/pci/setup-res.c
// pci_std_update_resource), so a 32-bit BAR of a decoding device does not move. Otherwise Xen
// unmaps the old range when decoding goes off and maps the new one (with the MSI-X pages punched
// out) when it comes back (xen/drivers/vpci/header.c bar_write, modify_bars; B.6.3.5, seed 001).
// Arm: dom0's stage-2 maps whole host-bridge windows, so nothing changes in Xen.
// A device held by a guest: dom0's config write bypasses vPCI (not its device) and the guest's
// stage-2 (or the VFIO mapping) still points at the old address.
import type { HvBar } from './input.js';
import { isAligned } from '../util/arith.js';
import { hex, overlaps, range } from './format.js';
import { mapBarsForPvhDom0, unmapBarForPvhDom0 } from './dom0-mappings.js';
import { unknownReason } from './ownership.js';
import { ownerText, type FnState, type HvState } from './state.js';

function windowProblem(state: HvState, f: FnState, bar: HvBar, address: bigint): string | undefined {
    // An unimplemented BAR (size 0, PCI-BAR-SIZE-MIN) decodes nothing: there is nothing to move.
    if (bar.size === 0n) return `BAR ${bar.index} has size 0: it decodes no addresses, so there is nothing to move`;
    if (!isAligned(address, bar.size)) return `${hex(address)} is not aligned to the BAR size ${hex(bar.size)}`;
    if (bar.kind !== 'mem64' && bar.kind !== 'io' && address + bar.size > 1n << 32n) return `a 32-bit BAR cannot hold ${hex(address)} (above 4 GiB)`;
    const hb = state.platform.hostBridges.find((h) => h.name === f.fn.hostBridge);
    const fits = (hb?.windows ?? []).some((w) => {
        if (bar.kind === 'io' ? w.kind !== 'io' : w.kind === 'io') return false;
        if (bar.kind !== 'io' && !bar.prefetchable && w.prefetchable) return false;
        // An I/O BAR holds a port number (HvBar.address): compare it with the window's ports.
        const base = bar.kind === 'io' ? w.pciBase : w.cpuBase;
        return address >= base && address + bar.size <= base + w.size;
    });
    if (!fits) {
        const kind = bar.kind === 'io' ? 'I/O' : bar.prefetchable ? 'memory' : 'non-prefetchable memory';
        return `${range(address, bar.size)} is outside every ${kind} window of ${f.fn.hostBridge}${state.rules.arch === 'arm' && state.rules.hypervisor === 'xen' ? ` (${state.profile}: Xen logs "invalid position" and does not map it)` : ''}`;
    }
    const above = f.fn.upstream === undefined ? undefined : state.fn(f.fn.upstream)?.fn;
    if (above?.windows) {
        const usable = above.windows.filter((w) => (bar.kind === 'io' ? w.window === 'io' : w.window === 'mem' || (bar.prefetchable && w.window === 'prefetch')));
        if (!usable.some((w) => address >= w.start && address + bar.size - 1n <= w.end)) {
            const listed = usable.map((w) => `${w.window} ${hex(w.start)}..${hex(w.end)}`).join(', ');
            return `${range(address, bar.size)} is outside ${listed ? `the windows of ${above.name} that can hold it (${listed})` : `every window of ${above.name} (none forwards ${bar.kind === 'io' ? 'I/O' : 'memory'} of this kind)`}: the bridge does not forward it`;
        }
    }
    for (const other of state.fns.values()) {
        if (other === f || other.fn.upstream !== f.fn.upstream || other.fn.hostBridge !== f.fn.hostBridge) continue;
        for (const w of other.fn.windows ?? []) {
            if ((w.window === 'io') !== (bar.kind === 'io')) continue;
            if (overlaps(address, bar.size, w.start, w.end - w.start + 1n)) return `${range(address, bar.size)} overlaps the ${w.window} window of ${other.fn.name} (${hex(w.start)}..${hex(w.end)}), which forwards those addresses to the bus below it`;
        }
    }
    for (const other of state.fns.values()) {
        if (other === f || !other.present) continue;
        for (const ob of other.fn.bars) {
            const oa = other.bars.get(ob.index);
            if (oa === undefined || (ob.kind === 'io') !== (bar.kind === 'io')) continue;
            if (overlaps(address, bar.size, oa, ob.size)) return `${range(address, bar.size)} overlaps ${other.fn.name} BAR ${ob.index} (${range(oa, ob.size)})`;
        }
    }
    return undefined;
}

export function relocateBar(state: HvState, name: string, index: number, address: bigint): void {
    const f = state.fn(name);
    if (!f || !f.present) {
        state.report('HV-DEVICE-UNKNOWN', `relocate-bar ${name}: ${unknownReason(state, f, name)}`, {}, `relocate|${name}|${state.ctx.step}`);
        return;
    }
    const bar = f.fn.bars.find((b) => b.index === index);
    if (!bar) {
        state.report('HV-RELOCATE-INVALID', `relocate-bar ${name} bar ${index}: ${name} has no BAR ${index}`, {}, `relocate|${name}|${state.ctx.step}`);
        return;
    }
    if (f.fn.isVf) {
        state.report('HV-RELOCATE-INVALID', `relocate-bar ${name} bar ${index}: a VF's BARs are slices of the PF's VF BAR aperture (SR-IOV capability) and cannot be moved one by one`, { at: bar.loc }, `relocate|${name}|${state.ctx.step}`);
        return;
    }
    const old = f.bars.get(index);
    if (old === address) {
        state.emit('cfg-write', { device: name, reg: `BAR ${index}`, old: hex(old), new: hex(address), result: 'unchanged (already there)' });
        return;
    }
    const problem = windowProblem(state, f, bar, address);
    if (problem) {
        state.report('HV-RELOCATE-INVALID', `relocate-bar ${name} BAR ${index} to ${hex(address)}: ${problem}`, { related: [{ loc: bar.loc, message: `${name} BAR ${index}` }] }, `relocate|${name}|${state.ctx.step}`);
        return;
    }
    const who = state.rules.hypervisor === 'xen' ? 'dom0' : 'the host';
    const args = { device: name, reg: `BAR ${index}`, old: old === undefined ? 'unassigned' : hex(old), new: hex(address) };
    if (f.owner === 'xen') {
        state.emit('cfg-write', { ...args, by: who, result: 'dropped (read-only device)' });
        state.report('HV-RELOCATE-ASSIGNED', `relocate-bar ${name} BAR ${index}: Xen keeps ${name}; ${state.rules.arch === 'x86' ? 'its configuration space is read-only to dom0 and the write is dropped' : 'dom0 must not touch it'}`, { related: [{ loc: bar.loc, message: `${name} BAR ${index}` }] }, `relocate|${name}|${state.ctx.step}`);
        return;
    }
    const holder = state.domains.get(f.owner);
    if (holder?.running) {
        state.emit('cfg-write', { ...args, by: who, result: 'written (not trapped: the device is not dom0\'s)' });
        f.bars.set(index, address);
        const guestBar = holder.attached.get(name)?.guestBars.find((b) => b.bar === index);
        const mapping = guestBar?.guest !== undefined ? ` (guest ${hex(guestBar.guest)} → host ${old === undefined ? '?' : hex(old)})` : '';
        state.report(
            'HV-RELOCATE-ASSIGNED',
            `relocate-bar ${name} BAR ${index} to ${hex(address)}: ${name} is assigned to ${ownerText(state, f.owner)}; ${state.rules.hypervisor === 'xen' ? "dom0's" : "the host's"} write is not trapped and the guest's ${state.rules.hypervisor === 'xen' ? 'stage-2' : 'VFIO'} mapping of the BAR${mapping} is not updated, so the guest's accesses go to the old address, where nothing decodes`,
            { related: [{ loc: bar.loc, message: `${name} BAR ${index}` }] },
            `relocate|${name}|${state.ctx.step}`,
        );
        return;
    }
    if (state.rules.dom0Traps && bar.kind !== 'io') {
        if (bar.kind === 'mem32' && f.decoding) {
            state.emit('cfg-write', { ...args, by: 'dom0', result: 'ignored by vPCI (memory decoding on)' });
            state.report(
                'XEN-BAR-WRITE-IGNORED',
                `relocate-bar ${name} BAR ${index} to ${hex(address)}: memory decoding is on and Linux turns it off only around 64-bit BAR updates, so vPCI ignores the write ("ignored BAR ${index} write while mapped") and the BAR stays at ${old === undefined ? 'its old address' : hex(old)} (x86-pvh: header.c bar_write)`,
                { related: [{ loc: bar.loc, message: `${name} BAR ${index}` }], severity: 'warning' },
                `relocate|${name}|${state.ctx.step}`,
            );
            return;
        }
        state.emit('cfg-write', { device: name, reg: 'COMMAND', value: 'memory decoding off', by: 'dom0' });
        if (old !== undefined && f.decoding) unmapBarForPvhDom0(state, f, index, old, bar.size);
        state.emit('cfg-write', { ...args, by: 'dom0', result: 'vPCI records the new address' });
        f.bars.set(index, address);
        state.emit('cfg-write', { device: name, reg: 'COMMAND', value: 'memory decoding on', by: 'dom0' });
        const only = { ...f, fn: { ...f.fn, bars: [bar] } };
        mapBarsForPvhDom0(state, only);
        f.decoding = true;
        return;
    }
    state.emit('cfg-write', {
        ...args,
        by: who,
        result: state.rules.hypervisor === 'xen' ? 'not trapped: dom0\'s stage-2 maps the whole host-bridge window' : 'written',
    });
    f.bars.set(index, address);
}
