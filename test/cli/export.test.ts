// `pciplat export` end to end through the real loader: formats, guests, output file, and what
// happens on bad input (exit 2 naming what exists; error findings: exit 1, nothing written
// unless --force).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { EXPORT_HELP } from '../../src/cli/help.js';
import { EXPORTERS } from '../../src/export/exporter.js';
import { loadWithLangium } from '../../language/workspace/loader.js';
import { bundledPciIdsFile, tempDir } from '../export/helpers.js';
import { capture } from './fixtures.js';

const repo = path.join(__dirname, '..', '..');
const ids = bundledPciIdsFile();
const formats = EXPORTERS.map((e) => e.format).join(', ');

async function run(...argv: string[]) {
    const c = capture(repo);
    const code = await runCli(argv, c.io, loadWithLangium);
    return { code, out: c.out(), err: c.err() };
}

describe('pciplat export', () => {
    it('prints its help', async () => {
        expect(await run('export', '--help')).toEqual({ code: 0, out: EXPORT_HELP, err: '' });
        expect(EXPORT_HELP).toContain('  groups   the IOMMU groups');
    });

    it('writes the groups of a platform to stdout, findings-free, exit 0', async () => {
        const r = await run('export', 'groups', 'examples/vfio-desktop.pciplat', '--pci-ids', ids);
        expect(r.code).toBe(0);
        expect(r.err).toBe('');
        expect(r.out).toContain('IOMMU Group 7:\n\t07:00.0 VGA compatible controller [0300]: NVIDIA Corporation AD102 [GeForce RTX 4090] [10de:2684]\n\t07:00.1 Audio device [0403]: NVIDIA Corporation Device [10de:22ba]\n');
    });

    it('writes to -o OUT instead of stdout', async () => {
        const out = path.join(tempDir('export'), 'tree.txt');
        const r = await run('export', 'tree', 'examples/vfio-desktop.pciplat', '-o', out, '--pci-ids', ids);
        expect(r).toMatchObject({ code: 0, out: '' });
        expect(fs.readFileSync(out, 'utf8')).toMatch(/^-\[0000:00\]-\+-01\.0  Advanced Micro Devices, Inc\. \[AMD\] Device 1482\n/);
    });

    it('refuses an unknown format, naming the formats (exit 2)', async () => {
        const r = await run('export', 'yaml', 'examples/vfio-desktop.pciplat');
        expect(r.code).toBe(2);
        expect(r.err).toBe(`pciplat: unknown export format 'yaml' (formats: ${formats}) (see 'pciplat export --help')\n`);
    });

    it('refuses --domain for a format that exports the platform (exit 2)', async () => {
        const r = await run('export', 'groups', 'examples/arm-server.pciplat', '--domain', 'web');
        expect(r).toEqual({ code: 2, out: '', err: 'pciplat: export groups does not take --domain: it exports the platform\n' });
    });

    it('exports nothing from a platform with error findings (exit 1), unless --force', async () => {
        const out = path.join(tempDir('export'), 'groups.txt');
        const refused = await run('export', 'groups', 'examples/embedded-arm.pciplat', '-o', out);
        expect(refused.code).toBe(1);
        expect(refused.out).toBe('');
        expect(refused.err).toMatch(/^examples\/embedded-arm\.pciplat:\d+:\d+: error: XEN-DOM0LESS-PCI /);
        expect(refused.err).toContain('1 error, 0 warnings\npciplat: platform edgeio has error findings; nothing exported (--force exports it anyway)\n');
        expect(fs.existsSync(out)).toBe(false);

        const forced = await run('export', 'groups', 'examples/embedded-arm.pciplat', '-o', out, '--force');
        expect(forced.code).toBe(1);
        expect(fs.readFileSync(out, 'utf8')).toMatch(/^IOMMU Group 0:\n/);
    });

    it('needs a FORMAT and a FILE', async () => {
        expect((await run('export')).err).toBe(`pciplat: export needs a FORMAT (${formats}) and a FILE (see 'pciplat export --help')\n`);
        expect((await run('export', 'tree')).code).toBe(2);
    });

    it.each([
        [['xl', 'examples/arm-server.pciplat'], 'platform armsrv has 2 Xen domains; choose one with --domain: web, ml'],
        [['xl', 'examples/arm-server.pciplat', '--domain', 'db'], "platform armsrv has no Xen domain 'db'; its domains: web, ml"],
        [['xl', 'examples/arm-server.pciplat', '--vm', 'web'], 'export xl does not take --vm: it exports a Xen domain (--domain)'],
        [['xl', 'examples/vfio-desktop.pciplat'], 'export xl writes the configuration of a Xen domain, and platform desktop has none (its KVM VMs: win11; try libvirt or qemu --vm)'],
        [['xl', 'examples/vfio-desktop.pciplat', '--domain', 'win11'], 'win11 is a KVM VM, not a Xen domain: use --vm win11'],
        [['libvirt', 'examples/arm-server.pciplat', '--domain', 'web'], 'export libvirt does not take --domain: it exports a KVM VM (--vm)'],
        [['libvirt', 'examples/vfio-desktop.pciplat', '--vm', 'lab'], "platform desktop has no KVM VM 'lab'; its VMs: win11"],
        [['dts', 'examples/vfio-desktop.pciplat'], 'export dts does not apply to platform desktop: an x86 platform describes its PCI host bridges through ACPI (MCFG, _CRS), not a device tree'],
        [['dts', 'examples/arm-server.pciplat', '--vm', 'web'], 'export dts does not take --vm: it exports the platform or a Xen domain (--domain)'],
        [
            ['xl', 'examples/embedded-arm.pciplat', '--domain', 'ctrl'],
            'export xl does not apply: ctrl is a dom0less domain: Xen builds it at boot from the device tree, not from an xl.cfg (export dts --domain ctrl writes its nodes)',
        ],
    ])('%j is a usage error naming what exists (exit 2)', async (argv, message) => {
        expect(await run('export', ...argv)).toEqual({ code: 2, out: '', err: `pciplat: ${message}\n` });
    });

    it('writes the xl.cfg of the one domain asked for', async () => {
        const r = await run('export', 'xl', 'examples/arm-server.pciplat', '--domain', 'ml');
        expect(r).toMatchObject({ code: 0, err: '' });
        expect(r.out).toContain('name = "ml"\ntype = "pvh"\nmemory = 16384\nvcpus = 8\ngic_version = "v3"\n');
    });

    it('lists the groups in the order the shell glob gives them (0, 1, 10, 11, …, 2)', async () => {
        const r = await run('export', 'groups', 'examples/arm-server.pciplat', '--pci-ids', ids);
        const numbers = [...r.out.matchAll(/^IOMMU Group (\d+):$/gm)].map((m) => m[1]!);
        expect(numbers.length).toBeGreaterThan(10);
        expect(numbers).toEqual([...numbers].sort());
        expect(numbers.slice(0, 3)).toEqual(['0', '1', '10']);
    });

    it('says so when --pci-ids cannot be read (exit 2)', async () => {
        expect(await run('export', 'groups', 'examples/arm-server.pciplat', '--pci-ids', 'no/such/pci.ids')).toEqual({ code: 2, out: '', err: 'pciplat: cannot read the PCI ID database no/such/pci.ids (--pci-ids)\n' });
    });
});
