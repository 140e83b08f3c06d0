// `pciplat export qemu FILE`: a QEMU command line that builds the platform's PCI topology from
// QEMU's own devices, to boot Linux on it and compare pciplat's prediction with that Linux
// (lspci -tv, the iommu_groups listing; ../oracle-tool shows the loop): arm64 `virt` with its
// GIC, ITS and SMMUv3, or x86 `q35` with the IOMMU; root ports with chassis/slot, switches,
// PCIe-to-PCI and PCI-PCI bridges, multi-function slots (`multifunction=on,addr=DD.F`), and
// endpoints from QEMU's models (qemu-models.ts). Comments above the command say what QEMU cannot
// reproduce. `--vm V`: the KVM guest's command line, a `-device vfio-pci,host=…,addr=…` per
// assigned function in the guest slot the simulation gave it.
import type { HostBridge, PciFunction, Platform } from '../model/platform.js';
import type { ExportInput } from './exporter.js';
import { endpointModel } from './qemu-models.js';

/** QEMU ids: a letter first, then letters, digits, `-`, `_`, `.` (qemu_opts_id_wellformed). */
function qemuId(name: string): string {
    const clean = name.replace(/[^A-Za-z0-9_.-]/g, '_');
    return /^[A-Za-z]/.test(clean) ? clean : `d${clean}`;
}

function hex2(v: bigint): string {
    return v.toString(16).padStart(2, '0');
}

function gib(size: bigint): string {
    return size % (1n << 30n) === 0n ? `${size >> 30n}G` : `${size >> 20n}M`;
}

const MAX_RAM = 4n << 30n;

interface Build {
    options: string[];
    notes: string[];
    chassis: number;
    /** The first bus of the next pxb-pcie (QEMU numbers its root bus from bus_nr). */
    nextExpanderBus: number;
}

function isHostBridgeFunction(f: PciFunction): boolean {
    return ((f.classCode ?? 0n) >> 8n) === 0x0600n;
}

/** The machine's own functions on the root bus, which QEMU builds itself. */
function builtIn(platform: Platform, f: PciFunction): string | undefined {
    if (f.address.device === 0n && f.address.fn === 0n && isHostBridgeFunction(f)) return `${f.name} is the host bridge's own function 00.0, which the machine has already`;
    if (platform.arch === 'x86_64' && f.address.device === 0x1fn) return `${f.name} is at 00:1f.${f.address.fn}, where q35 has its own ICH9 functions; it is left out`;
    return undefined;
}

function slotOptions(b: Build, f: PciFunction): string[] {
    const chassis = b.chassis++;
    return [`chassis=${chassis}`, `slot=${f.slot?.number ?? BigInt(chassis)}`];
}

function portDevice(b: Build, f: PciFunction): { driver: string; options: string[] } | undefined {
    switch (f.kind) {
        case 'root-port': {
            if (f.vendor === 0x8086n && f.device === 0x3420n) return { driver: 'ioh3420', options: slotOptions(b, f) };
            const noAcs = !f.acs || f.acs.disabled;
            return { driver: 'pcie-root-port', options: [...slotOptions(b, f), ...(noAcs ? ['disable-acs=on'] : [])] };
        }
        case 'switch-upstream':
            return { driver: 'x3130-upstream', options: [] };
        case 'downstream-port':
            return { driver: 'xio3130-downstream', options: slotOptions(b, f) };
        case 'pcie-pci-bridge':
            return { driver: 'pcie-pci-bridge', options: [] };
        case 'pci-bridge':
            return { driver: 'pci-bridge', options: [`chassis_nr=${b.chassis++}`] };
        default:
            return undefined;
    }
}

