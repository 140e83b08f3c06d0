// DMAR device scopes narrower than the segment: a DRHD without INCLUDE_PCI_ALL translates only
// the functions its scopes name (an endpoint scope: that function; a bridge scope: the bridge and
// every bus below it). QEMU's q35 DMAR is such a DRHD (flags 0, one scope per root-bus device), so
// the x86 oracle's own table, imported as it is, must mark nothing (every function got a group
// from Linux); with one bridge scope taken out, the bridge and what is below it are
// `outside-iommu` and lose their groups, and nothing else changes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/engine/simulate.js';
import { importPlatform } from '../../src/import/import-platform.js';
import { printPlatform } from '../../src/import/print.js';
import { folderSnapshot } from '../../src/import/snapshot-fs.js';
import { bdfOf } from '../helpers/oracle-compare.js';
import { platformFromText } from '../helpers/platforms.js';
import { snapshotFromDump } from '../helpers/sysfs-snapshot.js';
import type { Expected } from './oracle-import.test.js';

const DIR = path.join(__dirname, '..', 'fixtures', 'import', 'legacy', 'x86');
const read = (f: string) => fs.readFileSync(path.join(DIR, f), 'utf8');
const expected = JSON.parse(read('expected.json')) as Expected;
const sysfs = snapshotFromDump(read('linux.txt'));

async function importWith(dmar: string) {
    const imported = importPlatform({
        name: 'legacy',
        acpi: { mcfg: { file: 'MCFG.dsl', text: read('MCFG.dsl') }, dsdt: { file: 'DSDT.dsl', text: read('DSDT.dsl') }, dmar: { file: 'DMAR.dsl', text: dmar } },
        sysfs: folderSnapshot(sysfs, 'sysfs'),
    });
    const text = printPlatform(imported.platform, { comments: imported.comments, header: [] });
    const result = simulate(await platformFromText(text), { profile: 'kvm' });
    return { text, groups: new Map(result.functions.map((f) => [bdfOf(f), f.group])), noGroup: new Map(result.functions.map((f) => [bdfOf(f), f.noGroup])) };
}

/** The DMAR text without the device scope entry of `type` (01 endpoint, 02 bridge) whose PCI Path is `pathText`. */
function withoutScope(text: string, type: string, pathText: string): string {
    const lines = text.split('\n');
    const starts = lines.map((l, i) => [l, i] as const).filter(([l]) => l.includes('Device Scope Type')).map(([, i]) => i);
    for (let k = 0; k < starts.length; k++) {
        const [from, to] = [starts[k]!, starts[k + 1] ?? lines.length];
        const entry = lines.slice(from, to);
        if (entry[0]!.includes(`Device Scope Type : ${type}`) && entry.some((l) => l.includes(`PCI Path : ${pathText}`))) return [...lines.slice(0, from), ...lines.slice(to)].join('\n');
    }
    throw new Error(`no ${type} scope ${pathText}`);
}

describe('DMAR device scopes (the x86 legacy oracle: q35 + VT-d)', () => {
    it("QEMU's DRHD lists every root-bus device: nothing is outside, every group is Linux's", async () => {
        const { text, groups } = await importWith(read('DMAR.dsl'));
        expect(text).toContain('DMAR DRHD for segment 0, device scopes 00:00.0, 00:01.0 (bridge)');
        expect(text).not.toMatch(/^\s*outside-iommu$/m);
        expect(expected.functions.map((f) => `${f.bdf} ${groups.get(f.bdf)}`)).toEqual(expected.functions.map((f) => `${f.bdf} ${f.group}`));
    });

    it('without the bridge scope of 00:03.0, the bridge and its child 05:01.0 are outside-iommu, with no group; the rest keep theirs', async () => {
        const { text, groups, noGroup } = await importWith(withoutScope(read('DMAR.dsl'), '02', '03,00'));
        expect(text.split('\n').filter((l) => /^\s*outside-iommu$/.test(l))).toHaveLength(2);
        expect(text).toContain('outside-iommu: no dmar0 (DMAR.dsl) device entry or scope covers it, so Linux gives it no IOMMU group');
        const outside = ['0000:00:03.0', '0000:05:01.0'];
        for (const bdf of outside) {
            expect(groups.get(bdf)).toBeNull();
            expect(noGroup.get(bdf)).toMatch(/outside-iommu/);
        }
        // The others keep their groups (numbers close up: the outside functions take none).
        const inside = expected.functions.filter((f) => !outside.includes(f.bdf));
        expect(inside.every((f) => groups.get(f.bdf) !== null)).toBe(true);
        const members = (g: Map<string, number | null>) => {
            const by = new Map<number, string[]>();
            for (const f of inside) by.set(g.get(f.bdf)!, [...(by.get(g.get(f.bdf)!) ?? []), f.bdf]);
            return [...by.values()].map((m) => m.join(' ')).sort();
        };
        expect(members(groups)).toEqual(members(new Map(expected.functions.map((f) => [f.bdf, f.group]))));
    });

    it('an endpoint scope covers only its function: without 00:00.0 only the host bridge function is outside', async () => {
        const { text, groups } = await importWith(withoutScope(read('DMAR.dsl'), '01', '00,00'));
        expect(text.split('\n').filter((l) => /^\s*outside-iommu$/.test(l))).toHaveLength(1);
        expect(groups.get('0000:00:00.0')).toBeNull();
        expect(groups.get('0000:00:01.0')).not.toBeNull();
    });
});
