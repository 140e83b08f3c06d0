// The reproducers of issue 15 (test/fixtures/fuzz-repro/README.md: where each came from and what
// it did before) through the real `pciplat` command: every one ends with coded findings and the
// documented exit status, never an internal error, a stack trace or an abort.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.join(__dirname, '..', '..', 'bin', 'pciplat.js');
const dir = path.join(__dirname, '..', 'fixtures', 'fuzz-repro');

function pciplat(args: string[], cwd = dir) {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Nothing internal leaked: no engine/language crash finding, no "internal error", no stack trace. */
function expectClean(r: ReturnType<typeof pciplat>) {
    const all = r.stdout + r.stderr;
    expect(r.signal).toBeNull();
    expect(all).not.toMatch(/ENGINE-INTERNAL|LANG-INTERNAL|internal error/);
    expect(all).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    expect(all).not.toMatch(/FATAL ERROR|Native stack trace/);
}

const lines = (text: string, code: string) => text.split('\n').filter((l) => l.includes(` ${code} `));

describe('bug 1: a function named like its parent', () => {
    it('is simulated under a unique key (dup#2), not walked forever', () => {
        const r = pciplat(['check', 'engine-internal-stack-duplicate-name.pciplat']);
        expectClean(r);
        expect(r.status).toBe(1);
        expect(lines(r.stdout, 'LANG-DUPLICATE-NAME')).toHaveLength(1);
        // Both functions reach the hypervisor layer: the parent as dup, the child as dup#2.
        expect(r.stdout).toContain('error: XEN-NO-STREAMID dup (0000:00:01.0, RID 0x8)');
        expect(r.stdout).toContain('error: XEN-NO-STREAMID dup#2 (0000:01:00.0, RID 0x100)');
    });

    it("the fuzzer's partial AST with a duplicate under a root port", () => {
        const r = pciplat(['check', 'engine-internal-stack-hypervisor.pciplat']);
        expectClean(r);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain('XEN-NO-STREAMID nvme1#2 (0000:02:00.0');
    });
});

describe('bug 3: `kvm { host-driver }` without a function', () => {
    for (const command of ['check', 'simulate']) {
        it(`${command}: a syntax error, lowering does not throw`, () => {
            const r = pciplat([command, 'lower-crash-kvm-host-driver-without-device.pciplat']);
            expectClean(r);
            expect(r.status).toBe(1);
            expect(r.stdout).toMatch(/^lower-crash-kvm-host-driver-without-device\.pciplat:3:21: error: LANG-SYNTAX /m);
        });
    }
});

describe('bug 6: LANG-DUPLICATE-NAME is linear', () => {
    it('1,000 same-named functions: 999 findings, each pointing at the first declaration only', () => {
        const r = pciplat(['check', '--format', 'json', 'quadratic-1000-same-name.pciplat']);
        expectClean(r);
        expect(r.status).toBe(1);
        const findings = (JSON.parse(r.stdout) as { findings: { code: string; message: string; related: unknown[] }[] }).findings;
        const duplicates = findings.filter((f) => f.code === 'LANG-DUPLICATE-NAME');
        expect(duplicates).toHaveLength(999);
        expect(duplicates.every((f) => f.related.length === 1)).toBe(true);
        expect(duplicates[0]!.message).toBe('The name same is declared 1000 times; the first declaration is at line 12, and references to same mean that one.');
    });
});

describe('bug 2: an out-of-range ID width never reaches a shift unguarded', () => {
    it('device-id-bits 0x40000000: LANG-VALUE-RANGE at the value, the ID analysis still runs', () => {
        const r = pciplat(['check', 'engine-internal-bigint-device-id-bits.pciplat']);
        expectClean(r);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain('engine-internal-bigint-device-id-bits.pciplat:3:42: error: LANG-VALUE-RANGE device-id-bits 1073741824 of ITS its0 is out of range: GITS_TYPER holds 1 to 32 bits.');
        expect(r.stdout).toContain('XEN-NO-STREAMID e (0000:00:01.0, RID 0x8)');
    });

    it("the fuzzer's partial AST: device-id-bits 2^63-1 on an ITS the parser recovered", () => {
        const r = pciplat(['check', 'engine-internal-bigint-ids.pciplat']);
        expectClean(r);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain('engine-internal-bigint-ids.pciplat:1:59: error: LANG-VALUE-RANGE device-id-bits 9223372036854775807 of ITS its0 is out of range: GITS_TYPER holds 1 to 32 bits.');
    });

    it('an SMMU whose version the parser lost is checked as the v3 it is lowered as', () => {
        const r = pciplat(['check', 'smmu-without-version-huge-stream-id-bits.pciplat']);
        expectClean(r);
        expect(r.stdout).toContain('smmu-without-version-huge-stream-id-bits.pciplat:3:44: error: LANG-VALUE-RANGE stream-id-bits 4294967296 of SMMU smmu0 is out of range: an SMMUv3 has 1 to 32 StreamID bits (IDR1.SIDSIZE).');
    });
});

describe('bug 4: relocating a size-0 BAR', () => {
    it('is refused with a reason (HV-RELOCATE-INVALID), not a division by zero', () => {
        const r = pciplat(['simulate', 'engine-internal-division-by-zero-relocate-bar-size0.pciplat', '--scenario', 'move']);
        expectClean(r);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain('engine-internal-division-by-zero-relocate-bar-size0.pciplat:9:24: error: HV-RELOCATE-INVALID relocate-bar xhci BAR 0 to 0xc0010000: BAR 0 has size 0: it decodes no addresses, so there is nothing to move');
        expect(r.stdout).toContain('PCI-BAR-SIZE-MIN BAR 0 of rc-endpoint xhci has size 0x0');
    });

    it("the fuzzer's partial AST (scenario sriov)", () => {
        const r = pciplat(['simulate', 'engine-internal-division-by-zero.pciplat', '--scenario', 'sriov']);
        expectClean(r);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain('error: HV-RELOCATE-INVALID relocate-bar xhci BAR 0 to 0x0: BAR 0 has size 0');
    });
});
