// StreamIDs of non-PCI masters (device-tree `iommus`) against the SMMU and against the PCI
// functions behind it. A StreamID names one stream-table entry (SMMUv3) or matches one stream-map
// entry (SMMUv2): a platform device whose StreamID is also the StreamID a PCI requester ID maps
// to through `iommu-map` on the same SMMU shares that entry. Linux's SMMUv3 driver refuses the
// second master to probe ("stream N already in tree", arm_smmu_insert_master); on SMMUv2 both land
// in one IOMMU group; under Xen whichever is assigned last owns the translation.
import { finding, type Finding } from '../../findings/finding.js';
import type { Platform } from '../../model/platform.js';
import { idLimit } from '../../util/arith.js';
import { who } from './id-findings.js';
import { hex } from './pcie-type.js';
import type { FunctionIds } from './types.js';

export function platformStreamFindings(platform: Platform, functions: readonly FunctionIds[]): Finding[] {
    const out: Finding[] = [];
    const smmus = new Map(platform.smmus.map((s) => [s.name, s]));
    const pciBySid = new Map<string, FunctionIds>();
    for (const f of functions) for (const s of f.streamIds) if (!pciBySid.has(`${s.iommu}/${s.id}`)) pciBySid.set(`${s.iommu}/${s.id}`, f);
    const platformBySid = new Map<string, string>();
    for (const d of platform.platformDevices) {
        for (const spec of d.iommus ?? []) {
            const smmu = smmus.get(spec.smmu);
            if (!smmu) continue;
            if (spec.streamId >= idLimit(smmu.streamIdBits)) {
                out.push(
                    finding(
                        'SMMU-STREAM-ID-RANGE',
                        `The iommus of device ${d.name} give it StreamID ${hex(spec.streamId)} on ${smmu.name}, beyond its ${smmu.streamIdBits} stream-id bits (StreamIDs below ${hex(idLimit(smmu.streamIdBits))}): the SMMU driver rejects the master (-ERANGE), so its DMA is not translated.`,
                        spec.loc,
                        [{ loc: smmu.loc, message: `${smmu.name}: stream-id-bits ${smmu.streamIdBits}` }],
                    ),
                );
                continue;
            }
            const key = `${smmu.name}/${spec.streamId}`;
            const pci = pciBySid.get(key);
            const other = platformBySid.get(key);
            if (pci || other) {
                const holder = pci ? `the PCI function ${who(pci.fn)}, whose requester ID the host bridge's ID map sends there` : `device ${other}`;
                out.push(
                    finding(
                        'SMMU-PLATFORM-STREAM-ID-SHARED',
                        `Device ${d.name}'s StreamID ${hex(spec.streamId)} on ${smmu.name} is also that of ${holder}: ${smmu.version === 'v3' ? 'Linux\'s SMMUv3 driver refuses the second master to probe ("already in tree")' : 'the SMMUv2 driver puts both in one stream-map entry and one IOMMU group'}, and under Xen the domain that gets one of them last translates the other's DMA.`,
                        spec.loc,
                        pci ? [{ loc: pci.fn.loc, message: `${pci.fn.name} has StreamID ${hex(spec.streamId)} on ${smmu.name}` }] : [],
                    ),
                );
                continue;
            }
            platformBySid.set(key, d.name);
        }
    }
    return out;
}