/** Functions of one bus, each as a -device (and its backends), their children below them. */
function emitBus(platform: Platform, b: Build, functions: readonly PciFunction[], bus: string | undefined, root: boolean, pciePort: boolean): void {
    const sorted = [...functions].sort((x, y) => (x.address.device === y.address.device ? Number(x.address.fn - y.address.fn) : Number(x.address.device - y.address.device)));
    const perDevice = new Map<bigint, number>();
    for (const f of sorted) perDevice.set(f.address.device, (perDevice.get(f.address.device) ?? 0) + 1);
    // On the machine's own root bus, slot 0 is QEMU's host bridge: a device the description puts
    // there moves to the first free slot.
    let slot0: bigint | undefined;
    if (root && bus === undefined && sorted.some((f) => f.address.device === 0n && !builtIn(platform, f))) {
        for (let d = 1n; d < 0x1fn && slot0 === undefined; d++) if (!perDevice.has(d)) slot0 = d;
    }
    for (const f of sorted) {
        const skip = root ? builtIn(platform, f) : undefined;
        if (skip) {
            b.notes.push(skip);
            continue;
        }
        const device = f.address.device === 0n && slot0 !== undefined ? slot0 : f.address.device;
        if (device !== f.address.device) b.notes.push(`${f.name} moves from 00:00.${f.address.fn} to 00:${hex2(device)}.${f.address.fn}: slot 0 of the root bus is QEMU's host bridge`);
        if (f.address.fn > 7n) {
            b.notes.push(`${f.name} is ARI function ${f.address.fn}: QEMU places functions 0-7 only; it is left out`);
            continue;
        }
        const id = qemuId(f.name);
        const where = [...(bus ? [`bus=${bus}`] : []), `addr=${hex2(device)}.${f.address.fn}`];
        if (f.address.fn === 0n && (f.multifunction || (perDevice.get(f.address.device) ?? 0) > 1)) where.push('multifunction=on');
        if (f.kind === 'pci-pcie-bridge' || f.kind === 'rc-event-collector') {
            b.notes.push(`${f.name} is a ${f.kind}: QEMU has no such device; it and what is below it are left out`);
            continue;
        }
        if (f.vendor === 0x1b36n && f.device === 0x000bn) {
            // QEMU's PCIe expander bridge: a second root bus behind a function of this one.
            b.options.push(`-device ${['pxb-pcie', `id=${id}`, `bus_nr=${b.nextExpanderBus}`, ...where].join(',')}`);
            b.notes.push(`${f.name} is a pxb-pcie expander: bus_nr=${b.nextExpanderBus} is pciplat's choice (the description does not say), and Linux reaches what is below it only through ACPI`);
            b.nextExpanderBus += 0x10;
            emitBus(platform, b, f.children, id, true, false);
            continue;
        }
        const port = portDevice(b, f);
        if (port) {
            b.options.push(`-device ${[port.driver, `id=${id}`, ...where, ...port.options].join(',')}`);
            const below = f.kind === 'root-port' || f.kind === 'downstream-port' || f.kind === 'switch-upstream';
            emitBus(platform, b, f.children, id, false, below);
            continue;
        }
        const model = endpointModel(f, pciePort);
        if (model.differs) b.notes.push(model.differs);
        const backends = model.backends?.(id) ?? [];
        b.options.push(...backends);
        const extra = [...model.options];
        if (model.driver === 'nvme') extra.unshift(`serial=${id}`, ...(backends.some((x) => x.startsWith('-blockdev')) ? [`drive=${id}-disk`] : [`subsys=${id}-subsys`]));
        if (model.driver === 'virtio-blk-pci') extra.push(`drive=${id}-disk`);
        if (model.driver === 'ivshmem-plain') extra.push(`memdev=${id}-mem`);
        b.options.push(`-device ${[model.driver, `id=${id}`, ...where, ...extra].join(',')}`);
        if (f.bars.some((x) => x.address !== undefined)) b.notes.push(`${f.name}: the written BAR addresses are not reproduced (Linux or firmware places QEMU's BARs)`);
    }
}

/** The export writes aarch64 `virt` and x86 `q35` only (issue 14's 32-bit Arm and POWER are not modelled as QEMU hosts). */
export function qemuNotApplicable(platform: Platform): string | undefined {
    if (platform.arch === 'arm32') return 'the QEMU export writes aarch64 virt and x86 q35 command lines; a 32-bit Arm platform is neither (and Linux dropped KVM on 32-bit Arm in 5.7)';
    if (platform.arch === 'ppc64') return "the QEMU export writes aarch64 virt and x86 q35 command lines, not POWER's pseries machine";
    return undefined;
}

function machineOptions(platform: Platform, notes: string[]): string[] {
    if (platform.arch === 'arm64') {
        const gic = platform.gics[0]?.version === 'v2' ? '2' : '3';
        const parts = ['virt', `gic-version=${gic}`];
        if (platform.its.length > 0) parts.push('its=on');
        if (platform.smmus.some((s) => s.version === 'v3')) parts.push('iommu=smmuv3');
        else if (platform.smmus.length > 0) notes.push("the SMMUv2 is not reproduced: virt's only IOMMUs are SMMUv3 and virtio-iommu");
        return [`-machine ${parts.join(',')}`, '-cpu max'];
    }
    const iommu = platform.x86Iommus[0];
    const options = ['-machine q35', '-cpu max'];
    if (iommu?.kind === 'vt-d') options.push('-device intel-iommu');
    return options;
}

function ramOption(platform: Platform, notes: string[]): string {
    const total = platform.memory.reduce((sum, m) => sum + m.size, 0n);
    if (total === 0n) return '-m 1G';
    if (total > MAX_RAM) {
        notes.push(`RAM is ${gib(MAX_RAM)}, enough to boot Linux and compare (the platform has ${gib(total)})`);
        return `-m ${gib(MAX_RAM)}`;
    }
    return `-m ${gib(total)}`;
}

