// The settings the VS Code client sends (`pciplat.profile`, `pciplat.simulateOn`, in
// `initializationOptions` and `workspace/didChangeConfiguration`), the `pciplat/simulationStatus`
// notification and the owners in `pciplat/topology`, through the real server over stdio with the
// real engine. Needs the compiled server: `npx tsc -p tsconfig.json`. Every wait is for an event
// (with a generous bound); nothing measures time.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { ServerStatsResult, TopologyFunction, TopologyResult } from '../../server/protocol.js';
import { fileUri, REPO, TestClient, type Published, type StatusLog, WAIT } from './lsp-client.js';


/** nic0 (RID 0x100) is outside the iommu-map when `count` is 0x100; acc0 (RID 0x10) is inside. */
function platform(count: string, extra = ''): string {
    return `platform board {
  arch arm64
  memory dram at 0x1_0000_0000 size 4G
  its gits0 at 0x801_0002_0000 device-id-bits 20
  smmu smmu0 v3 at 0x4000_0000 stream-id-bits 20
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 256M
    bus-range 0x00..0xff
    window mem32 at 0x4000_0000 size 512M
    iommu-map rid 0x0000 count ${count} -> smmu0 0x0000
    msi-map rid 0x0000 count 0x10000 -> gits0 0x0000
    root-port rp0 at 00:01.0 {
      endpoint nic0 at 01:00.0 vendor 0x8086 device 0x10c9 { bar 0 mem32 size 16K }
    }
    rc-endpoint acc0 at 00:02.0 vendor 0x1af4 device 0x1041 { bar 0 mem32 size 16K }
  }
  xen {
    domain guest1 { memory 2G assign acc0 }
${extra}  }
}
`;
}

const UNMAPPED = platform('0x100');
const simulated = (d: Diagnostic) => (d.data as { source?: string } | undefined)?.source === 'simulation';
const has = (p: Published, code: string, fromSimulation = true) => p.diagnostics.some((d) => d.code === code && simulated(d) === fromSimulation);

