// The shared configuration-space decoder on the capabilities the oracle topologies lack (SR-IOV,
// ARI, Advanced Features), on bytes laid out as the PCI Express Base specification says, and
// the unprivileged case: a 64-byte config read, decoded by the real lspci as `<access denied>`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeConfigSpace, ConfigSpaceError } from '../../src/import/config-space.js';
import { factsFromConfig } from '../../src/import/facts.js';
import { importPlatform } from '../../src/import/import-platform.js';
import { readLspci } from '../../src/import/lspci.js';
import { printPlatform } from '../../src/import/print.js';
import { realLspciListing } from '../helpers/lspci-dump.js';

/** A 4 KiB config space with a little-endian writer. */
function space() {
    const b = new Uint8Array(4096);
    const w8 = (o: number, v: number) => (b[o] = v & 0xff);
    const w16 = (o: number, v: number) => (w8(o, v), w8(o + 1, v >> 8));
    const w32 = (o: number, v: number) => (w16(o, v & 0xffff), w16(o + 2, v >>> 16));
    return { b, w8, w16, w32 };
}

/** An SR-IOV NIC PF (Intel 82576-like): PCIe endpoint with FLR, MSI-X, ARI, SR-IOV, ACS. */
function sriovPf() {
    const { b, w8, w16, w32 } = space();
    w16(0x00, 0x8086); w16(0x02, 0x10c9); w16(0x06, 0x0010); w32(0x08, 0x02000001); w8(0x0e, 0x80);
    w32(0x10, 0x4000_000c); w32(0x14, 0x0000_0080); // BAR0 64-bit prefetchable at 0x80_4000_0000
    w8(0x34, 0x40);
    // PCIe capability at 0x40 (v2, endpoint), DevCap FLR + phantom 0, DevCap2 (no ARIFwd on an endpoint)
    w8(0x40, 0x10); w8(0x41, 0x70); w16(0x42, 0x0002); w32(0x44, 0x1000_0000);
    // MSI-X at 0x70: 10 entries, table BAR0 + 0x2000, PBA BAR0 + 0x3000
    w8(0x70, 0x11); w8(0x71, 0x00); w16(0x72, 9); w32(0x74, 0x2000); w32(0x78, 0x3000);
    // Extended: ARI at 0x100 (next function 1), SR-IOV at 0x150, ACS at 0x1a0
    w32(0x100, 0x000e | (1 << 16) | (0x150 << 20)); w16(0x104, 0x0100);
    w32(0x150, 0x0010 | (1 << 16) | (0x1a0 << 20));
    w16(0x15c, 8); w16(0x15e, 8); w16(0x160, 4); w16(0x164, 0x80); w16(0x166, 2); w16(0x16a, 0x10ca); w32(0x170, 1);
    w32(0x174, 0x0000_000c); w32(0x178, 0x80); // VF BAR0 64-bit prefetchable
    w32(0x1a0, 0x000d | (1 << 16)); w16(0x1a4, 0x001f); w16(0x1a6, 0x001d);
    return b;
}

describe('the configuration-space decoder', () => {
    it('reads SR-IOV, ARI, ACS, MSI-X and FLR as the registers say', () => {
        const c = decodeConfigSpace(sriovPf());
        expect({ vendor: c.vendor, device: c.device, classCode: c.classCode, multifunction: c.multifunction }).toEqual({ vendor: 0x8086n, device: 0x10c9n, classCode: 0x020000n, multifunction: true });
        expect(c.pcie).toEqual({ type: 0, flr: true, phantom: 0, ariForwarding: false });
        expect(c.msix).toEqual({ entries: 10n, tableBar: 0, tableOffset: 0x2000n, pbaBar: 0, pbaOffset: 0x3000n });
        expect(c.ari).toEqual({ nextFunction: 1n });
        expect(c.acs).toEqual({ capability: 0x1f, control: 0x1d });
        expect(c.sriov).toEqual({ initialVfs: 8n, totalVfs: 8n, numVfs: 4n, offset: 0x80n, stride: 2n, vfDevice: 0x10can, pageSize: 4096n, vfBarRegisters: [0xc, 0x80, 0, 0, 0, 0] });
    });

    it('sizes the VF BARs from the IOV resource (TotalVFs BARs) and keeps the addresses', () => {
        const resources = Array.from({ length: 13 }, () => ({ start: 0n, end: 0n, flags: 0n }));
        resources[0] = { start: 0x80_4000_0000n, end: 0x80_4001_ffffn, flags: 0x14220cn };
        resources[7] = { start: 0x80_4010_0000n, end: 0x80_4010_0000n + 8n * 0x4000n - 1n, flags: 0x14220cn };
        const f = factsFromConfig({ segment: 0n, bus: 1n, device: 0n, fn: 0n }, decodeConfigSpace(sriovPf()), resources, { file: 'config', line: 0 });
        expect(f.bars).toEqual([{ index: 0, kind: 'mem64', prefetchable: true, size: 0x2_0000n, address: 0x80_4000_0000n }]);
        expect(f.sriov?.vfBars).toEqual([{ index: 0, kind: 'mem64', prefetchable: true, size: 0x4000n, address: 0x80_4010_0000n }]);
        expect(f.resets).toEqual(['flr']);
    });

    it('refuses bytes that are no function, with the reason', () => {
        expect(() => decodeConfigSpace(new Uint8Array(10))).toThrow(new ConfigSpaceError('a configuration space has at least 64 bytes, this one 10'));
        expect(() => decodeConfigSpace(new Uint8Array(64).fill(0xff))).toThrow(new ConfigSpaceError('vendor ID 0xffff: no function answers here'));
    });

    it('stops on a capability list that loops', () => {
        const { b, w8, w16 } = space();
        w16(0, 0x1234); w16(6, 0x10); w8(0x34, 0x40); w8(0x40, 0x05); w8(0x41, 0x40);
        expect(decodeConfigSpace(b).msi).toEqual({ vectors: 1n, is64: false, maskable: false });
    });
});

