// What dom0 gets mapped in its stage-2 / p2m, and which of its accesses Xen traps.
//
// Arm (both profiles): Xen maps every `reg` and `ranges` region of the host-bridge nodes 1:1
// into dom0 (the design: "xen maps the ranges in pci nodes in stage 2", seed 000 §3; upstream:
// pci_host_bridge_mappings, ECAM withheld only when vPCI runs for dom0, which it does not —
// DOMAIN.md B.8.1.4/5), and the ITS translation page GITS_TRANSLATER (ITS base + 64 KiB, one
// 64 KiB frame) so that MSI writes of dom0's devices reach the ITS (seed 000 §3).
//
// x86 PVH dom0 (seed 001, B.9): identity maps of the non-RAM pages below 1 MiB and of the ACPI and
// NVS regions, one virtual IO-APIC per host IO-APIC, MMCFG denied and trapped; BARs mapped 1:1 on
// demand when dom0 turns memory decoding on, with the MSI-X table and PBA pages punched out and
// trapped (B.6.3.3/4); MSI capability registers trapped.
import { alignUp } from '../util/arith.js';
import { hex, PAGE, range, sizeText } from './format.js';
import type { HvBar } from './input.js';
import type { FnState, HvState } from './state.js';

const ONE_MIB = 0x10_0000n;
const ITS_TRANSLATER_OFFSET = 0x1_0000n;
const ITS_FRAME = 0x1_0000n;

export function mapHostBridgesForArmDom0(state: HvState): void {
    for (const hb of state.platform.hostBridges) {
        for (const ecam of [hb.ecam, hb.childEcam]) {
            if (!ecam) continue;
            state.emit('p2m-map', { domain: 'dom0', what: `${hb.name} ECAM`, guest: range(ecam.base, ecam.size), host: hex(ecam.base), size: sizeText(ecam.size), type: 'MMIO 1:1' });
        }
        for (const w of hb.windows) {
            const what = `${hb.name} ${w.kind}${w.prefetchable ? ' prefetchable' : ''} window`;
            state.emit('p2m-map', { domain: 'dom0', what, guest: range(w.cpuBase, w.size), host: hex(w.cpuBase), size: sizeText(w.size), type: 'MMIO 1:1' });
        }
    }
}

export function mapItsTranslaterForDom0(state: HvState, domain = 'dom0'): void {
    for (const its of state.platform.its) {
        const base = its.base + ITS_TRANSLATER_OFFSET;
        state.emit('p2m-map', { domain, what: `${its.name} GITS_TRANSLATER page`, guest: range(base, ITS_FRAME), host: hex(base), size: sizeText(ITS_FRAME), type: 'MMIO 1:1' });
    }
}

/** Gaps of [start, end) not covered by `covered` (sorted or not). */
function gaps(start: bigint, end: bigint, covered: { base: bigint; size: bigint }[]): { base: bigint; size: bigint }[] {
    const sorted = [...covered].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
    const out: { base: bigint; size: bigint }[] = [];
    let cursor = start;
    for (const r of sorted) {
        const rEnd = r.base + r.size;
        if (rEnd <= cursor || r.base >= end) continue;
        if (r.base > cursor) out.push({ base: cursor, size: r.base - cursor });
        if (rEnd > cursor) cursor = rEnd;
    }
    if (cursor < end) out.push({ base: cursor, size: end - cursor });
    return out;
}

// xen/arch/x86/hvm/dom0_build.c pvh_populate_p2m / pvh_setup_acpi (B.9.1), vioapic.c (B.9.5).
export function mapPvhDom0(state: HvState): void {
    const { platform } = state;
    for (const gap of gaps(0n, ONE_MIB, platform.memory)) {
        state.emit('p2m-map', { domain: 'dom0', what: 'non-RAM below 1 MiB', guest: range(gap.base, gap.size), host: hex(gap.base), size: sizeText(gap.size), type: 'identity' });
    }
    for (const r of platform.reserved) {
        if (r.kind === 'reserved') continue;
        if (r.base + r.size <= ONE_MIB) continue;
        state.emit('p2m-map', { domain: 'dom0', what: `${r.name} (e820 ${r.kind === 'acpi' ? 'ACPI' : 'NVS'})`, guest: range(r.base, r.size), host: hex(r.base), size: sizeText(r.size), type: 'identity' });
    }
    for (const io of platform.ioapics) {
        state.emit('vioapic', { name: io.name, base: hex(io.base), gsi_base: String(io.gsiBase), pins: String(io.pins) });
    }
}

/** MSI-X table and PBA pages of a BAR, which vPCI keeps out of the p2m and traps. */
export function msixPages(f: FnState, bar: HvBar, address: bigint): { what: string; base: bigint; size: bigint }[] {
    const msix = f.fn.isVf ? undefined : f.fn.decl.msix;
    if (!msix) return [];
    const pages: { what: string; base: bigint; size: bigint }[] = [];
    const add = (what: string, offset: bigint, bytes: bigint) => {
        const start = ((address + offset) / PAGE) * PAGE;
        const end = alignUp(address + offset + bytes, PAGE);
        pages.push({ what, base: start, size: end - start });
    };
    if (msix.tableBar === bar.index) add('MSI-X table', msix.tableOffset, msix.entries * 16n);
    if (msix.pbaBar === bar.index) add('MSI-X PBA', msix.pbaOffset, ((msix.entries + 63n) / 64n) * 8n);
    return pages;
}

/** PVH dom0 turns memory decoding on: vPCI maps each memory BAR 1:1 and traps MSI-X pages (header.c modify_bars). */
export function mapBarsForPvhDom0(state: HvState, f: FnState): void {
    for (const bar of f.fn.bars) {
        if (bar.kind === 'io') continue;
        const address = f.bars.get(bar.index);
        if (address === undefined) continue;
        const traps = msixPages(f, bar, address);
        state.emit('p2m-map', {
            domain: 'dom0',
            what: `${f.fn.name} BAR ${bar.index}`,
            guest: range(address, bar.size),
            host: hex(address),
            size: sizeText(bar.size),
            type: 'identity',
            except: traps.length ? traps.map((t) => `${t.what} ${range(t.base, t.size)}`).join(', ') : undefined,
        });
        for (const t of traps) state.emit('vpci-trap', { domain: 'dom0', device: f.fn.name, what: t.what, range: range(t.base, t.size) });
    }
}

export function unmapBarForPvhDom0(state: HvState, f: FnState, index: number, address: bigint, size: bigint): void {
    state.emit('p2m-unmap', { domain: 'dom0', what: `${f.fn.name} BAR ${index}`, guest: range(address, size) });
}

/** vPCI's config-space traps for dom0's view of a device (B.6.3.2/3, seed 001). */
export function trapMsiForPvhDom0(state: HvState, f: FnState): void {
    if (f.fn.isVf) return;
    const { msi, msix } = f.fn.decl;
    if (msi) state.emit('vpci-trap', { domain: 'dom0', device: f.fn.name, what: 'MSI capability (control, address, data, mask)' });
    if (msix) state.emit('vpci-trap', { domain: 'dom0', device: f.fn.name, what: 'MSI-X control' });
}
