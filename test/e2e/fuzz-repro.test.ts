// The reproducers of issue 15 (test/fixtures/fuzz-repro/README.md: where each came from and what
// it did before) through the real `pciplat` command: every one ends with coded findings and the
// documented exit status, never an internal error, a stack trace or an abort.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.join(__dirname, '..', '..', 'bin', 'pciplat.js');
const dir = path.join(__dirname, '..', 'fixtures', 'fuzz-repro');

function pciplat(args: string[], cwd = dir, env: NodeJS.ProcessEnv = {}) {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
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
        // Both functions reach the hypervisor layer: the parent as dup, the child as dup#2. The
        // child's own simulation findings stand behind its language error (one cause, one finding).
        expect(r.stdout).toContain('error: XEN-NO-STREAMID dup (0000:00:01.0, RID 0x8)');
        expect(lines(r.stdout, 'XEN-NO-STREAMID')).toHaveLength(1);
        const s = pciplat(['simulate', '--format', 'json', 'engine-internal-stack-duplicate-name.pciplat']);
        expectClean(s);
        expect((JSON.parse(s.stdout) as { functions: { name: string }[] }).functions.map((f) => f.name)).toEqual(['dup', 'dup#2']);
    });

    it("the fuzzer's partial AST with a duplicate under a root port", () => {
        const r = pciplat(['check', 'engine-internal-stack-hypervisor.pciplat']);
        expectClean(r);
        expect(r.status).toBe(1);
        // It has syntax errors, so the CLI reports them and simulates nothing (as the editor).
        const s = pciplat(['simulate', 'engine-internal-stack-hypervisor.pciplat']);
        expectClean(s);
        expect(s.status).toBe(1);
        expect(s.stderr).toContain('pciplat: engine-internal-stack-hypervisor.pciplat has syntax errors, so it was not simulated');
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
    it('1,000 same-named functions: one finding per later declaration, pointing at the first only, capped at 100', () => {
        const r = pciplat(['check', '--format', 'json', 'quadratic-1000-same-name.pciplat']);
        expectClean(r);
        expect(r.status).toBe(1);
        const findings = (JSON.parse(r.stdout) as { findings: { code: string; message: string; related: unknown[] }[] }).findings;
        const duplicates = findings.filter((f) => f.code === 'LANG-DUPLICATE-NAME');
        expect(duplicates).toHaveLength(100);
        expect(duplicates.every((f) => f.related.length === 1)).toBe(true);
        expect(duplicates[0]!.message).toBe('The name same is declared 1000 times; the first declaration is at line 12, and references to same mean that one.');
        expect(findings.filter((f) => f.code === 'FINDINGS-OMITTED').map((f) => f.message)).toContain(
            '899 more LANG-DUPLICATE-NAME findings on quadratic-1000-same-name.pciplat not shown (the first 100 are reported); they usually share one cause.',
        );
        expect(r.stdout.length).toBeLessThan(1024 * 1024);
    });
});

describe('bounded output: one bad bus-range on a PF with 65,535 VFs', () => {
    it('the bus-range findings, and none for the 65,535 VFs whose PF could not be added', () => {
        // A failed PF add has no consequences downstream (one cause, one finding); the generic
        // cap (FINDINGS-OMITTED) is tested in test/fabric/findings-cap.test.ts.
        const r = pciplat(['check', '--format', 'json', 'amplification-65535-vf-findings.pciplat']);
        expectClean(r);
        expect(r.status).toBe(1);
        const findings = (JSON.parse(r.stdout) as { findings: { code: string }[] }).findings;
        // The range above 0xff is read as 0x00..0xff by the scan: the VFs do not fit there and
        // Linux refuses them (no RID collision among VFs that were never made, and rp0's bus 0x00
        // is not also reported as outside a range already in error).
        expect(findings.map((f) => f.code).sort()).toEqual(['PCI-BUS-RANGE', 'PCI-BUS-RANGE', 'SRIOV-VF-BUS-OUT-OF-RANGE', 'XEN-NO-STREAMID', 'XEN-NO-STREAMID']);
        expect(r.stdout.length).toBeLessThan(256 * 1024);
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
        // Its syntax errors are the answer: a file that does not parse is not simulated.
        const r = pciplat(['simulate', 'engine-internal-division-by-zero.pciplat', '--scenario', 'sriov']);
        expectClean(r);
        expect(r.status).toBe(1);
        expect(r.stdout).toMatch(/ error: LANG-SYNTAX /);
        expect(r.stderr).toContain('has syntax errors, so it was not simulated');
    });
});

