// `export qemu` run through the real QEMU (qemu-system-aarch64 / qemu-system-x86_64, stopped
// before it runs: -S, `info qtree`, quit; nothing boots):
// - for each oracle topology, the exported command line builds the same devices at the same
//   addresses as the command line the oracle was booted with (qemu.args), and every device
//   built from a QEMU model of the described IDs has the described BARs;
// - every example's command line is accepted and builds every device it names; on Arm, the
//   device tree QEMU dumps (-machine dumpdtb) holds the host bridge;
// - the KVM guest's command line builds its slots (vfio-pci needs a real host device, so a
//   pci-testdev stands in for each at the same address: this checks the guest topology and the
//   options' syntax, not VFIO itself).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PciIds } from '../../src/pci-ids/index.js';
import type { PciFunction } from '../../src/model/platform.js';
import { allFunctions } from '../../src/model/walk.js';
import { qemuNotApplicable } from '../../src/export/qemu.js';
import { platformFromText, platformsFromFile } from '../helpers/platforms.js';
import { exportOf, FIXTURES, run, tempDir } from './helpers.js';
import { pciDevices, qtreeOf, shape, type QemuPciDevice } from './qemu-qtree.js';

const names = new PciIds();
const oracle = path.join(FIXTURES, 'export', 'oracle');
const topologies = fs.readdirSync(oracle).filter((d) => fs.existsSync(path.join(oracle, d, 'qemu.args')));

/** The oracle's command line without what boots Linux (-kernel, -initrd, -append). */
function oracleCommand(topology: string): string {
    const line = fs
        .readFileSync(path.join(oracle, topology, 'qemu.args'), 'utf8')
        .split('\n')
        .find((l) => l.startsWith('qemu-system-'))!;
    return line.replace(/ -(kernel|initrd|append) (?:\\.|[^\s\\])+/g, '').trimEnd();
}

function flatten(devices: QemuPciDevice[]): QemuPciDevice[] {
    return devices.flatMap((d) => [d, ...flatten(d.children)]);
}

const hex4 = (v: bigint | undefined) => (v ?? 0n).toString(16).padStart(4, '0');

describe.each(topologies)('oracle topology %s', async (topology) => {
    const [platform] = await platformsFromFile(path.join(FIXTURES, 'oracle', topology, 'platform.pciplat'));
    const text = exportOf('qemu', platform!, names, { profile: 'kvm' });
    let built: QemuPciDevice[] | undefined;
    const ours = () => (built ??= pciDevices(qtreeOf(text)));

    it('builds the devices of qemu.args at the same addresses', () => {
        const theirs = pciDevices(qtreeOf(oracleCommand(topology)));
        // The description holds what Linux enumerates; behind a pxb-pcie Linux reaches nothing on
        // a device-tree boot, so the description (and the export) stops at the expander.
        for (const d of flatten(theirs)) if (d.driver === 'pxb-pcie') d.children = [];
        expect(shape(ours())).toBe(shape(theirs));
    });

    it('gives every device built from a QEMU model of its IDs the described BARs', () => {
        const byName = new Map<string, PciFunction>(allFunctions(platform!.hostBridges.flatMap((hb) => hb.functions)).map((f) => [f.name, f]));
        let compared = 0;
        for (const d of flatten(ours())) {
            const f = byName.get(d.id);
            if (!f || d.pciId !== `${hex4(f.vendor)}:${hex4(f.device)}`) continue;
            compared++;
            const described = f.bars.map((b) => ({ index: b.index, kind: b.kind === 'io' ? 'io' : 'mem', size: b.size }));
            expect(d.bars, d.id).toEqual(described);
        }
        expect(compared).toBeGreaterThan(0);
    });
});

const examples = path.join(__dirname, '..', '..', 'examples');
const exampleFiles = fs.readdirSync(examples).filter((f) => f.endsWith('.pciplat')).sort();

