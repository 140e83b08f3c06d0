// A sysfs snapshot: a folder laid out like /sys, holding for each function
// bus/pci/devices/DDDD:BB:DD.F/{config, resource, driver ->, iommu_group ->, physfn ->}
// and optionally kernel/iommu_groups/N/devices/DDDD:BB:DD.F. The most exact source: the whole
// configuration space as the device answers it, and the sizes and addresses the kernel uses.
// Pure: the command layer gives a Snapshot that reads its files (a folder on disk, a tarball).
import { ConfigSpaceError, decodeConfigSpace } from './config-space.js';
import { ImportError } from './errors.js';
import { factsFromConfig, type FunctionFacts, type ResourceLine } from './facts.js';

export interface Snapshot {
    /** Entry names of a folder (path relative to the snapshot root), or undefined when it is none. */
    list(dir: string): string[] | undefined;
    read(file: string): Uint8Array | undefined;
    /** The target of a symbolic link, or undefined when `file` is not one. */
    link(file: string): string | undefined;
    /** How the user names `path` in messages (the snapshot's own name joined with it). */
    display(path: string): string;
}

const BDF = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/;

/** The folder holding the functions: bus/pci/devices, or the root itself when it holds them. */
function devicesDir(snapshot: Snapshot): string | undefined {
    for (const dir of ['bus/pci/devices', 'sys/bus/pci/devices', '']) {
        const entries = snapshot.list(dir);
        if (entries?.some((e) => BDF.test(e))) return dir;
    }
    return undefined;
}

const join = (...parts: string[]) => parts.filter((p) => p !== '').join('/');
const basename = (p: string) => p.replace(/\/+$/, '').split('/').pop() ?? '';

export function parseResourceFile(text: string, file: string): ResourceLine[] {
    const lines = text.split('\n');
    const out: ResourceLine[] = [];
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!.trim();
        if (line === '') continue;
        const m = /^(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)$/i.exec(line);
        if (!m) throw new ImportError('IMPORT-SYSFS-LAYOUT', file, i + 1, `'${line.slice(0, 60)}' is not a resource line (three 0x numbers: start, end, flags)`);
        out.push({ start: BigInt(m[1]!), end: BigInt(m[2]!), flags: BigInt(m[3]!) });
    }
    return out;
}

/** Every physical function of the snapshot (VFs are computed from their PF's SR-IOV registers). */
export function readSysfs(snapshot: Snapshot): FunctionFacts[] {
    const dir = devicesDir(snapshot);
    if (dir === undefined) {
        throw new ImportError('IMPORT-SYSFS-LAYOUT', snapshot.display(''), 0, 'no bus/pci/devices/DDDD:BB:DD.F folders: not a sysfs snapshot (see docs/import.md for the command that makes one)');
    }
    const groups = groupsFromKernelDir(snapshot);
    const out: FunctionFacts[] = [];
    for (const entry of (snapshot.list(dir) ?? []).filter((e) => BDF.test(e)).sort()) {
        const m = BDF.exec(entry)!;
        const where = { segment: BigInt(`0x${m[1]}`), bus: BigInt(`0x${m[2]}`), device: BigInt(`0x${m[3]}`), fn: BigInt(`0x${m[4]}`) };
        const base = join(dir, entry);
        if (snapshot.link(join(base, 'physfn')) !== undefined) continue;
        const configPath = join(base, 'config');
        const bytes = snapshot.read(configPath);
        if (!bytes) throw new ImportError('IMPORT-SYSFS-LAYOUT', snapshot.display(base), 0, `${entry} has no config file`);
        let config;
        try {
            config = decodeConfigSpace(bytes);
        } catch (error) {
            if (error instanceof ConfigSpaceError) throw new ImportError('IMPORT-CONFIG-BYTES', snapshot.display(configPath), 0, `${entry}: ${error.message}`);
            throw error;
        }
        const resourcePath = join(base, 'resource');
        const resourceBytes = snapshot.read(resourcePath);
        const resources = resourceBytes && parseResourceFile(new TextDecoder().decode(resourceBytes), snapshot.display(resourcePath));
        const facts = factsFromConfig(where, config, resources, { file: snapshot.display(configPath), line: 0 });
        if (!resources) facts.unknown.push('BAR sizes (no resource file)');
        const driver = snapshot.link(join(base, 'driver'));
        if (driver !== undefined) facts.driver = basename(driver);
        const group = snapshot.link(join(base, 'iommu_group'));
        const groupNumber = group !== undefined ? Number(basename(group)) : groups.get(entry);
        if (groupNumber !== undefined && Number.isInteger(groupNumber)) facts.iommuGroup = groupNumber;
        out.push(facts);
    }
    return out;
}

function groupsFromKernelDir(snapshot: Snapshot): Map<string, number> {
    const groups = new Map<string, number>();
    for (const root of ['kernel/iommu_groups', 'sys/kernel/iommu_groups']) {
        for (const g of snapshot.list(root) ?? []) {
            if (!/^\d+$/.test(g)) continue;
            for (const d of snapshot.list(join(root, g, 'devices')) ?? []) if (BDF.test(d)) groups.set(d, Number(g));
        }
    }
    return groups;
}
