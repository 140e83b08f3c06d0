// Past the host bridge's bus-range, against real Linux 6.1 (test/fixtures/oracle-busexhaust: three
// root ports under bus-range 0x00..0x01, booted with oracle-tool): Linux numbers rp2 and rp3 on
// buses 0x02 and 0x03 anyway, logs "busn_res: can not insert", and finds nothing behind them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { enumerate } from '../../src/fabric/enumerate.js';
import { bdf } from '../../src/fabric/ids/pcie-type.js';
import { simulate } from '../../src/engine/simulate.js';
import { platformsFromFile } from '../helpers/platforms.js';

const DIR = path.join(__dirname, '..', 'fixtures', 'oracle-busexhaust');

describe('bus numbers past the bus-range (oracle busexhaust)', () => {
    it('every bridge gets the bus Linux gave it, the functions Linux found are the enumerated ones, and each finding quotes the kernel log', async () => {
        const [platform] = await platformsFromFile(path.join(DIR, 'platform.pciplat'));
        const expected = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as {
            bridges: Record<string, { name: string; secondary: number; subordinate: number }>;
            functionsFound: string[];
            kernelLog: string[];
        };
        const { topology, findings } = enumerate(platform!);
        for (const b of Object.values(expected.bridges)) {
            const f = topology.byName.get(b.name)!;
            expect([b.name, f.secondary, f.subordinate]).toEqual([b.name, BigInt(b.secondary), BigInt(b.subordinate)]);
        }
        const found = topology.functions.filter((f) => f.invisible === undefined).map((f) => bdf(f).replace(/^0000:/, ''));
        expect(found.sort()).toEqual(expected.functionsFound);
        const exhausted = findings.filter((f) => f.code === 'PCI-BUS-EXHAUSTED');
        expect(exhausted.map((f) => f.message.match(/busn_res: can not insert \[bus [0-9a-f-]+\] under \[bus [0-9a-f-]+\]/)![0])).toEqual(
            expected.kernelLog.filter((l) => /can not insert \[bus [0-9a-f]+-/.test(l)).map((l) => l.match(/busn_res: can not insert \[bus [0-9a-f-]+\] under \[bus [0-9a-f-]+\]/)![0]),
        );
    });

    it('the bridges past the range still get the windows Linux gave them, and the groups their numbers', async () => {
        const [platform] = await platformsFromFile(path.join(DIR, 'platform.pciplat'));
        const expected = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as {
            bridges: Record<string, { name: string; windows: Record<string, [string, string]> }>;
            groups: Record<string, number | null>;
        };
        const result = simulate(platform!);
        for (const b of Object.values(expected.bridges)) {
            const windows = result.functions.find((f) => f.name === b.name)!.bridge!.windows;
            expect(Object.fromEntries(windows.map((w) => [w.window, [`0x${w.start.toString(16)}`, `0x${w.end.toString(16)}`]]))).toEqual(b.windows);
        }
        const enumerated = result.functions.filter((f) => f.invisible === undefined);
        expect(Object.fromEntries(enumerated.map((f) => [f.name, f.group]))).toEqual(expected.groups);
    });
});
