// An `lspci -vvv -nn -xxxx` listing of an oracle topology, made by the real lspci: the config
// bytes of linux.txt written as an `lspci -xxxx` dump and decoded with `lspci -F` (pciutils).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseOracleDump } from './sysfs-snapshot.js';

export function xxxxDump(linuxTxt: string): string {
    const out: string[] = [];
    for (const f of parseOracleDump(linuxTxt)) {
        out.push(`${f.bdf} dump`);
        for (let i = 0; i < f.config.length; i += 16) {
            const row = [...f.config.slice(i, i + 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
            out.push(`${i.toString(16).padStart(i < 256 ? 2 : 3, '0')}: ${row}`);
        }
        out.push('');
    }
    return out.join('\n');
}

/** Runs the real `lspci -vvv -nn -D -xxxx -F DUMP`. */
export function realLspciListing(linuxTxt: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-lspci-'));
    const dump = path.join(dir, 'dump.txt');
    fs.writeFileSync(dump, xxxxDump(linuxTxt));
    const r = spawnSync('lspci', ['-vvv', '-nn', '-D', '-xxxx', '-F', dump], { encoding: 'utf8', timeout: 60_000 });
    fs.rmSync(dir, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`lspci -F failed (is pciutils installed?): ${r.error?.message ?? r.stderr}`);
    return r.stdout;
}
