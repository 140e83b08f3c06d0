// A sysfs snapshot read straight from a tarball made by the real GNU tar (as docs/import.md's
// command makes it: `tar czf snapshot.tgz snapshot`), in its ustar, GNU and pax formats and
// gzip-compressed or not: the import equals the one from the folder. A garbled or cut archive
// is IMPORT-SYSFS-LAYOUT.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importText } from '../../src/cli/import-sources.js';
import { ImportError } from '../../src/import/errors.js';
import { readSysfs } from '../../src/import/sysfs.js';
import { tarSnapshot } from '../../src/import/snapshot-tar.js';
import { snapshotFromDump } from '../helpers/sysfs-snapshot.js';

const oracle = path.join(__dirname, '..', 'fixtures', 'import', 'switch', 'dt');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-tar-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.copyFileSync(path.join(oracle, 'machine.dts'), path.join(dir, 'machine.dts'));
// A top folder name longer than ustar's 100-byte name field, so GNU and pax need their long-name records.
const longTop = `snapshot-${'x'.repeat(120)}`;
for (const top of ['snapshot', longTop]) snapshotFromDump(fs.readFileSync(path.join(oracle, 'linux.txt'), 'utf8'), path.join(dir, top));

function tar(args: string[]): number | null {
    return spawnSync('tar', args, { cwd: dir, encoding: 'utf8' }).status;
}
const made = {
    'snapshot.tgz': tar(['czf', 'snapshot.tgz', 'snapshot']),
    'snapshot.tar': tar(['cf', 'snapshot.tar', 'snapshot']),
    'ustar.tar': tar(['--format=ustar', '-cf', 'ustar.tar', 'snapshot']),
    'gnu-long.tar': tar(['--format=gnu', '-cf', 'gnu-long.tar', longTop]),
    'pax-long.tar.gz': tar(['--format=pax', '-czf', 'pax-long.tar.gz', longTop]),
    'flat.tar': tar(['-C', 'snapshot', '-cf', 'flat.tar', 'bus']),
};

const body = (t: string) => t.split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n');

describe('sysfs snapshot from a tarball', async () => {
    const folder = await importText({ dt: 'machine.dts', sysfs: 'snapshot' }, 'switch', dir);

    it('the real tar made every archive', () => {
        expect(made).toEqual(Object.fromEntries(Object.keys(made).map((k) => [k, 0])));
    });

    it.each(Object.keys(made))('%s imports to the same platform as the folder', async (archive) => {
        const fromTar = await importText({ dt: 'machine.dts', sysfs: archive }, 'switch', dir);
        expect(body(fromTar.text)).toEqual(body(folder.text));
        expect(fromTar.notes).toEqual(folder.notes.map((n) => n));
    });

    it('keeps the driver and iommu_group links and names files inside the archive in comments', async () => {
        const fromTar = await importText({ dt: 'machine.dts', sysfs: 'snapshot.tgz' }, 'switch', dir);
        expect(fromTar.text).toContain('snapshot.tgz:bus/pci/devices/0000:05:00.0/config');
        const facts = readSysfs(tarSnapshot(new Uint8Array(fs.readFileSync(path.join(dir, 'snapshot.tgz'))), 'snapshot.tgz'));
        expect(facts.find((f) => f.bus === 5n)?.driver).toBe('nvme');
        expect(facts.every((f) => f.iommuGroup !== undefined)).toBe(true);
    });

    const code = (bytes: Uint8Array) => {
        try {
            readSysfs(tarSnapshot(bytes, 'bad.tar'));
            return 'ok';
        } catch (error) {
            return error instanceof ImportError ? `${error.code} ${error.message}` : `CRASH ${String(error)}`;
        }
    };

    it('a cut, garbled or foreign file is IMPORT-SYSFS-LAYOUT, never a crash', () => {
        const tarBytes = new Uint8Array(fs.readFileSync(path.join(dir, 'snapshot.tar')));
        const tgz = new Uint8Array(fs.readFileSync(path.join(dir, 'snapshot.tgz')));
        const header = tarBytes.slice();
        header[10] = header[10]! ^ 0x20;
        expect(code(header)).toMatch(/^IMPORT-SYSFS-LAYOUT not a readable tar archive at byte 0: header checksum does not match/);
        expect(code(tarBytes.slice(0, 5000))).toMatch(/^IMPORT-SYSFS-LAYOUT not a readable tar archive at byte \d+: entry of \d+ bytes runs past the end \(truncated\)/);
        let last = tarBytes.length - 1;
        while (last > 0 && tarBytes[last] === 0) last--;
        // Cut right after the last entry's data: every block whole, but no end-of-archive blocks.
        expect(code(tarBytes.slice(0, Math.ceil((last + 1) / 512) * 512))).toMatch(/^IMPORT-SYSFS-LAYOUT not a readable tar archive at byte \d+: no end-of-archive blocks \(truncated\)/);
        expect(code(tgz.slice(0, tgz.length >> 1))).toMatch(/^IMPORT-SYSFS-LAYOUT gzip data that cannot be unpacked/);
        expect(code(new TextEncoder().encode('0000:00:00.0 Host bridge\n'.repeat(40)))).toMatch(/^IMPORT-SYSFS-LAYOUT neither a folder nor a tar archive/);
        const results = Array.from({ length: 60 }, (_, i) => {
            const b = tarBytes.slice();
            const at = (i * 7919) % b.length;
            b[at] = b[at]! ^ 0x5a;
            return code(b);
        });
        expect(results.filter((r) => r.startsWith('CRASH'))).toEqual([]);
    });
});
