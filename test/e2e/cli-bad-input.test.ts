// The real `pciplat` command (bin/pciplat.js over the compiled out/, as `npm test` builds it) on
// the bad inputs users will feed it: every case ends with a coded message and the documented
// exit status, never a stack trace.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = path.join(__dirname, '..', '..', 'bin', 'pciplat.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-e2e-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return name;
}

function pciplat(...args: string[]) {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectNoStackTrace(r: { stdout: string; stderr: string }) {
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
}

const GOOD = `platform p {
  arch arm64
  its gits0 at 0x801_0002_0000 device-id-bits 20
  smmu smmu0 v3 at 0x4000_0000 stream-id-bits 16
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M
    bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x0
    msi-map rid 0x0 count 0x1000 -> gits0 0x0
    root-port rp0 at 00:01.0 {
      endpoint nic0 at 01:00.0 { bar 0 mem32 size 16K }
    }
  }
}
`;

describe('pciplat on bad input', () => {
    it('a good file checks clean (exit 0)', () => {
        const r = pciplat('check', write('good.pciplat', GOOD));
        expect(r.stdout).toBe('');
        expect(r.status).toBe(0);
    });

    it('a truncated file: syntax errors with file:line:col and exit 1', () => {
        const r = pciplat('check', write('truncated.pciplat', GOOD.slice(0, GOOD.indexOf('root-port') + 12)));
        expect(r.status).toBe(1);
        expect(r.stdout).toMatch(/^truncated\.pciplat:\d+:\d+: error: LANG-SYNTAX /m);
        expectNoStackTrace(r);
    });

    it('random bytes: refused as not text (exit 2)', () => {
        const bytes = Buffer.alloc(4096);
        for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256;
        const r = pciplat('check', write('random.pciplat', bytes));
        expect(r.status).toBe(2);
        expect(r.stderr).toContain('pciplat: cannot read random.pciplat: not a text file');
        expect(r.stderr).toContain('LANG-NOT-TEXT');
        expectNoStackTrace(r);
    });

    it('a 100k-line broken file: capped syntax errors, exit 1', () => {
        const lines = ['platform big {', '  arch arm64'];
        for (let i = 0; i < 100_000; i++) lines.push(i % 3 === 0 ? `  endpoint e${i} at 00:01.0 { bar 0 mem32 size 4K` : i % 3 === 1 ? '  ) ) } at at ->' : '  window mem64 ;');
        const r = pciplat('check', write('huge.pciplat', lines.join('\n')));
        expect(r.status).toBe(1);
        const syntax = r.stdout.split('\n').filter((l) => l.includes(': error: LANG-SYNTAX '));
        expect(syntax.length).toBe(101); // 100 errors and one line saying how many more
        expect(syntax.at(-1)).toMatch(/more syntax errors not shown \(first 100 reported\)\.$/);
        expectNoStackTrace(r);
    });

    it('a missing import: LANG-IMPORT-NOT-FOUND at the import, exit 1', () => {
        const r = pciplat('check', write('imports-missing.pciplat', `import "nowhere.pciplat"\n${GOOD}`));
        expect(r.status).toBe(1);
        expect(r.stdout).toContain('imports-missing.pciplat:1:8: error: LANG-IMPORT-NOT-FOUND Cannot read "nowhere.pciplat": no readable file at that path relative to this file.');
    });

    it('a file that imports itself: LANG-IMPORT-SELF, exit 1', () => {
        const r = pciplat('check', write('self.pciplat', `import "self.pciplat"\n${GOOD}`));
        expect(r.status).toBe(1);
        expect(r.stdout).toContain('self.pciplat:1:8: error: LANG-IMPORT-SELF "self.pciplat" is this file: a file cannot import itself.');
    });

    it('a file that does not exist: exit 2', () => {
        const r = pciplat('check', 'absent.pciplat');
        expect(r.status).toBe(2);
        expect(r.stderr).toContain('pciplat: cannot read absent.pciplat: no such file (ENOENT)');
    });

    it('bad usage: exit 2 with a pointer to --help', () => {
        const r = pciplat('simulate');
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/--help/);
    });
});
