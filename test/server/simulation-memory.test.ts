// The simulation workers' heap ceiling, through the real server over stdio with the real engine:
// a platform whose simulation needs more than PCIPLAT_MAX_MEMORY_MB (here one PF enabling 65,024
// VFs under a 32 MiB ceiling) ends as one ENGINE-OUT-OF-MEMORY diagnostic on the platform, the
// server keeps serving, and the next text is simulated by a fresh worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtures, type FixtureDir } from './fixtures.js';
import { messageOf, TestClient } from './lsp-client.js';

const WAIT = 120_000;
// 65,024 VFs that Linux does create (buses 0x00 to 0xfe of the root bus's range): about 290 MB
// of simulation, far over 32 MiB.
const MANY_VFS = `platform p {
  arch arm64
  host-bridge pcie0 {
    ecam at 0x3000_0000 size 256M
    bus-range 0x00..0xff
    window mem64 prefetch at 0x80_0000_0000 size 64G
    rc-endpoint nic6 at 00:00.0 {
      sriov total-vfs 0xfe00 num-vfs 0xfe00 offset 1 stride 1
    }
  }
}
`;
const FEW_VFS = MANY_VFS.replace('total-vfs 0xfe00 num-vfs 0xfe00', 'total-vfs 4 num-vfs 2');

describe('simulation worker memory ceiling', () => {
    let fx: FixtureDir;
    let client: TestClient;

    beforeAll(async () => {
        fx = writeFixtures();
        client = TestClient.start({ PCIPLAT_MAX_MEMORY_MB: '32' });
        await client.initialize(fx.ws, { simulationWorkers: 1 });
    });

    afterAll(async () => {
        await client?.stop();
        fx?.remove();
    });

    it('turns exhaustion into ENGINE-OUT-OF-MEMORY on the platform, then simulates the next text', async () => {
        await client.open(fx.lonelyUri, MANY_VFS, 1);
        const stopped = await client.waitForDiagnostics(fx.lonelyUri, (p) => p.diagnostics.some((d) => d.code === 'ENGINE-OUT-OF-MEMORY'), WAIT, 'the out-of-memory diagnostic');
        const oom = stopped.diagnostics.find((d) => d.code === 'ENGINE-OUT-OF-MEMORY')!;
        expect(messageOf(oom)).toBe(
            "pciplat's simulation of platform p needed more than the simulation worker's 32 MiB heap ceiling and was stopped; hovers and lenses show the last successful run. Raise the ceiling with PCIPLAT_MAX_MEMORY_MB in the server's environment.",
        );
        expect(oom.range.start).toEqual({ line: 0, character: 9 });
        await client.change(fx.lonelyUri, FEW_VFS, 2);
        const next = await client.waitForDiagnostics(fx.lonelyUri, (p) => p.version === 2 && p.diagnostics.some((d) => d.code === 'XEN-NO-STREAMID'), WAIT, 'diagnostics of the smaller platform');
        expect(next.diagnostics.map((d) => d.code)).not.toContain('ENGINE-OUT-OF-MEMORY');
    });
});