/** A chain of `depth` buses below the root bus: a root port, depth-1 bridges, an endpoint. */
function nestedBridges(depth: number): string {
    const lines = ['platform p {', '  arch arm64', '  host-bridge hb {', '    compatible "pci-host-ecam-generic"', '    ecam at 0x3000_0000 size 256M', '    root-port r0 at 00:01.0 {'];
    for (let i = 1; i < depth; i++) lines.push(`      pci-bridge b${i} at 00.0 {`);
    lines.push('      pci-device leaf at 00.0 { bar 0 mem32 size 4K }');
    for (let i = 1; i < depth; i++) lines.push('      }');
    lines.push('    }', '  }', '}', '');
    return lines.join('\n');
}

describe('bug 5: deep nesting parses the same in every process, and an abort leaves no trace', () => {
    it('a legal 255-deep chain of bridges parses in a fresh process (no LANG-PARSE-ABORTED)', () => {
        const r = pciplat(['check', 'valid-255-nested-bridges-parse-aborted.pciplat']);
        expectClean(r);
        expect(r.stdout).not.toMatch(/LANG-PARSE-ABORTED|LANG-TOO-DEEP|LANG-SYNTAX/);
        // Every function of the chain reached the engine: 254 bridges, the root port, the leaf
        // (100 findings shown, the other 156 counted).
        expect(lines(r.stdout, 'error: XEN-NO-STREAMID')).toHaveLength(100);
        expect(r.stdout).toContain('info: FINDINGS-OMITTED 156 more XEN-NO-STREAMID findings on platform p not shown');
    });

    it('the file that used to abort the parser now parses, and the next file gets its own AST', () => {
        // (The abort itself, forced on a short stack, is test/language/parse-guard.test.ts.)
        const r = pciplat(['check', 'deep.pciplat', 'a.pciplat'], path.join(dir, 'parser-state-after-abort'));
        expectClean(r);
        const findings = r.stdout.split('\n').filter((l) => / (error|warning): /.test(l));
        expect(findings.filter((l) => l.startsWith('a.pciplat:')).map((l) => l.split(': ')[0])).toEqual(['a.pciplat:6:17', 'a.pciplat:7:17', 'a.pciplat:8:17']);
        expect(r.stdout).not.toMatch(/LANG-PARSE-ABORTED|LANG-TOO-DEEP/);
    });

    it('blocks 512 deep parse, 513 are LANG-TOO-DEEP at the line where the limit is crossed (the leaf)', () => {
        const dirs = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-deep-'));
        try {
            // platform, host-bridge, root port = 3 blocks, then depth-1 bridges and the leaf.
            fs.writeFileSync(path.join(dirs, 'ok.pciplat'), nestedBridges(509));
            fs.writeFileSync(path.join(dirs, 'deep.pciplat'), nestedBridges(510));
            const ok = pciplat(['check', 'ok.pciplat'], dirs);
            expectClean(ok);
            expect(ok.stdout).not.toMatch(/LANG-TOO-DEEP|LANG-PARSE-ABORTED/);
            expect(ok.stdout).toContain('PCI-BUS-EXHAUSTED');
            const deep = pciplat(['check', 'deep.pciplat'], dirs);
            expectClean(deep);
            expect(deep.status).toBe(1);
            expect(deep.stdout).toBe('deep.pciplat:1:1: error: LANG-TOO-DEEP Blocks nest more than 512 deep at line 516 (a platform with 256 nested buses needs about 260): a `{` is probably never closed. The file was not parsed.\n');
        } finally {
            fs.rmSync(dirs, { recursive: true, force: true });
        }
    });
});

describe('bug 7 and the hang: 20,000 unclosed `platform p {` and 3,000 same-named functions', () => {
    for (const file of ['hang-20000-unclosed-platforms-same-name.pciplat', 'cli-oom-abort-20000-unclosed-platforms.pciplat']) {
        it(`${file}: one LANG-TOO-DEEP finding, exit 1`, () => {
            const r = pciplat(['check', '--format', 'json', file]);
            expectClean(r);
            expect(r.status).toBe(1);
            const findings = (JSON.parse(r.stdout) as { findings: { code: string }[] }).findings;
            expect(findings.map((f) => f.code)).toEqual(['LANG-TOO-DEEP']);
        });
    }

    it('cli-oom-abort-3000-same-name.pciplat: linear findings, exit 1', () => {
        const r = pciplat(['check', '--format', 'json', 'cli-oom-abort-3000-same-name.pciplat']);
        expectClean(r);
        expect(r.status).toBe(1);
        expect(r.stdout.length).toBeLessThan(8 * 1024 * 1024);
    });
});