function commandText(binary: string, header: string[], notes: string[], options: string[]): string {
    const lines = header.map((l) => `# ${l}`);
    if (notes.length > 0) lines.push('#', '# What QEMU does not reproduce:', ...notes.map((n) => `#   - ${n}`));
    lines.push(`${binary} \\`, ...options.map((o, i) => `    ${o}${i === options.length - 1 ? '' : ' \\'}`));
    return `${lines.join('\n')}\n`;
}

function binaryOf(platform: Platform): string {
    return platform.arch === 'arm64' ? 'qemu-system-aarch64' : 'qemu-system-x86_64';
}

function hostText(platform: Platform): string {
    const b: Build = { options: [], notes: [], chassis: 1, nextExpanderBus: 0x80 };
    // No default NIC or VGA: they would take root-bus slots the platform's devices need.
    const head = [...machineOptions(platform, b.notes), ramOption(platform, b.notes), '-nographic', '-nic none', ...(platform.arch === 'x86_64' ? ['-vga none'] : [])];
    platform.hostBridges.forEach((hb: HostBridge, i) => {
        if (i === 0) {
            b.notes.push(`host bridge ${hb.name}: QEMU's own (${platform.arch === 'arm64' ? 'virt: ECAM at 0x4010000000, windows at 0x10000000 and 0x8000000000' : 'q35: MMCONFIG at 0xb0000000'}), not the platform's addresses`);
            emitBus(platform, b, hb.functions, undefined, true, false);
            return;
        }
        // QEMU machines have one host bridge; more become PCIe expander bridges on it (pxb-pcie),
        // which Linux finds only through ACPI (UEFI), not through virt's device tree.
        const busNr = b.nextExpanderBus;
        b.nextExpanderBus += 0x10;
        const id = qemuId(hb.name);
        b.notes.push(`host bridge ${hb.name} (segment ${hb.segment ?? '?'}) is built as pxb-pcie ${id} (bus 0x${busNr.toString(16)} of segment 0), visible to Linux with ACPI only`);
        b.options.push(`-device pxb-pcie,id=${id},bus_nr=${busNr},addr=${hex2(BigInt(0x10 + i))}.0`);
        emitBus(platform, b, hb.functions, id, true, false);
    });
    // amd-iommu is itself a PCI function (AMDVI-PCI) in the first free root-bus slot: last, so it
    // takes none the platform's devices need.
    if (platform.arch === 'x86_64' && platform.x86Iommus[0]?.kind === 'amd-vi') {
        b.options.push('-device amd-iommu');
        b.notes.push("the AMD IOMMU is QEMU's amd-iommu, itself a PCI function in the first free root-bus slot");
    }
    return commandText(binaryOf(platform), [`QEMU command line for platform ${platform.name}, written by pciplat: its PCI topology from QEMU's devices.`, 'Add -kernel/-initrd (or firmware) to boot Linux on it and compare with pciplat export groups/tree.'], b.notes, [...head, ...b.options]);
}

function guestText(input: ExportInput): string {
    const { platform } = input;
    const vm = input.guest!;
    const decl = platform.kvm?.vms.find((v) => v.name === vm.name);
    const machine = platform.arch === 'arm64' ? '-machine virt,gic-version=host,accel=kvm' : '-machine q35,accel=kvm';
    // No default VGA or NIC: they would take guest slots 1 and 2, which the simulation may give
    // to assigned devices.
    const options = [machine, '-cpu host', `-m ${decl?.memory !== undefined ? gib(decl.memory) : '1G'}`, ...(decl?.vcpus !== undefined ? [`-smp ${decl.vcpus}`] : []), '-vga none', '-nic none', ...vm.qemuArgs];
    const header = [`QEMU command line for KVM VM ${vm.name} of platform ${platform.name}, written by pciplat from its simulation.`, 'Guest PCI devices (host -> guest SBDF):'];
    for (const dev of vm.devices) {
        const host = input.result.functions.find((f) => f.name === dev);
        const hostText = host && host.bus !== undefined ? `${host.segment.toString(16).padStart(4, '0')}:${hex2(host.bus)}:${hex2(host.device)}.${host.fn}` : '?';
        header.push(`  ${dev}: ${hostText} -> ${vm.guestSbdf[dev] ?? '(no slot)'}`);
    }
    header.push('Add the guest disk, network, display and firmware options you use (at free slots).');
    return commandText(binaryOf(platform), header, [], options);
}

export function qemuText(input: ExportInput): string {
    return input.guest ? guestText(input) : hostText(input.platform);
}
