// `export xl`: each Xen domain of the examples gets a complete xl.cfg that a strict reader of
// xl's syntax accepts, that matches its golden file (reviewed against xl.cfg(5) and
// xl-pci-configuration(5); rewrite with UPDATE_GOLDEN=1 and review the diff), and whose pci
// entries are the simulated host SBDFs and guest slots.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/engine/simulate.js';
import { sbdf } from '../../src/hypervisor/format.js';
import { PciIds } from '../../src/pci-ids/index.js';
import { platformsFromFile } from '../helpers/platforms.js';
import { exportOf, FIXTURES } from './helpers.js';
import { readXlConfig, readXlPci, XlSyntaxError, type XlValue } from './xl-reader.js';

const golden = path.join(FIXTURES, 'export', 'xl');
const examples = path.join(__dirname, '..', '..', 'examples');

describe('the strict xl.cfg reader', () => {
    it('reads settings, strings, numbers, lists over lines, comments and ;', () => {
        const cfg = readXlConfig(`# c\nname = "a" ; vcpus=0x2\nmemory = 512 # MiB\npci = [\n  "00:01.0",   # one\n  '0000:02:00.*,vslot=0x3'\n]\n`);
        expect([...cfg]).toEqual([
            ['name', 'a'],
            ['vcpus', 2n],
            ['memory', 512n],
            ['pci', ['00:01.0', '0000:02:00.*,vslot=0x3']],
        ]);
    });

    it.each([
        ['name = "a"\nname = "b"\n', 'line 2: name set twice'],
        ['colour = "red"\n', 'line 1: colour is not a key of xl.cfg(5)'],
        ['name = "a\n', 'line 1: unterminated string'],
        ['name "a"\n', "line 1: expected '=' after name"],
        ['pci = [ "a" "b" ]\n', "line 1: expected ',' or ']' in a list"],
        ['memory = 512 1024\n', 'line 1: expected the end of the line after memory'],
        ['memory = lots\n', 'line 1: expected a value, found "lots\\n"'],
    ])('rejects %j', (text, message) => {
        expect(() => readXlConfig(text)).toThrow(new XlSyntaxError(message));
    });

    it('reads pci strings by xl-pci-configuration(5) and rejects what xl rejects', () => {
        expect(readXlPci('0000:03:10.1,vslot=0x6,rdm_policy=strict')).toEqual({ domain: 0, bus: 3, device: 0x10, fn: 1, options: new Map([['vslot', '0x6'], ['rdm_policy', 'strict']]) });
        for (const bad of ['03:10', '0000:03:20.0', '03:00.8', '03:00.0,vslot=0x20', '03:00.*', '03:00.0,rombar=0', '03:00.0,permissive=yes'])
            expect(() => readXlPci(bad), bad).toThrow(XlSyntaxError);
    });
});

const names = new PciIds();
const cases: [string, string][] = [];
for (const file of fs.readdirSync(examples).filter((f) => f.endsWith('.pciplat')).sort()) {
    const text = fs.readFileSync(path.join(examples, file), 'utf8');
    if (!/^\s*xen\s*\{/m.test(text)) continue;
    for (const m of text.matchAll(/^\s*domain (\w+)( dom0less)? \{/gm)) if (!m[2]) cases.push([file, m[1]!]);
}

describe.each(cases)('examples/%s, domain %s', async (file, domain) => {
    const [platform] = await platformsFromFile(path.join(examples, file));
    const text = exportOf('xl', platform!, names, { domain });
    const result = simulate(platform!);
    const guest = result.domains.find((d) => d.name === domain)!;

    it('matches its golden file', () => {
        const goldenFile = path.join(golden, `${file.replace(/\.pciplat$/, '')}.${domain}.cfg`);
        if (process.env.UPDATE_GOLDEN) fs.writeFileSync(goldenFile, text);
        expect(text).toBe(fs.readFileSync(goldenFile, 'utf8'));
    });

    it("reads as xl.cfg, naming the domain's simulated devices and guest slots", () => {
        const cfg = readXlConfig(text);
        expect(cfg.get('name')).toBe(domain);
        expect(['pv', 'pvh', 'hvm']).toContain(cfg.get('type'));
        const pci = (cfg.get('pci') ?? []) as XlValue[];
        expect(pci.length).toBe(guest.devices.length);
        for (const spec of pci) {
            const entry = readXlPci(spec as string);
            const host = result.functions.find((f) => f.bus !== undefined && sbdf(f.segment, f.bus, (f.device << 3n) | f.fn) === (spec as string).split(',')[0]);
            expect(host, spec as string).toBeDefined();
            const slot = guest.guestSbdf[host!.name]!;
            expect(parseInt(entry.options.get('vslot')!, 16), spec as string).toBe(parseInt(slot.slice(8, 10), 16));
        }
    });
});

describe('non-PCI devices of an xl domain', async () => {
    const [platform] = await platformsFromFile(path.join(__dirname, '..', 'fixtures', 'check', 'platform-passthrough-ok.pciplat'));
    const text = exportOf('xl', platform!, new PciIds(), { domain: 'store' });

    it('become dtdev (the node) and iomem (host page, pages @ guest page)', () => {
        const cfg = readXlConfig(text);
        expect(cfg.get('dtdev')).toEqual(['/sdhc0@40100000']);
        expect(cfg.get('iomem')).toEqual(['40100,10@a000']);
    });
});