describe('huge-count: PFs with num-vfs 0xffff whose VFs lie beyond the bus range', () => {
    // The fuzzer repeated such a host bridge 232 times (15 million VFs): each VF was built and
    // carried through the simulation, and 64 copies ended with V8's abort. Linux refuses the
    // enable (sriov_enable), so now no VF is built and each copy costs what its PF costs.
    const fixture = fs.readFileSync(path.join(dir, 'huge-count-vfs-beyond-bus-range.pciplat'), 'utf8');
    const block = fixture.slice(fixture.indexOf('  host-bridge'), fixture.lastIndexOf('}'));

    it('one copy: the refusal, exact', () => {
        const r = pciplat(['check', 'huge-count-vfs-beyond-bus-range.pciplat']);
        expectClean(r);
        expect(r.status).toBe(1);
        expect(lines(r.stdout, 'SRIOV-VF-BUS-OUT-OF-RANGE')).toEqual([
            "huge-count-vfs-beyond-bus-range.pciplat:7:7: error: SRIOV-VF-BUS-OUT-OF-RANGE The last of rc-endpoint nic6's 65535 VFs, nic6.vf[65534], is on bus 0x200 (VFs on buses 0x00-0x200), beyond 0x00, the end of host bridge pcie's bus-range: Linux refuses to enable the VFs.",
        ]);
        const s = pciplat(['simulate', '--format', 'json', 'huge-count-vfs-beyond-bus-range.pciplat']);
        expectClean(s);
        expect((JSON.parse(s.stdout) as { functions: { name: string }[] }).functions.map((f) => f.name)).toEqual(['nic6']);
    });

    it('232 copies: every refusal found (100 shown, the rest counted), bounded output, no abort', () => {
        const copies = Array.from({ length: 232 }, (_, i) =>
            block
                .replace(/\b(pcie|nic6)\b/g, `$1_${i}`)
                .replace('0x100000000', `0x${(0x1_0000_0000 + i * 0x10_0000).toString(16)}`),
        );
        const dirs = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-huge-count-'));
        try {
            fs.writeFileSync(path.join(dirs, 'huge-count-232.pciplat'), `platform p {\n  arch arm64\n${copies.join('')}}\n`);
            const r = pciplat(['check', '--format', 'json', 'huge-count-232.pciplat'], dirs);
            expectClean(r);
            expect(r.status).toBe(1);
            const findings = (JSON.parse(r.stdout) as { findings: { code: string; message: string }[] }).findings;
            const count = (code: string) => findings.filter((f) => f.code === code).length;
            expect([count('SRIOV-VF-BUS-OUT-OF-RANGE'), count('XEN-NO-STREAMID'), count('FINDINGS-OMITTED'), findings.length]).toEqual([100, 100, 2, 202]);
            expect(findings.filter((f) => f.code === 'FINDINGS-OMITTED').map((f) => f.message).sort()).toEqual([
                '132 more SRIOV-VF-BUS-OUT-OF-RANGE findings on platform p not shown (the first 100 are reported); they usually share one cause.',
                '132 more XEN-NO-STREAMID findings on platform p not shown (the first 100 are reported); they usually share one cause.',
            ]);
            expect(r.stdout.length).toBeLessThan(256 * 1024);
        } finally {
            fs.rmSync(dirs, { recursive: true, force: true });
        }
    });
});

describe('huge-count: 71 same-named host bridges with a bus-range above 0xff', () => {
    // The fuzzer's input 115,292 of seed 20261203 (kept as it was found): each copy's bus-range
    // 0x100000000..0x1ffffffff let 65,535 VFs "fit", 4.6 million in all, and the heap ran out.
    // The scan reads a bound above 0xff as its default, so Linux's refusal applies to each PF.
    it('finishes with the language errors and the refusals, bounded output, no abort', () => {
        const r = pciplat(['check', '--format', 'json', 'huge-count-bus-range-above-ff.pciplat']);
        expectClean(r);
        expect(r.status).toBe(1);
        const findings = (JSON.parse(r.stdout) as { findings: { code: string }[] }).findings;
        expect(findings.some((f) => f.code === 'SRIOV-VF-BUS-OUT-OF-RANGE')).toBe(true);
        expect(findings.filter((f) => f.code.endsWith('-INTERNAL') || f.code.endsWith('-OUT-OF-MEMORY'))).toEqual([]);
        expect(r.stdout.length).toBeLessThan(1024 * 1024);
    });
});