function workspace(text: string): { dir: string; uri: string; remove: () => void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-settings-'));
    const file = path.join(dir, 'board.pciplat');
    fs.writeFileSync(file, text);
    return { dir, uri: fileUri(file), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function findFunction(result: TopologyResult, name: string): TopologyFunction | undefined {
    const visit = (fns: TopologyFunction[]): TopologyFunction | undefined => {
        for (const f of fns) {
            if (f.name === name) return f;
            const below = visit(f.children);
            if (below) return below;
        }
        return undefined;
    };
    for (const p of result.platforms) for (const hb of p.hostBridges) {
        const found = visit(hb.functions);
        if (found) return found;
    }
    return undefined;
}

/** A `running` status after `after`, then an `idle` one after it. */
function runningThenIdle(client: TestClient, after: number): [StatusLog, StatusLog] | undefined {
    const running = client.statuses.find((s) => s.seq > after && s.params.state === 'running');
    if (!running) return undefined;
    const idle = client.statuses.find((s) => s.seq > running.seq && s.params.state === 'idle');
    return idle ? [running, idle] : undefined;
}

describe('pciplat.profile, simulation status, topology owners', () => {
    let client: TestClient;
    let ws: ReturnType<typeof workspace>;

    beforeAll(async () => {
        if (!fs.existsSync(path.join(REPO, 'out', 'server', 'main.js'))) throw new Error('compile the server first: npx tsc -p tsconfig.json');
        ws = workspace(UNMAPPED);
        client = TestClient.start();
        await client.initialize(ws.dir, { systemPciIds: false, simulationWorkers: 1, profile: 'kvm', simulateOn: 'type' });
        await client.open(ws.uri, UNMAPPED, 1);
    });

    afterAll(async () => {
        await client?.stop();
        ws?.remove();
    });

    it('simulates with the profile of the initialization options (kvm: no Xen finding)', async () => {
        const p = await client.waitForDiagnostics(ws.uri, (p) => p.version === 1 && has(p, 'MAP-RID-UNMAPPED'), WAIT, 'MAP-RID-UNMAPPED under kvm');
        expect(has(p, 'XEN-NO-STREAMID')).toBe(false);
    });

    it('reports running, then idle with the counts and the last run', async () => {
        const [running, idle] = await client.waitFor(() => runningThenIdle(client, 0), WAIT, 'running → idle');
        expect(running.params.platforms).toBeGreaterThanOrEqual(1);
        expect(idle.params.platforms).toBe(1);
        expect(idle.params.findings).toBeGreaterThanOrEqual(1);
        expect(typeof idle.params.lastRunMs).toBe('number');
        expect(Number.isNaN(Date.parse(idle.params.finishedAt ?? ''))).toBe(false);
    });

    it('re-runs with a profile from workspace/didChangeConfiguration (arm-design: the Xen finding)', async () => {
        const before = client.statuses.at(-1)?.seq ?? 0;
        await client.configure({ profile: 'arm-design', simulateOn: 'type' });
        const p = await client.waitForDiagnostics(ws.uri, (p) => has(p, 'XEN-NO-STREAMID'), WAIT, 'XEN-NO-STREAMID under arm-design');
        expect(has(p, 'MAP-RID-UNMAPPED')).toBe(false);
        // The re-run was announced, and its end too.
        const [, idle] = await client.waitFor(() => runningThenIdle(client, before), WAIT, 'running → idle after the change');
        expect(idle.params.findings).toBeGreaterThanOrEqual(1);
    });

    it('gives each function its owner in pciplat/topology', async () => {
        await client.waitForDiagnostics(ws.uri, (p) => has(p, 'XEN-NO-STREAMID'), WAIT, 'the arm-design result');
        const topology = await client.request<TopologyResult>('pciplat/topology', { uri: ws.uri });
        expect(topology.platforms[0]!.simulated).toBe(true);
        expect(findFunction(topology, 'acc0')?.owner).toBe('guest1');
        expect(findFunction(topology, 'nic0')?.owner).toBe('dom0');
    });

    it('goes back to kvm and back to the platform profile', async () => {
        await client.configure({ profile: 'kvm' });
        await client.waitForDiagnostics(ws.uri, (p) => has(p, 'MAP-RID-UNMAPPED') && !has(p, 'XEN-NO-STREAMID'), WAIT, 'kvm again');
        // `platform`: the platform's own profile, Xen on Arm (arm-design) for its xen block.
        await client.configure({ profile: 'platform' });
        await client.waitForDiagnostics(ws.uri, (p) => has(p, 'XEN-NO-STREAMID') && !has(p, 'MAP-RID-UNMAPPED'), WAIT, 'the platform profile');
    });
});

describe('pciplat.simulateOn: save', () => {
    let client: TestClient;
    let ws: ReturnType<typeof workspace>;

    beforeAll(async () => {
        ws = workspace(UNMAPPED);
        client = TestClient.start();
        await client.initialize(ws.dir, { systemPciIds: false, simulationWorkers: 1, simulateOn: 'save' });
        await client.open(ws.uri, UNMAPPED, 1);
    });

    afterAll(async () => {
        await client?.stop();
        ws?.remove();
    });

    it('simulates the opened (saved) text', async () => {
        await client.waitForDiagnostics(ws.uri, (p) => p.version === 1 && has(p, 'XEN-NO-STREAMID'), WAIT, 'XEN-NO-STREAMID on open');
    });

    it('keeps the last simulation findings across edits while language findings follow them; simulates on save', async () => {
        // Map every RID (no more XEN-NO-STREAMID once simulated) and add an unresolved reference.
        const fixed = platform('0x10000', '    domain guest2 { memory 1G assign missing_fn }\n');
        const from = client.published.length;
        await client.change(ws.uri, fixed, 2);
        const edited = await client.waitForDiagnostics(ws.uri, (p) => p.version === 2 && has(p, 'LANG-UNRESOLVED', false), WAIT, 'language diagnostics of version 2');
        expect(has(edited, 'XEN-NO-STREAMID')).toBe(true);
        const stats = await client.request<ServerStatsResult>('pciplat/serverStats', {});
        expect(stats.deferredUntilSave).toBeGreaterThanOrEqual(1);
        fs.writeFileSync(path.join(ws.dir, 'board.pciplat'), fixed);
        await client.save(ws.uri);
        const saved = await client.waitForDiagnostics(ws.uri, (p) => !has(p, 'XEN-NO-STREAMID'), WAIT, 'the simulation of the saved text');
        expect(has(saved, 'LANG-UNRESOLVED', false)).toBe(true);
        // Until then, every publish of the file kept the old simulation finding.
        const between = client.published.slice(from).filter((p) => p.uri === ws.uri && p.seq < saved.seq);
        expect(between.length).toBeGreaterThan(0);
        for (const p of between) expect(has(p, 'XEN-NO-STREAMID')).toBe(true);
    });

    it('simulates every edit again once the setting is back to type', async () => {
        await client.configure({ simulateOn: 'type' });
        await client.change(ws.uri, UNMAPPED, 3);
        await client.waitForDiagnostics(ws.uri, (p) => p.version === 3 && has(p, 'XEN-NO-STREAMID'), WAIT, 'XEN-NO-STREAMID without a save');
    });
});
