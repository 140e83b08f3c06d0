// QEMU pcie-root-ports in a KVM guest (`pcie-root-port NAME at 00:DD.F { assign ... }`). Each
// port takes its slot on the guest's bus 0; guest firmware numbers the buses below them depth-first
// in devfn order (bus 1 behind the lowest port, ...). A PCIe link carries one device: QEMU refuses
// any slot but 0 behind a root port ("PCI: slot N is not valid for vfio-pci, parent device only
// allows plugging into slot 0", hw/pci/pci.c do_pci_register_device), so the functions behind a
// port are functions of device 0. Each port needs its own chassis/slot pair, which the QEMU
// arguments give as chassis=1, 2, ....
import type { KvmVm } from '../model/platform.js';
import type { SourceLoc } from '../model/source.js';
import type { ConfigEntry, DomainState, HvState } from './state.js';
import type { SlotRequest } from './virtual-slots.js';

export interface GuestPort {
    name: string;
    devfn: bigint;
    bus: bigint;
    chassis: number;
    loc: SourceLoc;
}

/** The VM's ports in devfn order, with their secondary buses; reports ports on QEMU's own slots. */
export function guestPortsOf(state: HvState, d: DomainState): GuestPort[] {
    const ports = guestPortsQuiet(d);
    for (const p of ports) {
        if (p.devfn >> 3n < BigInt(state.rules.reservedSlots)) {
            state.report('HV-VSLOT-TAKEN', `pcie-root-port ${p.name} asks for guest slot 00:${(p.devfn >> 3n).toString(16).padStart(2, '0')}.${(p.devfn & 7n).toString(16)} of ${d.name}, which QEMU keeps for its host bridge`, { at: p.loc }, `${d.name}|${p.name}`);
        }
    }
    return ports;
}

/** The ports as guestPortsOf gives them, without reporting (for the QEMU arguments). */
export function guestPortsQuiet(d: DomainState): GuestPort[] {
    return portsOfVm(d.kvm);
}

/** A VM's ports in devfn order with the buses guest firmware gives them (also for the exports). */
export function portsOfVm(vm: KvmVm | undefined): GuestPort[] {
    const written = [...(vm?.rootPorts ?? [])].sort((a, b) => Number(((a.device << 3n) | a.fn) - ((b.device << 3n) | b.fn)));
    return written.map((p, i) => ({ name: p.name, devfn: (p.device << 3n) | p.fn, bus: BigInt(i + 1), chassis: i + 1, loc: p.loc }));
}

/** Bus-0 slots the ports take (for the bus-0 allocation). */
export function portSlots(ports: readonly GuestPort[]): Map<number, string> {
    return new Map(ports.map((p) => [Number(p.devfn >> 3n), `pcie-root-port ${p.name}`]));
}

/** Guest functions behind each port: written ones checked, the others the lowest free function of device 0. */
export function allocateBehindPorts(state: HvState, d: DomainState, ports: readonly GuestPort[], requests: SlotRequest[]): Map<string, { port: GuestPort; devfn: bigint }> {
    const out = new Map<string, { port: GuestPort; devfn: bigint }>();
    for (const port of ports) {
        const used = new Map<bigint, string>();
        for (const a of d.attached.values()) if (a.guestPort === port.name && a.guestDevfn !== undefined) used.set(a.guestDevfn, a.device);
        const mine = requests.filter((r) => r.entry.guestPort === port.name);
        const auto: SlotRequest[] = [];
        for (const r of mine) {
            const v = r.entry.vslot;
            if (!v) {
                auto.push(r);
                continue;
            }
            if (v.device !== 0n) {
                state.report(
                    'KVM-GUEST-PORT-SLOT',
                    `${r.device} is placed at slot ${v.device.toString(16).padStart(2, '0')} behind pcie-root-port ${port.name} of ${d.name}, but a root port's link carries device 0 only: QEMU refuses it ("PCI: slot ${v.device} is not valid for vfio-pci, parent device only allows plugging into slot 0"); write as 00.${v.fn.toString(16)}`,
                    { at: v.loc ?? r.entry.loc, related: [{ loc: port.loc, message: `pcie-root-port ${port.name}` }] },
                    `${d.name}|${r.device}`,
                );
                continue;
            }
            const holder = used.get(v.fn);
            if (holder !== undefined) {
                state.report('HV-VSLOT-TAKEN', `${r.device} asks for function 00.${v.fn.toString(16)} behind pcie-root-port ${port.name} of ${d.name}, which ${holder} already has`, { at: v.loc ?? r.entry.loc }, `${d.name}|${r.device}`);
                continue;
            }
            used.set(v.fn, r.device);
            out.set(r.device, { port, devfn: v.fn });
        }
        for (const r of auto) {
            let fn = 0n;
            while (fn < 8n && used.has(fn)) fn++;
            if (fn === 8n) {
                state.report('HV-VSLOT-FULL', `${r.device} finds no free function behind pcie-root-port ${port.name} of ${d.name}: its one device has 8 functions, all taken`, { at: r.entry.loc }, `${d.name}|${r.device}`);
                continue;
            }
            used.set(fn, r.device);
            out.set(r.device, { port, devfn: fn });
        }
    }
    return out;
}

/** `-device pcie-root-port,...` for each port, before the devices that use them. */
export function portQemuArgs(ports: readonly GuestPort[]): string[] {
    return ports.map((p) => `-device pcie-root-port,id=${p.name},bus=pcie.0,addr=0x${(p.devfn >> 3n).toString(16)}.${(p.devfn & 7n).toString(16)},chassis=${p.chassis}`);
}

export function isBehindPort(e: ConfigEntry): boolean {
    return e.guestPort !== undefined;
}
