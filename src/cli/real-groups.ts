// Reading REAL, the real machine's IOMMU groups, for `pciplat compare` and the editor's compare:
// the IO half of src/import/iommu-groups.ts. A file is a listing (loop or find output); a folder
// is a sysfs snapshot, walked without following links and within bounds.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { finding } from '../findings/finding.js';
import { MAX_LISTING_CHARS, MAX_SNAPSHOT_ENTRIES, readGroupsSnapshot, readGroupsText, type RealGroups, type SnapshotEntry } from '../import/iommu-groups.js';

/** Deeper than any copy of /sys/bus/pci/devices or /sys/kernel/iommu_groups a user makes. */
const MAX_DEPTH = 24;

function failed(uri: string, message: string, code: 'GROUPS-UNRECOGNISED' | 'GROUPS-TOO-LARGE' = 'GROUPS-UNRECOGNISED'): RealGroups {
    return { form: 'loop', functions: [], listsUngrouped: false, otherDevices: 0, findings: [finding(code, message, { uri, start: { line: 0, character: 0 }, end: { line: 0, character: 0 } })] };
}

/**
 * Reads the file or folder at `file` (absolute). Throws only when it cannot be read at all (the
 * error's `code`: ENOENT, EACCES…); everything about its content is a finding.
 */
export async function readRealGroups(file: string): Promise<RealGroups> {
    const stat = await fs.stat(file);
    const uri = pathToFileURL(file).href;
    if (stat.isDirectory()) return readGroupsSnapshot(await walk(file), uri);
    if (stat.size > MAX_LISTING_CHARS) return failed(uri, `the file has ${stat.size} bytes; pciplat reads listings of at most ${MAX_LISTING_CHARS}`, 'GROUPS-TOO-LARGE');
    const bytes = await fs.readFile(file);
    if (bytes.length > 262 && bytes.subarray(257, 262).toString('latin1') === 'ustar') return failed(uri, 'a tar archive, not a listing: unpack it (`tar -xf`) and give the folder');
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) return failed(uri, 'a gzip-compressed file, not a listing: unpack it (`tar -xzf` or `gunzip`) and give the folder or file');
    if (bytes.includes(0)) return failed(uri, 'a binary file (it holds NUL bytes), not a listing of IOMMU groups');
    return readGroupsText(bytes.toString('utf8'), uri);
}

/**
 * Every entry below `root` (relative paths), links read, `iommu_group` files' first line read.
 * A live sysfs (or a whole copy of one: a folder with kernel/iommu_groups, or sys/ holding it) is
 * walked only where the groups are, kernel/iommu_groups and bus/pci/devices, so that
 * `pciplat compare board.pciplat /sys` works on the machine itself.
 */
async function walk(root: string): Promise<SnapshotEntry[]> {
    const entries: SnapshotEntry[] = [];
    let level: string[] = [''];
    for (const sysfs of ['', 'sys']) {
        const groups = path.join(root, sysfs, 'kernel', 'iommu_groups');
        if (!(await isDirectory(groups))) continue;
        const prefix = sysfs === '' ? '' : `${sysfs}/`;
        level = [`${prefix}kernel/iommu_groups`, ...((await isDirectory(path.join(root, sysfs, 'bus', 'pci', 'devices'))) ? [`${prefix}bus/pci/devices`] : [])];
        entries.push(...level.map((p): SnapshotEntry => ({ path: p, kind: 'dir' })));
        break;
    }
    for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
        const next: string[] = [];
        for (const dir of level) {
            let children: import('node:fs').Dirent[];
            try {
                children = await fs.readdir(path.join(root, dir), { withFileTypes: true });
            } catch {
                continue; // an unreadable folder inside the snapshot holds nothing we can use
            }
            for (const child of children) {
                const rel = dir === '' ? child.name : `${dir}/${child.name}`;
                const full = path.join(root, rel);
                if (child.isSymbolicLink()) entries.push({ path: rel, kind: 'link', target: await fs.readlink(full).catch(() => '') });
                else if (child.isDirectory()) {
                    entries.push({ path: rel, kind: 'dir' });
                    next.push(rel);
                } else entries.push({ path: rel, kind: 'file', ...(child.name === 'iommu_group' ? { target: await firstLine(full) } : {}) });
                // One more than the limit is enough for the reader to refuse the folder.
                if (entries.length > MAX_SNAPSHOT_ENTRIES) return entries;
            }
        }
        level = next;
    }
    return entries;
}

async function firstLine(file: string): Promise<string> {
    try {
        const handle = await fs.open(file, 'r');
        try {
            const buffer = Buffer.alloc(4096);
            const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
            return buffer.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '';
        } finally {
            await handle.close();
        }
    } catch {
        return '';
    }
}

async function isDirectory(p: string): Promise<boolean> {
    try {
        return (await fs.lstat(p)).isDirectory();
    } catch {
        return false;
    }
}