describe.each(exampleFiles)('examples/%s', async (file) => {
    const [platform] = await platformsFromFile(path.join(examples, file));
    // 32-bit Arm and POWER are not QEMU hosts this export models: it refuses them, saying why.
    const refused = qemuNotApplicable(platform!);
    it.runIf(refused !== undefined)('is refused for its architecture', () => {
        expect(() => exportOf('qemu', platform!, names)).toThrow(refused!);
    });
    if (refused !== undefined) return;
    const text = exportOf('qemu', platform!, names);

    it('is accepted by QEMU, which builds every device it names', () => {
        // Every device QEMU built, on any bus (a pxb-pcie's bus hangs from its own host bridge).
        const built = new Set([...qtreeOf(text).matchAll(/^\s*dev: [^,]+, id "([^"]+)"$/gm)].map((m) => m[1]!));
        const named = [...text.matchAll(/^ {4}-device (?!nvme-subsys|intel-iommu|amd-iommu)[^,\s]+,id=([^,\s]+)/gm)].map((m) => m[1]!);
        expect(named.length).toBeGreaterThan(0);
        expect(named.filter((id) => !built.has(id))).toEqual([]);
    });

    it.runIf(platform!.arch === 'arm64')("puts the host bridge in the machine's device tree", () => {
        const dtb = path.join(tempDir('dtb'), 'machine.dtb');
        const r = run('bash', ['-c', text.replace(/\n?$/, ` -machine dumpdtb=${dtb}\n`)]);
        expect(r).toBe('');
        const dts = run('dtc', ['-I', 'dtb', '-O', 'dts', '-q', dtb]);
        expect(dts).toMatch(/pcie@10000000 \{[^}]*bus-range = <0x00 0xff>;[^}]*device_type = "pci";/s);
    });
});

describe('the KVM guest of examples/vfio-desktop.pciplat', async () => {
    const [platform] = await platformsFromFile(path.join(examples, 'vfio-desktop.pciplat'));
    const text = exportOf('qemu', platform!, names, { vm: 'win11' });

    it('passes each assigned function at its guest slot, function 0 multifunction', () => {
        expect(text).toContain('    -device vfio-pci,host=0000:07:00.0,addr=0x5.0,multifunction=on \\\n    -device vfio-pci,host=0000:07:00.1,addr=0x5.1');
    });

    it('builds those slots in QEMU (a pci-testdev standing in for each vfio-pci)', () => {
        const standIn = text.replace(/vfio-pci,host=[^,\s]+/g, 'pci-testdev').replace('accel=kvm', 'accel=tcg').replace('-cpu host', '-cpu max');
        const slots = pciDevices(qtreeOf(standIn))
            .filter((d) => d.driver === 'pci-testdev')
            .map((d) => d.addr)
            .sort();
        const written = [...text.matchAll(/addr=0x([0-9a-f]+)\.([0-7])/g)].map((m) => `${m[1]!.padStart(2, '0')}.${m[2]}`).sort();
        expect(slots).toEqual(written);
        expect(slots).toEqual(['01.0', '05.0', '05.1']);
    });
});

describe('the vCPUs of a KVM guest', () => {
    it('become -smp when written, a line QEMU accepts', async () => {
        const platform = await platformFromText(`platform p {
  arch x86_64
  memory main at 0x10_0000 size 0x7ff0_0000
  kvm { vm four { memory 1G  vcpus 4 }  vm plain { memory 1G } }
}`);
        const four = exportOf('qemu', platform, names, { vm: 'four' });
        expect(four).toContain('-smp 4');
        expect(exportOf('qemu', platform, names, { vm: 'plain' })).not.toContain('-smp');
        // QEMU accepts the line (qtreeOf throws when it refuses one).
        expect(qtreeOf(four.replace('accel=kvm', 'accel=tcg').replace('-cpu host', '-cpu max'))).toContain('bus: pcie.0');
    });
});

describe('a KVM guest with a pcie-root-port', async () => {
    const [platform] = await platformsFromFile(path.join(__dirname, '..', 'fixtures', 'check', 'kvm-guest-root-port-ok.pciplat'));
    const text = exportOf('qemu', platform!, names, { vm: 'win' });

    it('builds the port on bus 0 and the devices behind it at functions of device 0 (a pci-testdev standing in for each vfio-pci)', () => {
        expect(text).toContain('-device pcie-root-port,id=grp0,bus=pcie.0,addr=0x1c.0,chassis=1');
        const standIn = text.replace(/vfio-pci,host=[^,\s]+/g, 'pci-testdev').replace('accel=kvm', 'accel=tcg').replace('-cpu host', '-cpu max');
        const root = pciDevices(qtreeOf(standIn));
        const port = root.find((d) => d.driver === 'pcie-root-port')!;
        expect(port.addr).toBe('1c.0');
        expect(port.children.map((d) => [d.driver, d.addr]).sort()).toEqual([
            ['pci-testdev', '00.0'],
            ['pci-testdev', '00.1'],
        ]);
        expect(root.filter((d) => d.driver === 'pci-testdev').map((d) => d.addr)).toEqual(['05.0']);
    });
});
