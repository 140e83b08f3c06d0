// The real `pciplat compare` command (bin/pciplat.js over the compiled out/, as `npm test` builds
// it): its exit statuses on full agreement, on a disagreement, and on bad usage or input, with a
// coded error at the file and line at fault and never a stack trace.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = path.join(__dirname, '..', '..', 'bin', 'pciplat.js');
const fixtures = path.join(__dirname, '..', 'fixtures');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-compare-e2e-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function pciplat(...args: string[]) {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(name: string, content: string | Buffer): string {
    fs.writeFileSync(path.join(dir, name), content);
    return name;
}

const flat = path.join(fixtures, 'oracle', 'flat', 'platform.pciplat');
const flatLoop = path.join(fixtures, 'compare', 'flat', 'loop.txt');

describe('pciplat compare', () => {
    it('exits 0 when every function agrees', () => {
        const r = pciplat('compare', flat, flatLoop);
        expect(r.stdout).toContain('\n6 functions: 6 agree, 0 differ, 0 only predicted, 0 only real\n');
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
    });

    it('exits 1 when a group differs, and says which in JSON', () => {
        // The flat topology's real groups, but nvme0 and ivshmem0 in one group.
        const real = write('merged.txt', fs.readFileSync(flatLoop, 'utf8').replace(/IOMMU Group 4:\n/, ''));
        const r = pciplat('compare', flat, real, '--format', 'json');
        const json = JSON.parse(r.stdout) as { agreement: boolean; summary: object; functions: { sbdf: string; verdict: string; real: { group: number } }[]; groups: { real: { group: number; members: string[] }[] } };
        expect(json.agreement).toBe(false);
        expect(json.summary).toEqual({ functions: 6, agree: 4, differs: 2, onlyPredicted: 0, onlyReal: 0, idsDiffer: 0 });
        const members = (group: number) => json.groups.real.find((g) => g.group === group)?.members;
        expect(json.functions.filter((f) => f.verdict !== 'agree').map((f) => [f.sbdf, members(f.real.group)])).toEqual([
            ['0000:00:03.0', ['0000:00:03.0', '0000:00:04.0']],
            ['0000:00:04.0', ['0000:00:03.0', '0000:00:04.0']],
        ]);
        expect(r.status).toBe(1);
    });

    it('reads a copy of sysfs at any level: sys/, kernel/iommu_groups itself', () => {
        const sys = path.join(fixtures, 'compare', 'legacy', 'sysfs', 'sys');
        const legacy = path.join(fixtures, 'oracle', 'legacy', 'platform.pciplat');
        expect(pciplat('compare', legacy, sys)).toMatchObject({ status: 0, stdout: expect.stringContaining('(sysfs snapshot: 5 groups, listing every PCI function)') });
        expect(pciplat('compare', legacy, path.join(sys, 'kernel', 'iommu_groups'))).toMatchObject({ status: 0, stdout: expect.stringContaining('(sysfs snapshot: 5 groups, listing the PCI functions in a group)') });
    });

    it('exits 2 on a machine without an IOMMU (empty iommu_groups)', () => {
        fs.mkdirSync(path.join(dir, 'noiommu', 'kernel', 'iommu_groups'), { recursive: true });
        const r = pciplat('compare', flat, 'noiommu');
        expect(r.stderr).toBe('noiommu:1:1: error: GROUPS-EMPTY the folder names no PCI function in an IOMMU group: the machine runs without an IOMMU for PCI, so there is nothing to compare\npciplat: noiommu is not a usable listing of IOMMU groups; nothing compared\n');
        expect(r.status).toBe(2);
    });

    it('exits 2 with a coded error at the line for a garbled listing', () => {
        const r = pciplat('compare', flat, write('garbled.txt', 'IOMMU Group 0:\n\t00:00.0 Host bridge\n<html>\n'));
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe("garbled.txt:3:1: error: GROUPS-BAD-LINE line 3 '<html>' is neither an `IOMMU Group N:` line nor a device line\npciplat: garbled.txt is not a usable listing of IOMMU groups; nothing compared\n");
        expect(r.status).toBe(2);
    });

    it('exits 2 for an archive, a missing REAL and bad usage', () => {
        const tar = Buffer.alloc(1024);
        tar.write('ustar', 257, 'latin1');
        expect(pciplat('compare', flat, write('snap.tar', tar))).toMatchObject({ status: 2, stderr: expect.stringContaining('snap.tar:1:1: error: GROUPS-UNRECOGNISED a tar archive, not a listing: unpack it (`tar -xf`) and give the folder\n') });
        expect(pciplat('compare', flat, 'missing.txt')).toMatchObject({ status: 2, stderr: 'pciplat: cannot read missing.txt: no such file (ENOENT)\n' });
        expect(pciplat('compare', flat)).toMatchObject({ status: 2, stderr: "pciplat: compare needs a PLATFORM file and the REAL machine's groups (got 1 argument) (see 'pciplat compare --help')\n" });
        expect(pciplat('compare', flat, flatLoop, '--format', 'sarif')).toMatchObject({ status: 2, stderr: "pciplat: --format must be one of text, json (got 'sarif') (see 'pciplat compare --help')\n" });
    });
});
