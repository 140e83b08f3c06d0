// The editor parses what the CLI parses: a legal 255-deep chain of bridges (fuzz reproducer
// valid-255-nested-bridges-parse-aborted) in a freshly started server, through the real server
// over stdio. On the main thread's ~1 MB stack it was LANG-PARSE-ABORTED; the server now runs on
// a thread with a parser-sized stack (server/main.ts). And the server exits when told to.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtures, type FixtureDir } from './fixtures.js';
import { REPO, TestClient } from './lsp-client.js';

const WAIT = 120_000;
const DEEP = fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'fuzz-repro', 'valid-255-nested-bridges-parse-aborted.pciplat'), 'utf8');

describe('deep nesting in a fresh language server', () => {
    let fx: FixtureDir;
    let client: TestClient;

    beforeAll(async () => {
        fx = writeFixtures();
        client = TestClient.start();
        await client.initialize(fx.ws, { simulationWorkers: 1 });
    });

    afterAll(async () => {
        await client?.stop();
        fx?.remove();
    });

    it('parses the 255-deep chain as the CLI does: simulation findings, no LANG-PARSE-ABORTED', async () => {
        await client.open(fx.lonelyUri, DEEP, 1);
        const published = await client.waitForDiagnostics(fx.lonelyUri, (p) => p.version === 1 && p.diagnostics.some((d) => d.code === 'XEN-NO-STREAMID'), WAIT, 'simulation findings of the deep chain');
        const codes = published.diagnostics.map((d) => d.code);
        expect(codes).not.toContain('LANG-PARSE-ABORTED');
        expect(codes).not.toContain('LANG-SYNTAX');
        expect(codes.filter((c) => c === 'XEN-NO-STREAMID')).toHaveLength(100);
        expect(codes).toContain('FINDINGS-OMITTED');
    });
});
