// What the server shows for text that does not parse (docs/language-server.md, "Text that does
// not parse"), with the real engine, against the CLI's own findings: on parsable text the
// diagnostics equal `pciplat check`'s; on unparsable text the language part equals the CLI's on
// that text and the simulation part is the CLI's simulation findings of the last parsable text.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliView, difference, sameSet, serverView } from '../soak/compare.js';
import { fileUri, REPO, TestClient, WAIT } from './lsp-client.js';

describe('text that does not parse', () => {
    let dir: string;
    let client: TestClient;
    let file: string;
    let uri: string;
    const good = fs.readFileSync(path.join(REPO, 'examples', 'x86-pvh.pciplat'), 'utf8');
    const broken = good.replace(/\}\s*$/, '  host-bridge {{{ (\n}\n');

    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-unparsable-'));
        file = path.join(dir, 'board.pciplat');
        uri = fileUri(file);
        client = TestClient.start();
        await client.initialize(dir, { simulationWorkers: 1, systemPciIds: false });
    });

    afterAll(async () => {
        await client?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const converged = (expected: { language: Set<string>; simulation: Set<string> }, what: string) =>
        client
            .waitFor(() => {
                const seen = serverView(client, [uri]);
                return sameSet(seen.language, expected.language) && sameSet(seen.simulation, expected.simulation) ? true : undefined;
            }, WAIT, what)
            .catch(() => {
                const seen = serverView(client, [uri]);
                throw new Error(`${what}: ${JSON.stringify({ language: difference(expected.language, seen.language), simulation: difference(expected.simulation, seen.simulation) })}`);
            });

    it('shows the CLI findings of parsable text, then the language findings of broken text with the last simulation findings', async () => {
        fs.writeFileSync(file, good);
        const goodView = await cliView(file);
        expect(goodView.unparsable).toBe(false);
        expect(goodView.simulation.size).toBeGreaterThan(0); // the example teaches two simulation findings
        await client.open(uri, good, 1);
        await converged(goodView, 'the CLI findings of the good text');

        fs.writeFileSync(file, broken);
        const brokenView = await cliView(file);
        expect(brokenView.unparsable).toBe(true);
        await client.change(uri, broken, 2);
        await converged({ language: brokenView.language, simulation: goodView.simulation }, 'the broken text');
        expect([...serverView(client, [uri]).language].some((k) => k.includes('|LANG-SYNTAX|'))).toBe(true);

        await client.change(uri, good, 3);
        await converged(goodView, 'the good text again');
    });
});