describe('the memory ceiling', () => {
    it('one allocation beyond the ceiling (V8 aborts the process) is CLI-OUT-OF-MEMORY too, with no native stack trace', () => {
        // Node gives a worker at its ceiling 16 MiB to stop in; reading a 40 MB file is one larger
        // allocation, which V8 answers by aborting the whole process (exit 134). The supervising
        // process turns that into the coded line.
        const dirs = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-oom-'));
        try {
            fs.writeFileSync(path.join(dirs, 'big.pciplat'), `platform p {\n  arch arm64\n}\n//${'x'.repeat(40 * 1024 * 1024)}\n`);
            const r = pciplat(['check', 'big.pciplat'], dirs, { PCIPLAT_MAX_MEMORY_MB: '16' });
            expectClean(r);
            expect([r.status, r.stdout]).toEqual([2, '']);
            expect(r.stderr).toBe('pciplat: out of memory: the command needed more than its 16 MiB heap ceiling and was stopped; nothing was reported (CLI-OUT-OF-MEMORY). Split the input with `import`, or raise the ceiling with PCIPLAT_MAX_MEMORY_MB.\n');
        } finally {
            fs.rmSync(dirs, { recursive: true, force: true });
        }
    });

    it('a run that needs more than PCIPLAT_MAX_MEMORY_MB ends with CLI-OUT-OF-MEMORY and exit 2, not a V8 abort', () => {
        const r = pciplat(['check', 'valid-230-nested-bridges-ok.pciplat'], dir, { PCIPLAT_MAX_MEMORY_MB: '16' });
        expectClean(r);
        expect(r.status).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe('pciplat: out of memory: the command needed more than its 16 MiB heap ceiling and was stopped; nothing was reported (CLI-OUT-OF-MEMORY). Split the input with `import`, or raise the ceiling with PCIPLAT_MAX_MEMORY_MB.\n');
    });

    it('an unusable ceiling is refused (exit 2)', () => {
        const r = pciplat(['check', 'valid-230-nested-bridges-ok.pciplat'], dir, { PCIPLAT_MAX_MEMORY_MB: 'lots' });
        expect(r.status).toBe(2);
        expect(r.stderr).toBe('pciplat: PCIPLAT_MAX_MEMORY_MB=lots is not a whole number of MiB (at least 1)\n');
    });
});

describe('bounded messages: a 1 MB number literal', () => {
    it('is quoted by a short prefix and its length, as a value and where the grammar wants something else', () => {
        const digits = '1'.repeat(1_000_000);
        const dirs = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-huge-'));
        try {
            fs.writeFileSync(path.join(dirs, 'huge.pciplat'), `platform p {\n  arch arm64\n  memory dram at ${digits} size 1G\n  ${digits}\n}\n`);
            const r = pciplat(['check', 'huge.pciplat'], dirs);
            expectClean(r);
            expect(r.status).toBe(1);
            const quoted = `${'1'.repeat(24)}… (1000000 characters)`;
            expect(r.stdout).toContain(`huge.pciplat:3:18: error: LANG-NUMBER-OVERFLOW ${quoted} does not fit in 64 bits`);
            expect(r.stdout).toContain(`huge.pciplat:4:3: error: LANG-SYNTAX Expected \`}\` but found \`${quoted}\`.`);
            expect(r.stdout.length).toBeLessThan(16 * 1024);
        } finally {
            fs.rmSync(dirs, { recursive: true, force: true });
        }
    });
});

describe('slow: 1,000 functions marked outside-iommu (fuzz seed 20261204, input 489,956)', () => {
    it('is checked with the one contradiction there is, each function reading only the IOMMUs', () => {
        const r = pciplat(['check', 'slow-1000-outside-iommu-functions.pciplat']);
        expectClean(r);
        expect(r.status).toBe(1);
        expect(lines(r.stdout, 'LANG-CONTRADICTORY')).toEqual([expect.stringContaining('LANG-CONTRADICTORY nic2 is marked outside-iommu, but the device scope of IOMMU dmar1 names rp0')]);
    });
});
