// A sysfs snapshot folder built from an oracle dump (linux.txt: per function its sysfs links, the
// resource file and a hex dump of the config file), laid out as /sys is and as the command in
// docs/import.md copies it: bus/pci/devices/DDDD:BB:DD.F/{config, resource, driver ->,
// iommu_group ->}. The import reads it like a real machine's.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface DumpedFunction {
    bdf: string;
    config: Uint8Array;
    resource: string;
    driverLink?: string;
    groupLink?: string;
    physfnLink?: string;
}

export function parseOracleDump(text: string): DumpedFunction[] {
    const out: DumpedFunction[] = [];
    let current: DumpedFunction | undefined;
    let mode: 'none' | 'resource' | 'config' = 'none';
    let hex: string[] = [];
    let resource: string[] = [];
    for (const line of text.split('\n')) {
        if (line.startsWith('FUNC ')) {
            current = { bdf: line.slice(5).trim(), config: new Uint8Array(), resource: '' };
        } else if (!current) continue;
        else if (line === 'ENDFUNC') {
            out.push(current);
            current = undefined;
        } else if (line === 'RESOURCE-BEGIN') {
            mode = 'resource';
            resource = [];
        } else if (line === 'RESOURCE-END') {
            mode = 'none';
            current.resource = `${resource.join('\n')}\n`;
        } else if (line === 'CONFIG-BEGIN') {
            mode = 'config';
            hex = [];
        } else if (line === 'CONFIG-END') {
            mode = 'none';
            current.config = Uint8Array.from(hex.join(' ').trim().split(/\s+/).filter((w) => w !== '').map((w) => parseInt(w, 16)));
        } else if (mode === 'resource') resource.push(line);
        else if (mode === 'config') hex.push(line);
        else if (line.startsWith('driver_link ')) current.driverLink = line.slice(12).trim();
        else if (line.startsWith('iommu_group_link ')) current.groupLink = line.slice(17).trim();
        else if (line.startsWith('physfn_link ')) current.physfnLink = line.slice(12).trim();
    }
    return out;
}

/** Writes the snapshot into a fresh temporary folder and returns its path. */
export function snapshotFromDump(text: string, into = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-sysfs-'))): string {
    for (const f of parseOracleDump(text)) {
        const dir = path.join(into, 'bus', 'pci', 'devices', f.bdf);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, 'config'), f.config);
        fs.writeFileSync(path.join(dir, 'resource'), f.resource);
        if (f.driverLink) fs.symlinkSync(f.driverLink, path.join(dir, 'driver'));
        if (f.groupLink) fs.symlinkSync(f.groupLink, path.join(dir, 'iommu_group'));
        // An SR-IOV VF (the import computes it from its PF, as docs/import.md's command keeps the link).
        if (f.physfnLink) fs.symlinkSync(f.physfnLink, path.join(dir, 'physfn'));
    }
    return into;
}
