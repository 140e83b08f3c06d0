// Import → print → import again gives the same model: the printed text says everything the
// importer found, and the language reads it back to exactly that (locations aside).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importPlatform, type ImportSources } from '../../src/import/import-platform.js';
import { readLspci } from '../../src/import/lspci.js';
import { printPlatform } from '../../src/import/print.js';
import { folderSnapshot } from '../../src/import/snapshot-fs.js';
import { platformFromText } from '../helpers/platforms.js';
import { snapshotFromDump } from '../helpers/sysfs-snapshot.js';

const fixtures = path.join(__dirname, '..', 'fixtures', 'import');
const topologies = fs.readdirSync(fixtures).filter((d) => fs.existsSync(path.join(fixtures, d, 'dt', 'expected.json')));

/** The model without where it was written: plain values only, keys sorted. */
export function withoutLocations(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(withoutLocations);
    if (value && typeof value === 'object') {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value).sort()) {
            const v = (value as Record<string, unknown>)[key];
            if (key === 'loc' || key === 'nameLoc' || key === 'busNumbersLoc' || key === 'compatibleLoc' || v === undefined) continue;
            out[key] = withoutLocations(v);
        }
        return out;
    }
    return value;
}

const ACPI_FILES = { mcfg: 'MCFG.dsl', madt: 'APIC.dsl', iort: 'IORT.dsl', dmar: 'DMAR.dsl', dsdt: 'DSDT.dsl' } as const;

function sources(topology: string, flavour: string): ImportSources {
    const dir = path.join(fixtures, topology, flavour);
    const sysfs = () => folderSnapshot(snapshotFromDump(fs.readFileSync(path.join(dir, 'linux.txt'), 'utf8')), 'sysfs');
    if (flavour === 'dt') return { name: topology, deviceTree: { file: 'machine.dts', text: fs.readFileSync(path.join(dir, 'machine.dts'), 'utf8') }, sysfs: sysfs() };
    if (flavour === 'dt-lspci') {
        const dt = path.join(fixtures, topology, 'dt');
        return { name: topology, deviceTree: { file: 'machine.dts', text: fs.readFileSync(path.join(dt, 'machine.dts'), 'utf8') }, facts: readLspci(fs.readFileSync(path.join(dt, 'lspci.txt'), 'utf8'), 'lspci.txt') };
    }
    const acpi = Object.fromEntries(Object.entries(ACPI_FILES).filter(([, f]) => fs.existsSync(path.join(dir, f))).map(([k, f]) => [k, { file: f, text: fs.readFileSync(path.join(dir, f), 'utf8') }]));
    return { name: topology, acpi, sysfs: sysfs() };
}

const cases = topologies.flatMap((t) => ['dt', 'dt-lspci', 'uefi', 'x86'].map((f) => [t, f] as const));

describe.each(cases)('round trip of imported topology %s (%s)', (topology, flavour) => {
    const imported = importPlatform(sources(topology, flavour));
    const text = printPlatform(imported.platform, { comments: imported.comments, header: ['imported'] });

    it('reads back to the model the importer built', async () => {
        const again = await platformFromText(text);
        expect(withoutLocations(again)).toEqual(withoutLocations(imported.platform));
    });

    it('prints the read-back model to the same statements', async () => {
        const again = await platformFromText(text);
        const strip = (t: string) => t.split('\n').map((l) => l.replace(/\s*\/\/.*$/, '')).filter((l) => l.trim() !== '').join('\n');
        expect(strip(printPlatform(again, { comments: new Map(), header: [] }))).toEqual(strip(text));
    });
});
