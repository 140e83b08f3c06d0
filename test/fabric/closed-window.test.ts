// `window … none`: a bridge window the machine had closed (Linux could not assign it, or nothing
// needed it). The simulation sizes it as Linux would, never assigns it, and says so when
// something below needs it (the finding Linux's "can't assign" stands for); with nothing below
// needing it, nothing is said. Pinned on the real pxb UEFI oracle in test/import/oracle-import.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/engine/simulate.js';
import { platformFromText } from '../helpers/platforms.js';
import { buildTexts, diagnosticsOf } from '../helpers/workspace.js';

function platform(rp1: string, child: string): string {
    return `platform p {
  arch arm64
  memory dram at 0x4000_0000 size 1G
  host-bridge pcie0 segment 0 {
    ecam at 0x4010_0000_00 size 256M
    bus-range 0x00..0xff
    window mem32 at 0x1000_0000 size 0x2eff_0000
    window io at 0x3eff_0000 size 0x10000 pci 0x0
    root-port rp1 at 01.0 vendor 0x1b36 device 0x000c class 0x060400 {
${rp1}
      endpoint nic0 at 00.0 vendor 0x8086 device 0x10d3 class 0x020000 {
        bar 0 mem32 size 0x20000
${child}
      }
    }
  }
}
`;
}

describe('window … none', () => {
    it('keeps the io window closed and reports the I/O BAR below that needs it, at the written line', async () => {
        const text = platform('      window io none', '        bar 2 io size 0x20');
        const result = simulate(await platformFromText(text), { profile: 'kvm' });
        const line = text.split('\n').findIndex((l) => l.includes('window io none'));
        const found = result.findings.map((f) => ({ code: f.code, severity: f.severity, line: f.loc?.start.line, message: f.message }));
        expect(found).toEqual([
            {
                code: 'PCI-RESOURCE-NO-SPACE',
                severity: 'warning',
                line,
                message:
                    'The io window of root-port rp1 (io, size 0x1000) is written closed (`window … none`: the machine had it unassigned), so it is not placed: what below root-port rp1 needs I/O space from it stays unassigned, as Linux left it.',
            },
        ]);
        const rp1 = result.functions.find((f) => f.name === 'rp1')!;
        expect(rp1.bridge?.windows.map((w) => w.window)).toEqual(['mem']);
        expect(result.functions.find((f) => f.name === 'nic0')!.bars.find((b) => b.index === 2)?.address ?? null).toBeNull();
    });

    it('is quiet when nothing below needs the closed window, and the window stays closed', async () => {
        const result = simulate(await platformFromText(platform('      window io none', '')), { profile: 'kvm' });
        expect(result.findings).toEqual([]);
        expect(result.functions.find((f) => f.name === 'rp1')!.bridge?.windows.map((w) => w.window)).toEqual(['mem']);
    });

    it('without it the simulation opens the io window the I/O BAR needs', async () => {
        const result = simulate(await platformFromText(platform('', '        bar 2 io size 0x20')), { profile: 'kvm' });
        expect(result.findings).toEqual([]);
        expect(result.functions.find((f) => f.name === 'rp1')!.bridge?.windows.map((w) => w.window)).toEqual(['io', 'mem']);
    });

    it('a window written both closed and open is given twice', async () => {
        const { roots } = await buildTexts({ 'p.pciplat': platform('      window io none\n      window io 0x1000..0x1fff', '') });
        expect(diagnosticsOf(roots[0]!).map((d) => String(d.code))).toContain('LANG-DUPLICATE-PROPERTY');
    });
});
