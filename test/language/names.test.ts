// Names may be keywords (`memory low`, `scenario sriov`), except the keywords that start a
// statement right after an open-ended list of references, where they would be ambiguous.
import { expect, it } from 'vitest';
import { grammarKeywords, ruleKeywords } from './grammar-keywords.js';
import { buildTexts } from '../helpers/workspace.js';

const NOT_NAMES = new Set(
    `arch cpus device-scope soc memory reserved its smmu iommu gic ioapic uart device host-bridge iort xen kvm linux scenario
     profile pci-passthrough owns assignable dom0 domain uses vcpus type mmio-hole assign host-driver vm
     passthrough pcie-root-port as rdm-policy permissive seize msitranslate power-mgmt no-rombar all-functions import platform
     phb`.split(/\s+/),
);

it('the Name rule accepts every word keyword except the ambiguous ones', () => {
    const words = [...grammarKeywords()].filter((k) => /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k));
    const expected = words.filter((k) => !NOT_NAMES.has(k)).sort();
    expect([...ruleKeywords('Name')].sort()).toEqual(expected);
});

it('keyword names parse and link', async () => {
    const { roots } = await buildTexts({
        'k.pciplat': `platform p {
  arch arm64
  memory low at 0x8000_0000 size 1G
  memory high at 0x1_0000_0000 size 1G
  host-bridge io {
    ecam at 0x3000_0000 size 16M bus-range 0..15
    window mem32 at 0x4000_0000 size 256M
    root-port bus at 00:01.0 { endpoint sriov at 01:00.0 { bar 0 mem32 size 4K } }
  }
  xen { domain flr { assign sriov } }
  scenario reset { boot start flr reset sriov flr }
}
`,
    });
    expect((roots[0]!.diagnostics ?? []).map((d) => d.message)).toEqual([]);
});
