// Which QEMU device builds which PCI function: QEMU's own models by the IDs they report (so a
// platform that describes QEMU hardware gets the same hardware back), and stand-ins chosen by
// what the function needs (SR-IOV: nvme; a large prefetchable BAR: pci-testdev,membar=).
// IDs as QEMU 7.2 reports them (hw/net/e1000*.c, hw/virtio/virtio-pci.c, hw/nvme/ctrl.c,
// hw/misc/ivshmem.c, hw/net/rtl8139.c, hw/pci-bridge/*.c, hw/misc/pci-testdev.c).
import type { PciFunction } from '../model/platform.js';

export interface Model {
    driver: string;
    /** Options that make the model match the description (e.g. `disable-modern=on`). */
    options: string[];
    /** What the model does not reproduce, for the comment above the command line. */
    differs?: string;
    /** Backends it needs: `-blockdev`/`-object`/`-device nvme-subsys` options, given its QEMU id. */
    backends?: (id: string) => string[];
}

const NULL_DISK = (id: string) => [`-blockdev driver=null-co,node-name=${id}-disk,read-zeroes=on,size=67108864`];

/** The models QEMU has with the IDs they report. */
const BY_ID: Record<string, (f: PciFunction, onPciePort: boolean) => Model> = {
    '8086:10d3': () => ({ driver: 'e1000e', options: [] }),
    '8086:100e': () => ({ driver: 'e1000', options: [] }),
    '10ec:8139': () => ({ driver: 'rtl8139', options: [] }),
    // Transitional virtio (legacy + modern) reports 0x1000/0x1001; without the modern BAR it is
    // legacy-only (disable-modern=on). Below a PCIe port QEMU defaults to modern-only.
    '1af4:1000': (f, port) => ({ driver: 'virtio-net-pci', options: virtioTransitional(f, port) }),
    '1af4:1001': (f, port) => ({ driver: 'virtio-blk-pci', options: [...virtioTransitional(f, port)], backends: NULL_DISK }),
    '1af4:1041': (_f, port) => ({ driver: 'virtio-net-pci', options: port ? [] : ['disable-legacy=on'] }),
    '1af4:1042': (_f, port) => ({ driver: 'virtio-blk-pci', options: port ? [] : ['disable-legacy=on'], backends: NULL_DISK }),
    '1af4:1044': (_f, port) => ({ driver: 'virtio-rng-pci', options: port ? [] : ['disable-legacy=on'] }),
    '1af4:1110': (f) => ({ driver: 'ivshmem-plain', options: [], backends: (id) => [`-object memory-backend-ram,id=${id}-mem,size=${sharedMemorySize(f)},share=on`] }),
    '1b36:0010': () => ({ driver: 'nvme', options: [], backends: NULL_DISK }),
};

function virtioTransitional(f: PciFunction, onPciePort: boolean): string[] {
    const modern = f.bars.some((b) => b.kind === 'mem64' && b.prefetchable);
    if (!modern) return ['disable-modern=on'];
    return onPciePort ? ['disable-legacy=off'] : [];
}

/** ivshmem's shared memory is its BAR 2. */
function sharedMemorySize(f: PciFunction): bigint {
    return f.bars.find((b) => b.index === 2)?.size ?? 1n << 20n;
}

function hex4(v: bigint | undefined): string {
    return v === undefined ? '????' : v.toString(16).padStart(4, '0');
}

function sizeOption(size: bigint): string {
    for (const [unit, suffix] of [
        [1n << 30n, 'G'],
        [1n << 20n, 'M'],
        [1n << 10n, 'K'],
    ] as const)
        if (size >= unit && size % unit === 0n) return `${size / unit}${suffix}`;
    return size.toString();
}

/** QEMU's NVMe SR-IOV limits (hw/nvme/ctrl.c nvme_check_params): flexible queues and vectors per VF. */
function nvmeSriov(f: PciFunction): Model {
    const vfs = f.sriov!.totalVfs > 127n ? 127n : f.sriov!.totalVfs;
    const differs = f.sriov!.totalVfs > 127n ? `${f.name}: QEMU's nvme offers at most 127 VFs (the description: ${f.sriov!.totalVfs})` : undefined;
    return {
        driver: 'nvme',
        options: [`sriov_max_vfs=${vfs}`, `sriov_vq_flexible=${2n * vfs}`, `sriov_vi_flexible=${vfs}`, `max_ioqpairs=${2n * vfs + 2n}`, `msix_qsize=${vfs + 1n}`],
        backends: (id) => [`-device nvme-subsys,id=${id}-subsys,nqn=${id}`],
        differs,
    };
}

/** The QEMU device for an endpoint (any kind that is not a bridge). */
export function endpointModel(f: PciFunction, onPciePort: boolean): Model {
    const key = `${hex4(f.vendor)}:${hex4(f.device)}`;
    const known = BY_ID[key];
    if (known) return known(f, onPciePort);
    const what = `${f.name} (${key})`;
    if (f.sriov) {
        const m = nvmeSriov(f);
        return { ...m, options: [...m.options], differs: [`${what} is built as QEMU's nvme, which has SR-IOV: its IDs, class and BARs are nvme's`, m.differs].filter(Boolean).join('; ') };
    }
    if (((f.classCode ?? 0n) >> 8n) === 0x0108n) {
        return { driver: 'nvme', options: [], backends: NULL_DISK, differs: `${what} is built as QEMU's nvme (same class): its IDs and BARs are nvme's` };
    }
    const pref = f.bars.filter((b) => b.kind === 'mem64' && b.prefetchable).sort((a, b) => (a.size > b.size ? -1 : 1))[0];
    if (pref && pref.size >= 4096n) {
        return { driver: 'pci-testdev', options: [`membar=${sizeOption(pref.size)}`], differs: `${what} is built as pci-testdev with its largest prefetchable BAR (${sizeOption(pref.size)}, as BAR 2); its other BARs and IDs are pci-testdev's` };
    }
    return { driver: 'pci-testdev', options: [], differs: `${what} is built as pci-testdev: its IDs and BARs are pci-testdev's` };
}