describe('importing an SR-IOV PF below an ARI-forwarding root port', () => {
    // A root port with ARI Forwarding (DevCap2 bit 5) and the PF and its second function below.
    function rootPort() {
        const { b, w8, w16, w32 } = space();
        w16(0, 0x8086); w16(2, 0x3c02); w16(6, 0x10); w32(8, 0x06040000); w8(0x0e, 0x01);
        w8(0x18, 0); w8(0x19, 1); w8(0x1a, 1); w16(0x20, 0xfff0); w16(0x22, 0x0000); w16(0x24, 0xfff1); w16(0x26, 0x0001);
        w8(0x34, 0x40); w8(0x40, 0x10); w16(0x42, 0x0042); w32(0x64, 0x20);
        return b;
    }
    const second = sriovPf();
    second[0x104] = 0; second[0x105] = 0; // ARI next function 0: the chain ends
    const facts = [
        factsFromConfig({ segment: 0n, bus: 0n, device: 1n, fn: 0n }, decodeConfigSpace(rootPort()), undefined, { file: 'lspci.txt', line: 1 }),
        factsFromConfig({ segment: 0n, bus: 1n, device: 0n, fn: 0n }, decodeConfigSpace(sriovPf()), undefined, { file: 'lspci.txt', line: 20 }),
        factsFromConfig({ segment: 0n, bus: 1n, device: 0n, fn: 1n }, decodeConfigSpace(second), undefined, { file: 'lspci.txt', line: 40 }),
    ];
    const r = importPlatform({ name: 'sriov', facts });
    const text = printPlatform(r.platform, { comments: r.comments, header: [] });

    it('writes the PF with its SR-IOV registers, ARI and ACS, and the port with ari-forwarding', () => {
        expect(text).toMatch(/^ {4}root-port rp0 at 00:01\.0 vendor 0x8086 device 0x3c02 class 0x060400 revision 0x00 \{\n {6}ari-forwarding\n/m);
        expect(text).toMatch(/^ {6}endpoint nic0 at 01:00\.0 .*\{\n {8}multifunction\n/m);
        expect(text).toMatch(/^ {8}acs sv tb rr cr uf$/m);
        expect(text).toMatch(/^ {8}ari next-function 0x1$/m);
        expect(text).toMatch(/^ {8}sriov total-vfs 8 num-vfs 4 initial-vfs 8 offset 0x80 stride 0x2 vf-device 0x10ca$/m);
        expect(text).toMatch(/^ {6}endpoint nic1 at 01:00\.1 /m);
    });

    it('says the sizes an -xxxx dump cannot give (BAR 0, VF BAR 0) are unknown', () => {
        expect(r.notes.filter((n) => n.code === 'IMPORT-UNKNOWN').map((n) => n.message)).toContain('0000:01:00.0 BAR 0 (mem64 prefetch at 0x8040000000): size unknown, left out');
        expect(r.notes.map((n) => n.message)).toContain('0000:01:00.0 VF BAR 0 (mem64 prefetch): size unknown, left out');
    });
});

describe('an unprivileged lspci (64-byte config reads: <access denied>), decoded by the real lspci', () => {
    const linuxTxt = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'import', 'switch', 'dt', 'linux.txt'), 'utf8');
    // What a non-root read gives: the first 64 bytes of each function.
    const cut = linuxTxt.replace(/CONFIG-BEGIN\n((?:.*\n){4})(?:.*\n)*?CONFIG-END/g, 'CONFIG-BEGIN\n$1CONFIG-END');
    const listing = realLspciListing(cut).replace(/^[0-9a-f]{2,3}: .*\n/gm, '');
    const facts = readLspci(listing, 'user-lspci.txt');

    it('lspci itself printed <access denied>', () => expect(listing).toMatch(/Capabilities: <access denied>/));

    it('imports the functions and bus numbers it shows and marks the capabilities unknown', () => {
        expect(facts.map((f) => `${f.bus}:${f.device}.${f.fn} ${f.bridge ? `${f.bridge.secondary}-${f.bridge.subordinate}` : ''}`)).toEqual([
            '0:0.0 ', '0:1.0 1-6', '0:2.0 7-7', '1:0.0 2-6', '2:0.0 3-3', '2:1.0 4-4', '2:2.0 5-5', '2:3.0 6-6', '3:0.0 ', '4:0.0 ', '5:0.0 ', '7:0.0 ',
        ]);
        expect(facts.filter((f) => f.unknown.some((u) => u.startsWith('capabilities (<access denied>'))).length).toBe(11);
        expect(facts.every((f) => f.acs === undefined && f.pcieType === undefined)).toBe(true);
    });
});
