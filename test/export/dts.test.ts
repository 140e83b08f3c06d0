// `export dts` / `dtso` through the real dtc with every check of dtc 1.6.1 turned on as a
// warning (that dtc has no `-W all`: the list below is every warning check its checks.c has,
// always_fail aside) and nothing reported; the oracle platforms' host bridges against the device
// tree QEMU gave Linux (machine.dts, normalised by the same dtc).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PciIds } from '../../src/pci-ids/index.js';
import { platformsFromFile } from '../helpers/platforms.js';
import { cellsOf, readDeviceTree, type DtNode } from './dts-reader.js';
import { exportOf, FIXTURES, runStatus, tempDir } from './helpers.js';

const CHECKS = `graph_child_address graph_nodes graph_endpoint graph_port interrupts_property interrupt_provider
deprecated_gpio_property gpios_property thermal_sensors_property sound_dai_property resets_property pwms_property
power_domains_property phys_property mux_controls_property msi_parent_property mboxes_property iommus_property
io_channels_property interrupts_extended_property hwlocks_property dmas_property cooling_device_property
clocks_property chosen_node_stdout_path chosen_node_bootargs chosen_node_is_root unique_unit_address
avoid_unnecessary_addr_size avoid_default_addr_size unit_address_format spi_bus_reg spi_bus_bridge i2c_bus_reg
i2c_bus_bridge simple_bus_reg simple_bus_bridge pci_device_reg pci_device_bus_num pci_bridge dma_ranges_format
reg_format alias_paths names_is_string_list compatible_is_string_list label_is_string status_is_string
model_is_string device_type_is_string size_cells_is_cell address_cells_is_cell path_references phandle_references
name_properties name_is_string explicit_phandles duplicate_label property_name_chars_strict property_name_chars
unit_address_vs_reg node_name_vs_property_name node_name_format node_name_chars_strict node_name_chars
duplicate_property_names duplicate_node_names obsolete_chosen_interrupt_controller unique_unit_address_if_enabled`
    .split(/\s+/)
    .flatMap((c) => ['-W', c]);

/** dtc's verdict on a source: exit status and everything it printed on stderr. */
function dtc(source: string, overlay: boolean): { status: number | null; stderr: string } {
    const dir = tempDir('dtc');
    fs.writeFileSync(path.join(dir, 'in.dts'), source);
    // dtc names an overlay's fragments `__overlay__` itself, which its strict node-name check
    // flags: that one check is off for overlays.
    const args = [...(overlay ? ['-@', ...CHECKS, '-W', 'no-node_name_chars_strict'] : CHECKS), '-I', 'dts', '-O', 'dtb', '-o', path.join(dir, 'out.dtb'), path.join(dir, 'in.dts')];
    const r = runStatus('dtc', args);
    return { status: r.status, stderr: r.stderr };
}

const names = new PciIds();
const examples = path.join(__dirname, '..', '..', 'examples');
const armExamples = fs.readdirSync(examples).filter((f) => f.endsWith('.pciplat') && /^\s*arch arm64/m.test(fs.readFileSync(path.join(examples, f), 'utf8')));

describe.each(armExamples)('examples/%s', async (file) => {
    const [platform] = await platformsFromFile(path.join(examples, file));
    const domains = (platform!.xen?.domains ?? []).map((d) => d.name);

    it('exports host bridges, ITS and SMMU nodes dtc accepts without a warning', () => {
        const text = exportOf('dts', platform!, names);
        expect(dtc(text, false)).toEqual({ status: 0, stderr: '' });
        const nodes = readDeviceTree(text);
        expect(nodes.filter((n) => n.props.get('device_type') === '"pci"').length).toBe(platform!.hostBridges.length);
    });

    it('exports them as an overlay dtc -@ accepts without a warning', () => {
        expect(dtc(exportOf('dtso', platform!, names), true)).toEqual({ status: 0, stderr: '' });
    });

    it.each(domains)('exports what Xen reads for domain %s, accepted without a warning', (domain) => {
        expect(dtc(exportOf('dts', platform!, names, { domain }), false)).toEqual({ status: 0, stderr: '' });
    });
});

describe('a dom0less domain', async () => {
    const [platform] = await platformsFromFile(path.join(examples, 'embedded-arm.pciplat'));

    it('gets its host bridge passed through whole: 1:1 xen,reg of config space and windows, xen,path of the host node', () => {
        const nodes = readDeviceTree(exportOf('dts', platform!, names, { domain: 'ctrl' }));
        const node = nodes.find((n) => n.path === '/passthrough/pcie@3400000')!;
        expect(node.props.get('xen,path')).toBe('"/pcie@3400000"');
        expect(cellsOf(node.props.get('xen,reg'))).toEqual([
            ...[0x0n, 0x340_0000n, 0x0n, 0x10_0000n, 0x0n, 0x340_0000n],
            ...[0x40n, 0x0n, 0x0n, 0x100_0000n, 0x40n, 0x0n],
            ...[0x40n, 0x4000_0000n, 0x0n, 0x1000_0000n, 0x40n, 0x4000_0000n],
            ...[0x41n, 0x0n, 0x1n, 0x0n, 0x41n, 0x0n],
        ]);
        expect(node.props.has('iommu-map')).toBe(false);
        expect(nodes.find((n) => n.path === '/pcie@3400000')).toBeUndefined();
    });
});

const oracle = path.join(FIXTURES, 'export', 'oracle');
const topologies = fs.readdirSync(oracle).filter((d) => fs.existsSync(path.join(oracle, d, 'machine.dts')));

/** The host bridge's properties, each phandle in iommu-map/msi-map replaced by its node's reg base. */
function hostBridge(nodes: DtNode[]): Record<string, string | bigint[]> {
    const pcie = nodes.find((n) => n.props.get('device_type') === '"pci"')!;
    const byPhandle = new Map(nodes.filter((n) => n.props.has('phandle')).map((n) => [cellsOf(n.props.get('phandle'))[0], n]));
    const target = (phandle: bigint) => {
        const reg = cellsOf(byPhandle.get(phandle)?.props.get('reg'));
        return (reg[0]! << 32n) | reg[1]!;
    };
    const mapped = (v: string | undefined) => cellsOf(v).map((c, i) => (i % 4 === 1 ? target(c) : c));
    const out: Record<string, string | bigint[]> = {};
    for (const p of ['compatible', 'device_type', 'linux,pci-domain', '#address-cells', '#size-cells']) out[p] = pcie.props.get(p)!;
    for (const p of ['reg', 'ranges', 'bus-range']) out[p] = cellsOf(pcie.props.get(p));
    out['iommu-map'] = mapped(pcie.props.get('iommu-map'));
    out['msi-map'] = mapped(pcie.props.get('msi-map'));
    return out;
}

describe.each(topologies)('oracle topology %s', async (topology) => {
    const [platform] = await platformsFromFile(path.join(FIXTURES, 'oracle', topology, 'platform.pciplat'));

    it('exports the host bridge QEMU described to Linux (reg, ranges, bus-range, domain, ID maps)', () => {
        const ours = hostBridge(readDeviceTree(exportOf('dts', platform!, names, { profile: 'kvm' })));
        const qemu = hostBridge(readDeviceTree(fs.readFileSync(path.join(oracle, topology, 'machine.dts'), 'utf8')));
        expect(ours).toEqual(qemu);
    });
});
