// Guest PCI addresses. Every passed-through device appears on bus 0 of segment 0 of one virtual
// host bridge. A written slot (`assign X as 00:DD.F`, xl's `vslot`, QEMU's `addr`) is kept where
// the profile honours it; otherwise each device takes the lowest free slot, as function 0.
// Upstream Xen on Arm picks the slot itself (find_first_zero_bit over VPCI_MAX_VIRT_DEV = 32
// slots, -ENOSPC when full: xen/drivers/vpci/vpci.c assign_virtual_sbdf, DOMAIN.md B.8.3.2,
// B.12 #42). With `all-functions` (xl's `F=*`) the functions keep their numbers in one slot
// (B.8.4.2). QEMU keeps its own devices' slots (x86 HVM: host bridge 00.0, PIIX3 01.x, VGA 02.0,
// Xen platform device 03.0; KVM: the host bridge at 00.0).
import { hex } from './format.js';
import { MAX_VIRTUAL_SLOTS } from './profiles.js';
import type { ConfigEntry, DomainState, HvState } from './state.js';

export interface SlotRequest {
    device: string;
    entry: ConfigEntry;
    /** Physical function number (kept with all-functions). */
    physicalFn: bigint;
}

function slotText(slot: number, fn: bigint = 0n): string {
    return `00:${slot.toString(16).padStart(2, '0')}.${fn.toString(16)}`;
}

/** Guest devfn per device (absent when no slot could be given). */
export function allocateSlots(state: HvState, d: DomainState, requests: SlotRequest[], taken: ReadonlyMap<number, string> = new Map()): Map<string, bigint> {
    const out = new Map<string, bigint>();
    // `taken`: bus-0 slots of the guest's own bridges (KVM pcie-root-ports, guest-ports.ts).
    const used = new Map<number, string>(taken);
    /** Slots taken by written slots: the guest function numbers in them. */
    const explicitFns = new Map<number, Set<bigint>>();
    for (const a of d.attached.values()) {
        if (a.guestDevfn === undefined || a.guestBus !== undefined) continue;
        const slot = Number(a.guestDevfn >> 3n);
        used.set(slot, a.device);
        if (a.entry.vslot) {
            let taken = explicitFns.get(slot);
            if (!taken) explicitFns.set(slot, (taken = new Set()));
            taken.add(a.guestDevfn & 7n);
        }
    }
    const reserved = state.rules.reservedSlots;
    const byEntry = new Map<ConfigEntry, SlotRequest[]>();
    for (const r of requests) {
        let list = byEntry.get(r.entry);
        if (!list) byEntry.set(r.entry, (list = []));
        list.push(r);
    }
    const auto: ConfigEntry[] = [];
    for (const [entry, list] of byEntry) {
        const first = list[0]!;
        const allFunctions = entry.flags.includes('all-functions');
        if (entry.vslot && !state.rules.vslotHonoured) {
            state.report(
                'XEN-VSLOT-IGNORED',
                `${first.device} is written at guest slot ${slotText(Number(entry.vslot.device), entry.vslot.fn)}, but Xen chooses the slot itself (${state.profile}: vpci.c assign_virtual_sbdf takes the lowest free slot and ignores xl's vslot)`,
                { at: entry.loc, severity: 'warning' },
                `${d.name}|${first.device}`,
            );
            auto.push(entry);
            continue;
        }
        if (!entry.vslot) {
            auto.push(entry);
            continue;
        }
        const slot = Number(entry.vslot.device);
        // Written slots may share a device number with other functions (a multi-function guest
        // device), never a slot and function another device has or an automatically placed device.
        const fns = list.map((r) => (allFunctions ? r.physicalFn : entry.vslot!.fn));
        const holder = used.get(slot);
        const clash = holder !== undefined && (!explicitFns.has(slot) || fns.some((fn) => explicitFns.get(slot)!.has(fn)));
        if (slot < reserved || clash) {
            state.report(
                'HV-VSLOT-TAKEN',
                `${first.device} asks for guest slot ${slotText(slot, fns[0])} of ${d.name}, which ${holder !== undefined ? `${holder} already has` : `${state.rules.hypervisor === 'kvm' ? 'QEMU keeps for its host bridge' : "QEMU keeps for its own devices (slots 0-3: host bridge, PIIX3, VGA, Xen platform device)"}`}`,
                { at: entry.vslot.loc ?? entry.loc },
                `${d.name}|${first.device}`,
            );
            continue;
        }
        used.set(slot, first.device);
        let taken = explicitFns.get(slot);
        if (!taken) explicitFns.set(slot, (taken = new Set()));
        for (const fn of fns) taken.add(fn);
        for (const r of list) out.set(r.device, (BigInt(slot) << 3n) | (allFunctions ? r.physicalFn : entry.vslot.fn));
    }
    for (const entry of auto) {
        const list = byEntry.get(entry)!;
        let slot = reserved;
        while (slot < MAX_VIRTUAL_SLOTS && used.has(slot)) slot++;
        if (slot >= MAX_VIRTUAL_SLOTS) {
            const count = new Set([...used.values(), ...auto.flatMap((e) => byEntry.get(e)!.map((r) => r.device))]).size;
            state.report(
                'HV-VSLOT-FULL',
                `${list[0]!.device} finds no free slot on ${d.name}'s guest bus 0: all ${MAX_VIRTUAL_SLOTS} slots are taken (${count} devices${reserved ? `, ${reserved} kept by QEMU` : ''})${state.profile === 'arm-upstream' ? ' (arm-upstream: assign_virtual_sbdf fails with -ENOSPC)' : ''}`,
                { at: entry.loc },
                `${d.name}|${list[0]!.device}`,
            );
            continue;
        }
        used.set(slot, list[0]!.device);
        const allFunctions = entry.flags.includes('all-functions');
        for (const r of list) out.set(r.device, (BigInt(slot) << 3n) | (allFunctions ? r.physicalFn : 0n));
    }
    return out;
}

export function guestSbdfText(devfn: bigint, bus = 0n): string {
    return `0000:${bus.toString(16).padStart(2, '0')}:${(devfn >> 3n).toString(16).padStart(2, '0')}.${(devfn & 7n).toString(16)}`;
}

export function vdevfnText(devfn: bigint): string {
    return hex(devfn);
}
