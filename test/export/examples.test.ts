// Every example exports to every format that applies, and the tool that reads each output
// accepts it: the Linux-style listings are redrawn by the real lspci from a config-space dump of
// the predicted machine (so the drawing and the names are lspci's, whatever the platform).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/engine/simulate.js';
import { exportTargets } from '../../src/export/exporter.js';
import { platformsFromFile } from '../helpers/platforms.js';
import { bundledPciIdsFile, exportOf, lspciDumpOf, namesFrom, run, tempDir } from './helpers.js';

const examples = path.join(__dirname, '..', '..', 'examples');
// The examples that declare a platform (examples/soc/ holds SoC blocks the boards import).
const files = fs
    .readdirSync(examples, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.pciplat') && /^platform\s/m.test(fs.readFileSync(path.join(examples, f), 'utf8')))
    .sort();
const idsFile = bundledPciIdsFile();

describe.each(files)('examples/%s', async (file) => {
    const [platform] = await platformsFromFile(path.join(examples, file));
    const names = await namesFrom(idsFile);
    const dump = path.join(tempDir('dump'), 'lspci-x.txt');
    fs.writeFileSync(dump, lspciDumpOf(platform!, simulate(platform!)));

    it('export tree is what lspci -tv draws of the predicted machine', () => {
        expect(exportOf('tree', platform!, names)).toBe(run('lspci', ['-i', idsFile, '-F', dump, '-tv']));
    });

    it('export groups names each device as lspci -nns does', () => {
        const lines = exportOf('groups', platform!, names)
            .split('\n')
            .filter((l) => l.startsWith('\t'));
        expect(lines.length).toBeGreaterThan(0);
        for (const line of lines) {
            const slot = line.slice(1).split(' ')[0]!;
            expect(line.slice(1)).toBe(run('lspci', ['-i', idsFile, '-F', dump, '-nns', slot]).trimEnd());
        }
    });
});

describe.each(files)('every export of examples/%s', async (file) => {
    const [platform] = await platformsFromFile(path.join(examples, file));
    const names = await namesFrom(idsFile);
    // Each format's own test hands these to the real tool (lspci, QEMU, dtc, virt-xml-validate,
    // the strict xl reader); this one checks that every export that applies renders.
    it.each(exportTargets(platform!).map((t) => [[t.format, t.domain ?? t.vm ?? ''].join(' ').trim(), t] as const))('%s', (_label, t) => {
        expect(exportOf(t.format, platform!, names, { domain: t.domain, vm: t.vm }).length).toBeGreaterThan(0);
    });
});
