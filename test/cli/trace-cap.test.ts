// The trace of a scenario is bounded: a PF that enables 12,288 VFs makes Xen add each of them
// (one PHYSDEVOP_pci_device_add apiece), more events than the trace keeps, and the report says
// how many were left out instead of printing them all (the fuzzer found a 13.9 MB JSON trace).
// The platform is written in a temporary directory, not under test/fixtures: the fuzzer uses the
// fixtures as seeds and one 12,288-VF seed would cost it more than a hundred small ones.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { MAX_TRACE_EVENTS } from '../../src/hypervisor/state.js';
import { loadWithLangium } from '../../language/workspace/loader.js';
import { tempDir } from '../export/helpers.js';
import { capture } from './fixtures.js';

const VFS = 0x3000;

const PLATFORM = `platform many {
  arch arm64
  memory dram at 0x80_0000_0000 size 64G
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 256M
    bus-range 0x00..0xff
    window mem32 at 0x4000_0000 size 512M
    window mem64 prefetch at 0x100_0000_0000 size 1T
    root-port rp0 at 00:01.0 {
      ari-forwarding
      endpoint nic0 at 01:00.0 vendor 0x8086 device 0x10c9 {
        bar 0 mem64 prefetch size 128K
        sriov total-vfs ${VFS} num-vfs 0 offset 1 stride 1 vf-device 0x10ca {
          vf-bar 0 mem64 prefetch size 16K
        }
      }
    }
  }
  xen {
    dom0 { }
  }
  scenario many-vfs {
    boot
    enable-sriov nic0 num-vfs ${VFS}
  }
}
`;

async function simulate(...args: string[]) {
    const dir = tempDir('trace-cap');
    fs.writeFileSync(path.join(dir, 'many.pciplat'), PLATFORM);
    const c = capture(dir);
    const code = await runCli(['simulate', ...args, '--scenario', 'many-vfs', 'many.pciplat'], c.io, loadWithLangium);
    return { code, out: c.out(), err: c.err() };
}

describe('the trace of a scenario', () => {
    it('keeps its first MAX_TRACE_EVENTS events in JSON and counts the rest in traceLeftOut', async () => {
        const r = await simulate('--format', 'json');
        const json = JSON.parse(r.out) as { functions: unknown[]; trace: { event: string; args: Record<string, string> }[]; traceLeftOut?: number };
        // Every VF is still a function of the report: only the trace is cut.
        expect(json.functions).toHaveLength(VFS + 2);
        expect(json.trace).toHaveLength(MAX_TRACE_EVENTS);
        const adds = json.trace.filter((e) => e.event === 'PHYSDEVOP_pci_device_add');
        expect(adds.length).toBeLessThan(VFS);
        // The events kept are the first ones: boot, then the VFs in order.
        expect(json.trace[0]!.event).toBe('xen-boot');
        expect(json.traceLeftOut).toBeGreaterThan(0);
        // The events left out are at least the VFs' device_add events that did not fit.
        expect(json.traceLeftOut!).toBeGreaterThanOrEqual(VFS + 2 - adds.length);
    });

    it('ends the text trace with one line saying how many events were left out', async () => {
        const r = await simulate();
        const trace = r.out.slice(r.out.indexOf('\ntrace:\n') + 1).split('\n\n')[0]!.split('\n').slice(1);
        expect(trace).toHaveLength(MAX_TRACE_EVENTS + 1);
        expect(trace.at(-1)).toMatch(new RegExp(`^ {2}\\.\\.\\. \\d+ more events left out \\(the trace keeps its first ${MAX_TRACE_EVENTS}\\)$`));
        const json = JSON.parse((await simulate('--format', 'json')).out) as { traceLeftOut: number };
        expect(trace.at(-1)).toBe(`  ... ${json.traceLeftOut} more events left out (the trace keeps its first ${MAX_TRACE_EVENTS})`);
    });

    it('is not cut, and has no traceLeftOut, when it is short', async () => {
        const c = capture(path.join(__dirname, '..', '..'));
        await runCli(['simulate', '--format', 'json', '--scenario', 'bringup', 'test/fixtures/hypervisor/tx2.pciplat'], c.io, loadWithLangium);
        const json = JSON.parse(c.out()) as { trace: unknown[]; traceLeftOut?: number };
        expect(json.trace.length).toBeGreaterThan(10);
        expect(json.trace.length).toBeLessThan(MAX_TRACE_EVENTS);
        expect('traceLeftOut' in json).toBe(false);
        expect(c.out()).not.toContain('left out');
    });
});
