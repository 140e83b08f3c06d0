// `export libvirt`: each KVM VM's <devices> wrapped in a minimal domain is valid for the real
// virt-xml-validate (libvirt's own RNG schema), and holds a hostdev per assigned function with
// the simulated host address and guest slot.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/engine/simulate.js';
import { PciIds } from '../../src/pci-ids/index.js';
import { platformsFromFile } from '../helpers/platforms.js';
import { exportOf, runStatus, tempDir } from './helpers.js';

const names = new PciIds();
const examples = path.join(__dirname, '..', '..', 'examples');
const cases: [string, string][] = [];
for (const file of fs.readdirSync(examples).filter((f) => f.endsWith('.pciplat')).sort()) {
    const text = fs.readFileSync(path.join(examples, file), 'utf8');
    for (const m of text.matchAll(/^\s*vm (\w+) \{/gm)) cases.push([file, m[1]!]);
}

function minimalDomain(name: string, arch: string, devices: string): string {
    const machine = arch === 'x86_64' ? 'q35' : 'virt';
    return `<domain type='kvm'>\n<name>${name}</name>\n<memory unit='MiB'>1024</memory>\n<os><type arch='${arch === 'x86_64' ? 'x86_64' : 'aarch64'}' machine='${machine}'>hvm</type></os>\n${devices}</domain>\n`;
}

it('finds the examples with KVM VMs', () => expect(cases.length).toBeGreaterThan(0));

describe.each(cases)('examples/%s, VM %s', async (file, vm) => {
    const [platform] = await platformsFromFile(path.join(examples, file));
    const text = exportOf('libvirt', platform!, names, { vm });

    it('is valid libvirt domain XML (virt-xml-validate), wrapped in a minimal domain', () => {
        const xml = path.join(tempDir('libvirt'), 'domain.xml');
        fs.writeFileSync(xml, minimalDomain(vm, platform!.arch, text));
        const r = runStatus('virt-xml-validate', [xml, 'domain']);
        expect(r.stderr).toBe(`${xml} validates\n`);
        expect(r.status).toBe(0);
        // and the schema does reject what is not libvirt's
        fs.writeFileSync(xml, minimalDomain(vm, platform!.arch, text.replace("managed='yes'", "managed='maybe'")));
        expect(runStatus('virt-xml-validate', [xml, 'domain']).status).not.toBe(0);
    });

    it('gives every assigned function a hostdev at its simulated host address and guest slot', () => {
        const guest = simulate(platform!).domains.find((d) => d.name === vm)!;
        const hostdevs = [...text.matchAll(/<source>\s*<address domain='0x([0-9a-f]{4})' bus='0x([0-9a-f]{2})' slot='0x([0-9a-f]{2})' function='0x([0-7])'\/>\s*<\/source>\s*<address type='pci' domain='0x0000' bus='0x00' slot='0x([0-9a-f]{2})' function='0x([0-7])'/g)].map(
            (m) => `${m[1]}:${m[2]}:${m[3]}.${m[4]} -> 0000:00:${m[5]}.${m[6]}`,
        );
        const expected = guest.devices.map((d) => {
            const f = simulate(platform!).functions.find((x) => x.name === d)!;
            return `${f.segment.toString(16).padStart(4, '0')}:${f.bus!.toString(16).padStart(2, '0')}:${f.device.toString(16).padStart(2, '0')}.${f.fn} -> ${guest.guestSbdf[d]}`;
        });
        expect(hostdevs).toEqual(expected);
        expect(hostdevs.length).toBeGreaterThan(0);
    });
});

describe('a KVM VM with a pcie-root-port', async () => {
    const [platform] = await platformsFromFile(path.join(__dirname, '..', 'fixtures', 'check', 'kvm-guest-root-port-ok.pciplat'));
    const text = exportOf('libvirt', platform!, names, { vm: 'win' });

    it('writes the port as the controller of guest bus 1 and the devices behind it on that bus; virt-xml-validate accepts it', () => {
        expect(text).toContain("<controller type='pci' index='1' model='pcie-root-port'>\n    <target chassis='1'/>\n    <address type='pci' domain='0x0000' bus='0x00' slot='0x1c' function='0x0'/>");
        const guestAddresses = [...text.matchAll(/<\/source>\s*<address type='pci' domain='0x0000' bus='0x([0-9a-f]{2})' slot='0x([0-9a-f]{2})' function='0x([0-7])'/g)].map((m) => `${m[1]}:${m[2]}.${m[3]}`);
        expect(guestAddresses).toEqual(['00:05.0', '01:00.0', '01:00.1']);
        const xml = path.join(tempDir('libvirt'), 'domain.xml');
        fs.writeFileSync(xml, minimalDomain('win', platform!.arch, text));
        const r = runStatus('virt-xml-validate', [xml, 'domain']);
        expect(r.stderr).toBe(`${xml} validates\n`);
    });
});
