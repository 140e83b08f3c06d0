// PCI child nodes of a device-tree host bridge. Alone (NXP LS1028A's ENETC root complex, from
// Linux's fsl-ls1028a.dtsi) they are the fabric: a function at each node's devfn with the IDs of
// its `compatible`. With a fabric source (the oracle's switch topology, sysfs) they are matched by
// tree position and devfn, as Linux's pci_set_of_node does (the bus in `reg` is not used), and
// name the function they describe.
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
import { buildTexts, diagnosticsOf } from '../helpers/workspace.js';

const FIX = path.join(__dirname, '..', 'fixtures', 'import');

describe('device-tree PCI child nodes without a fabric source (LS1028A ENETC root complex)', async () => {
    const text = fs.readFileSync(path.join(FIX, 'ls1028a', 'ls1028a-ierc.dts'), 'utf8');
    const imported = importPlatform({ name: 'ls1028a', deviceTree: { file: 'ls1028a-ierc.dts', text } });
    const printed = printPlatform(imported.platform, { comments: imported.comments, header: [] });
    const hb = imported.platform.hostBridges[0]!;

    it('makes a function at each node\'s devfn, with vendor and device from compatible "pciVVVV,DDDD"', () => {
        const got = hb.functions.map((f) => `${f.address.device.toString(16)}.${f.address.fn} ${f.kind} ${f.vendor?.toString(16) ?? '-'}:${f.device?.toString(16) ?? '-'}${f.multifunction ? ' multifunction' : ''}`);
        expect(got).toEqual([
            '0.0 rc-endpoint 1957:e100 multifunction',
            '0.1 rc-endpoint 1957:e100',
            '0.2 rc-endpoint 1957:e100',
            '0.3 rc-endpoint 1957:ee01',
            '0.4 rc-endpoint 1957:ee02',
            '0.5 rc-endpoint -:-',
            '0.6 rc-endpoint 1957:e100',
            '1f.0 rc-endpoint -:-',
        ]);
        expect(hb.functions.every((f) => f.address.bus === undefined)).toBe(true);
    });

    it('prints them at relative DD.F addresses, each naming its node, and says BARs are not in a device tree', () => {
        expect(printed).toMatch(/^ {4}rc-endpoint dev0 at 00\.0 vendor 0x1957 device 0xe100 \{/m);
        expect(printed).toContain('// device tree node ethernet@0,0 (ls1028a-ierc.dts:');
        expect(imported.notes.filter((n) => n.code === 'IMPORT-UNKNOWN' && /a device tree node gives no BARs/.test(n.message))).toHaveLength(8);
    });

    it('is a platform the language accepts and simulates: every ENETC function translated through the host bridge\'s iommu-map (0x17 + RID), the RCEC (RID 0xf8) outside its 0xe IDs', async () => {
        const { roots } = await buildTexts({ 'imported.pciplat': printed });
        expect(diagnosticsOf(roots[0]!).filter((d) => d.severity === 1).map((d) => `${String(d.code)} ${d.message}`)).toEqual([]);
        const result = simulate(await platformFromText(printed), { profile: 'kvm' });
        const sids = result.functions.map((f) => `${bdfOf(f)} ${f.streamIds.map((s) => `0x${s.id.toString(16)}`).join(' ')}`);
        expect(sids).toEqual(['0000:00:00.0 0x17', '0000:00:00.1 0x18', '0000:00:00.2 0x19', '0000:00:00.3 0x1a', '0000:00:00.4 0x1b', '0000:00:00.5 0x1c', '0000:00:00.6 0x1d', '0000:00:1f.0 ']);
    });
});

describe('device-tree PCI child nodes with a sysfs snapshot (the oracle switch topology)', () => {
    const dir = path.join(FIX, 'switch', 'dt');
    const dts = fs.readFileSync(path.join(dir, 'machine.dts'), 'utf8');
    // root port 00:01.0 → switch upstream 01:00.0 → downstream 02:02.0 → the NVMe at 05:00.0; the
    // reg bus numbers are deliberately not the real ones (Linux matches devfn and place only).
    const nodes = `
		pci@1,0 {
			device_type = "pci";
			reg = <0x800 0 0 0 0>;
			#address-cells = <3>;
			#size-cells = <2>;
			pci@0,0 {
				device_type = "pci";
				reg = <0x0 0 0 0 0>;
				#address-cells = <3>;
				#size-cells = <2>;
				pci@2,0 {
					device_type = "pci";
					reg = <0x1000 0 0 0 0>;
					#address-cells = <3>;
					#size-cells = <2>;
					nvme@0,0 {
						reg = <0x0 0 0 0 0>;
						iommu-map = <0 0 0 0x10>;
					};
				};
			};
		};
		ethernet@9,0 {
			reg = <0x4800 0 0 0 0>;
		};
`;
    const withNodes = dts.replace(/(\tpcie@10000000 \{\n)/, `$1${nodes}`);
    const imported = importPlatform({ name: 'switch', deviceTree: { file: 'machine.dts', text: withNodes }, sysfs: folderSnapshot(snapshotFromDump(fs.readFileSync(path.join(dir, 'linux.txt'), 'utf8')), 'sysfs') });
    const comments = imported.comments;
    const all = (fs: typeof imported.platform.hostBridges[0]['functions']): typeof fs => fs.flatMap((f) => [f, ...all(f.children)]);
    const fns = all(imported.platform.hostBridges[0]!.functions);
    const named = fns.filter((f) => (comments.get(f) ?? []).some((c) => c.startsWith('device tree node '))).map((f) => `${f.address.bus?.toString(16)}:${f.address.device.toString(16)}.${f.address.fn} ${comments.get(f)!.find((c) => c.startsWith('device tree node '))!.replace(/ \(machine\.dts:\d+\)/, '')}`);

    it('names the functions at the nodes\' places, whatever bus their reg says', () => {
        expect(withNodes).not.toEqual(dts);
        expect(named).toHaveLength(4);
        expect(new Set(named)).toEqual(new Set(['0:1.0 device tree node pci@1,0', '1:0.0 device tree node pci@0,0', '2:2.0 device tree node pci@2,0', '5:0.0 device tree node nvme@0,0']));
    });

    it('keeps the functions sysfs gave (no function is added or lost)', () => {
        expect(fns).toHaveLength(12);
    });

    it('says that iommu-map on a child node is not read, and which node names a function sysfs does not list', () => {
        expect(imported.notes.filter((n) => /iommu-map on a PCI child node is not read by Linux 6.1/.test(n.message)).map((n) => n.message)).toEqual([
            "nvme@0,0: iommu-map on a PCI child node is not read by Linux 6.1 (it uses the host bridge's), so it is left out",
        ]);
        expect(comments.get(imported.platform.hostBridges[0]!)?.some((c) => /device tree node ethernet@9,0 describes 09\.0 on the root bus, which the fabric source does not list/.test(c))).toBe(true);
    });
});
