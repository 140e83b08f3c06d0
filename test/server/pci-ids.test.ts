// Vendor, device and class names: the bundled subset, and a full pci.ids file preferred when given.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePciIds, PciIds } from '../../src/pci-ids/index.js';

const SAMPLE = `# sample
8086  Intel Corporation (from file)
\t10c9  82576 Gigabit Network Connection (from file)
\t\t8086 a03c  Ethernet Server Adapter
abcd  Example Vendor
\t0001  Example Device
C 02  Network controller
\t00  Ethernet controller
C 0c  Serial bus controller
\t03  USB controller
\t\t30  XHCI
`;

describe('PCI ID names', () => {
    it('names vendors, devices and classes from the bundled subset', () => {
        const ids = new PciIds();
        expect(ids.vendorName(0x8086n)).toBe('Intel Corporation');
        expect(ids.deviceName(0x8086n, 0x10c9n)).toBe('82576 Gigabit Network Connection');
        expect(ids.vendorName(0x1af4n)).toBe('Red Hat, Inc.');
        expect(ids.className(0x020000n)).toBe('Ethernet controller');
        expect(ids.className(0x0c0330n)).toBe('USB controller (XHCI)');
        expect(ids.className(0x01ff00n)).toBe('Mass storage controller');
        expect(ids.vendorName(0xfffffn)).toBeUndefined();
        expect(ids.deviceName(0xabcdn, 0x1n)).toBeUndefined();
        expect(ids.source).toMatch(/^bundled subset of pci.ids /);
    });

    it('parses pci.ids and prefers a loaded file, falling back to the subset', async () => {
        const tables = parsePciIds(SAMPLE, 'sample');
        expect(tables.devices.get('8086:10c9')).toBe('82576 Gigabit Network Connection (from file)');
        expect(tables.classes.get('0c0330')).toBe('XHCI');
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-ids-'));
        try {
            const file = path.join(dir, 'pci.ids');
            fs.writeFileSync(file, SAMPLE);
            const ids = new PciIds();
            expect(await ids.loadFirst([path.join(dir, 'missing.ids'), file])).toBe(true);
            expect(ids.source).toBe(file);
            expect(ids.vendorName(0x8086n)).toBe('Intel Corporation (from file)');
            expect(ids.deviceName(0xabcdn, 0x1n)).toBe('Example Device');
            expect(ids.vendorName(0x1af4n)).toBe('Red Hat, Inc.'); // not in the file: the subset answers
            expect(await new PciIds().loadFirst([path.join(dir, 'missing.ids')])).toBe(false);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
