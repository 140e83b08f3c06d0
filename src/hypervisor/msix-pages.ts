// Registers sharing a 4 KiB page with the MSI-X table or PBA (`registers bar I offset O size S`).
// The PCIe specification forbids it because hypervisors trap those pages; bare Linux does not
// care, so the rule is the hypervisor's and depends on who traps:
// - x86-pvh dom0: vPCI keeps the table and PBA pages out of dom0's p2m and traps them
//   (xen/drivers/vpci/msix.c, header.c modify_bars): every access to the other registers there
//   traps into Xen and is emulated one by one (slow).
// - x86-pvh HVM guest: Xen puts the table and PBA pages in mmio_ro_ranges (x86/msi.c
//   msix_capability_init) and QEMU's passthrough emulates the table's pages (hw/xen/xen_pt_msi.c:
//   its write handler drops writes past the table's entries, "asked MSI-X entry invalid"): the
//   guest's writes to the registers are lost (Xen 4.18's adjacent-access handling forwards them,
//   trapped one by one).
// - arm-design guest (vPCI, a design-thread rule): the page traps into Xen, slow.
// - KVM: QEMU's vfio-pci emulates the table over the BAR mapping, so the rest of the page exits
//   to QEMU on every access (slow).
// Offsets are taken from the BAR's start, which is page aligned for BARs of 4 KiB and more (a
// smaller BAR shares its page with everything anyway). Code HV-MSIX-PAGE-SHARED.
import type { MsiX, PciFunction, RegisterRange } from '../model/platform.js';
import { alignUp } from '../util/arith.js';
import { hex, PAGE } from './format.js';
import type { FnState, HvState } from './state.js';

interface SharedPage {
    registers: RegisterRange;
    what: string;
    /** Offsets in the BAR: the trapped pages of the structure. */
    start: bigint;
    end: bigint;
}

function structures(msix: MsiX): { what: string; bar: number; offset: bigint; bytes: bigint }[] {
    return [
        { what: 'MSI-X table', bar: msix.tableBar, offset: msix.tableOffset, bytes: msix.entries * 16n },
        { what: 'MSI-X PBA', bar: msix.pbaBar, offset: msix.pbaOffset, bytes: ((msix.entries + 63n) / 64n) * 8n },
    ];
}

/** Each register range that overlaps a trapped MSI-X page (the first structure it meets). */
export function sharedMsixPages(fn: PciFunction): SharedPage[] {
    if (!fn.msix || !fn.registers) return [];
    const out: SharedPage[] = [];
    for (const registers of fn.registers) {
        for (const s of structures(fn.msix)) {
            if (s.bar !== registers.bar || registers.size === 0n) continue;
            const start = (s.offset / PAGE) * PAGE;
            const end = alignUp(s.offset + s.bytes, PAGE);
            if (registers.offset < end && registers.offset + registers.size > start) {
                out.push({ registers, what: s.what, start, end });
                break;
            }
        }
    }
    return out;
}

/** `domain`: `dom0` when dom0's accesses are trapped (x86-pvh), else the guest the device is attached to. */
export function checkMsixPageSharing(state: HvState, f: FnState, domain: string): void {
    if (f.fn.isVf) return;
    const dom0 = domain === 'dom0';
    // dom0 only matters when its own driver uses the registers (not pciback holding it for a guest).
    if (dom0 && f.driver !== 'dom0') return;
    for (const shared of sharedMsixPages(f.fn.decl)) {
        const r = shared.registers;
        const head = `${f.fn.name}'s registers at BAR ${r.bar} offset ${hex(r.offset)}..${hex(r.offset + r.size - 1n)} share a 4 KiB page (BAR offsets ${hex(shared.start)}..${hex(shared.end - 1n)}) with its ${shared.what}`;
        let why: string;
        let severity: 'warning' | 'error' = 'warning';
        if (dom0) {
            why = `vPCI keeps that page out of dom0's p2m and traps it (${state.profile}), so every access dom0's driver makes to those registers traps into Xen and is emulated one at a time`;
        } else if (state.rules.hypervisor === 'kvm') {
            why = `QEMU's vfio-pci emulates the MSI-X table over the BAR mapping, so every access ${domain} makes to those registers exits to QEMU`;
        } else if (state.rules.arch === 'x86') {
            why = `Xen keeps the MSI-X table and PBA pages read-only for ${domain} (mmio_ro_ranges) and QEMU's passthrough emulates the table's pages (xen_pt_msi.c drops writes past the table's entries), so the guest's writes to those registers are lost (Xen 4.18 and later forward such writes, each one trapped)`;
            severity = 'error';
        } else {
            why = `vPCI traps that page for ${domain} (${state.profile}), so every access the guest makes to those registers traps into Xen`;
        }
        state.report(
            'HV-MSIX-PAGE-SHARED',
            `${head}: ${why}`,
            { at: dom0 ? r.loc : state.entryLoc(domain, f.fn.name), related: dom0 ? [] : [{ loc: r.loc, message: `${f.fn.name}'s registers` }], severity, declaration: dom0 },
            `${f.fn.name}|${r.bar}|${r.offset}|${dom0 ? 'dom0' : state.rules.hypervisor}`,
        );
    }
}
