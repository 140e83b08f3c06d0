// A sysfs snapshot read from a folder on disk: the one IO adapter of sysfs.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Snapshot } from './sysfs.js';

/** Files above this size are not sysfs attributes; reading stops there (bounded input). */
const MAX_FILE = 1 << 20;

export function folderSnapshot(root: string, shown: string): Snapshot {
    const abs = (p: string) => path.join(root, p);
    return {
        list(dir) {
            try {
                return fs.readdirSync(abs(dir));
            } catch {
                return undefined;
            }
        },
        read(file) {
            try {
                const stat = fs.statSync(abs(file));
                if (!stat.isFile()) return undefined;
                const fd = fs.openSync(abs(file), 'r');
                try {
                    const buffer = Buffer.alloc(Math.min(stat.size, MAX_FILE));
                    const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
                    return new Uint8Array(buffer.subarray(0, n));
                } finally {
                    fs.closeSync(fd);
                }
            } catch {
                return undefined;
            }
        },
        link(file) {
            try {
                return fs.readlinkSync(abs(file));
            } catch {
                return undefined;
            }
        },
        display(p) {
            return p === '' ? shown : `${shown.replace(/\/+$/, '')}/${p}`;
        },
    };
}
