// Names for imported functions, from what they are: the class code (pci.ids's class table)
// for endpoints, the port kind for bridges. Counted per prefix in bus order (nvme0, nvme1), and
// a later function of a multi-function device that is something else than its function 0 is
// named after it (gpu0 and its HD-audio function gpu0audio).
import type { FunctionKind } from '../model/platform.js';

const BRIDGE_PREFIX: Partial<Record<FunctionKind, string>> = {
    'root-port': 'rp',
    'switch-upstream': 'usp',
    'downstream-port': 'dsp',
    'pcie-pci-bridge': 'pcibr',
    'pci-bridge': 'ppb',
    'pci-pcie-bridge': 'pciebr',
};

/** Base class → prefix, with sub-class refinements (PCI Code and ID Assignment Specification). */
const CLASS_PREFIX: Record<number, string | Record<number, string>> = {
    0x01: { 0x00: 'scsi', 0x01: 'ide', 0x04: 'raid', 0x06: 'sata', 0x07: 'sas', 0x08: 'nvme', [-1]: 'storage' },
    0x02: { 0x07: 'ib', [-1]: 'nic' },
    0x03: 'gpu',
    0x04: { 0x03: 'audio', [-1]: 'media' },
    0x05: 'mem',
    0x06: { 0x00: 'host', 0x01: 'isa', [-1]: 'bridge' },
    0x07: { 0x00: 'serial', [-1]: 'comm' },
    0x08: { 0x06: 'iommu', [-1]: 'sys' },
    0x09: 'input',
    0x0c: { 0x03: 'usb', 0x04: 'fc', 0x05: 'smbus', 0x07: 'ipmi', [-1]: 'serialbus' },
    0x0d: 'wireless',
    0x10: 'crypto',
    0x11: 'dsp',
    0x12: 'accel',
    0x13: 'instr',
};

export function namePrefix(kind: FunctionKind, classCode: bigint | undefined): string {
    const bridge = BRIDGE_PREFIX[kind];
    if (bridge) return bridge;
    if (classCode === undefined) return 'dev';
    const base = Number((classCode >> 16n) & 0xffn);
    const sub = Number((classCode >> 8n) & 0xffn);
    const entry = CLASS_PREFIX[base];
    if (entry === undefined) return 'dev';
    if (typeof entry === 'string') return entry;
    return entry[sub] ?? entry[-1] ?? 'dev';
}

export class Namer {
    private readonly counters = new Map<string, number>();
    constructor(private readonly taken: Set<string>) {}

    /** A fresh name `PREFIXn`, or `OWNERsuffix` for a companion function of a named device. */
    next(prefix: string, owner?: { name: string; prefix: string }): string {
        if (owner && owner.prefix !== prefix) {
            const companion = `${owner.name}${prefix}`;
            if (!this.taken.has(companion)) {
                this.taken.add(companion);
                return companion;
            }
        }
        for (;;) {
            const n = this.counters.get(prefix) ?? 0;
            this.counters.set(prefix, n + 1);
            const name = `${prefix}${n}`;
            if (!this.taken.has(name)) {
                this.taken.add(name);
                return name;
            }
        }
    }
}
