// `pciplat export libvirt --vm V`: the <devices> part of a libvirt domain XML for one KVM VM:
// the guest's PCI root (`pcie-root`, the bus the simulation puts every assigned function on) and
// a <hostdev mode='subsystem' type='pci' managed='yes'> per assigned function, with its host
// address as <source> and the guest slot the simulation gave it as the guest <address>
// (function 0 of a shared slot with multifunction='on'). libvirt's formatdomain documents both.
import { sbdf } from '../hypervisor/format.js';
import { portsOfVm } from '../hypervisor/guest-ports.js';
import type { ExportInput } from './exporter.js';

function hex(v: bigint, digits: number): string {
    return `0x${v.toString(16).padStart(digits, '0')}`;
}

function address(segment: bigint, bus: bigint, slot: bigint, fn: bigint): string {
    return `domain='${hex(segment, 4)}' bus='${hex(bus, 2)}' slot='${hex(slot, 2)}' function='${hex(fn, 1)}'`;
}

function xmlComment(text: string): string {
    return `<!-- ${text.replace(/--/g, '- -')} -->`;
}

export function libvirtText(input: ExportInput): string {
    const { platform, result } = input;
    const vm = input.guest!;
    const decl = platform.kvm?.vms.find((v) => v.name === vm.name);
    const guestSlots = new Map<string, { bus: bigint; slot: bigint; fn: bigint }>();
    for (const dev of vm.devices) {
        const m = /^[0-9a-f]{4}:([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/.exec(vm.guestSbdf[dev] ?? '');
        if (m) guestSlots.set(dev, { bus: BigInt(`0x${m[1]}`), slot: BigInt(`0x${m[2]}`), fn: BigInt(m[3]!) });
    }
    const lines = [
        xmlComment(`libvirt <devices> of KVM VM ${vm.name} of platform ${platform.name}, written by pciplat from its simulation`),
        xmlComment('merge into the domain XML (virsh edit); formatdomain: Host device assignment, Controllers'),
        '<devices>',
        "  <controller type='pci' index='0' model='pcie-root'/>",
    ];
    // Each pcie-root-port is the controller whose index is the guest bus behind it.
    for (const p of portsOfVm(decl)) {
        lines.push(
            `  <controller type='pci' index='${p.bus}' model='pcie-root-port'>`,
            `    <target chassis='${p.chassis}'/>`,
            `    <address type='pci' ${address(0n, 0n, p.devfn >> 3n, p.devfn & 7n)}/>`,
            '  </controller>',
        );
    }
    for (const dev of vm.devices) {
        const host = result.functions.find((f) => f.name === dev);
        const guest = guestSlots.get(dev);
        if (!host || host.bus === undefined || !guest) {
            lines.push(`  ${xmlComment(`${dev}: no host address or guest slot in the simulation (see its findings)`)}`);
            continue;
        }
        const shared = guest.fn === 0n && [...guestSlots.values()].some((o) => o !== guest && o.bus === guest.bus && o.slot === guest.slot);
        const noRom = decl?.assignments.some((a) => a.device.function === (host.pf ?? host.name) && a.flags.includes('no-rombar'));
        lines.push(
            `  ${xmlComment(`${dev}: host ${sbdf(host.segment, host.bus, (host.device << 3n) | host.fn)} -> guest ${vm.guestSbdf[dev]}`)}`,
            "  <hostdev mode='subsystem' type='pci' managed='yes'>",
            '    <source>',
            `      <address ${address(host.segment, host.bus, host.device, host.fn)}/>`,
            '    </source>',
            `    <address type='pci' ${address(0n, guest.bus, guest.slot, guest.fn)}${shared ? " multifunction='on'" : ''}/>`,
            ...(noRom ? ["    <rom bar='off'/>"] : []),
            '  </hostdev>',
        );
    }
    lines.push('</devices>');
    return `${lines.join('\n')}\n`;
}
