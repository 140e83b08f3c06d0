// The engine the CLI and the language server run (`simulate`), end to end on the acceptance
// example tx2.pciplat with its `bringup` scenario, loaded and reported as `pciplat simulate`
// does: the language's findings and the engine's (fabric as Linux computes it, then Xen under
// arm-design, the platform's profile, playing the scenario), merged and sorted.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWithLangium } from '../../language/workspace/loader.js';
import { collectFindings } from '../../src/cli/findings.js';
import { simulate } from '../../src/engine/simulate.js';
import type { Scenario, Step } from '../../src/model/platform.js';
import { traceLine } from '../../src/scenario/trace-text.js';
import { platformsFromFile } from '../helpers/platforms.js';
import { expectLinesInOrder } from '../hypervisor/helpers.js';

const FILE = path.join(__dirname, '..', 'fixtures', 'acceptance', 'tx2.pciplat');

describe('simulate() on tx2 bringup', () => {
    it('boots, enables the VFs, starts guest1 and tears it down, reporting each layer\'s problems', async () => {
        const input = await loadWithLangium([FILE]);
        expect(input.platforms).toHaveLength(1);
        const result = simulate(input.platforms[0]!, { scenario: 'bringup' });
        const findings = collectFindings(input.findings, result.findings);
        expect(result).toMatchObject({ platform: 'tx2', profile: 'arm-design', scenario: 'bringup' });
        expectLinesInOrder(result.trace.map(traceLine), [
            '[1 boot] xen-boot profile=arm-design arch=arm64 iommu=on',
            'dom0-build domain=dom0 domid=0',
            // Host bridges before any device; bus 0, then the buses below it.
            'PHYSDEVOP_pci_host_bridge_add seg=0x0 cfg_base=0x30000000 cfg_size=0x10000000 hostBridge=pcie0',
            'PHYSDEVOP_pci_host_bridge_add seg=0x1 cfg_base=0x830000000 cfg_size=0x4000000 hostBridge=pcie1',
            'PHYSDEVOP_pci_device_add sbdf=0000:00:01.0 device=rp0',
            'PHYSDEVOP_pci_device_add sbdf=0000:00:10.0 device=dma0',
            'PHYSDEVOP_pci_device_add sbdf=0000:01:00.0 device=nic0',
            'PHYSDEVOP_pci_device_add sbdf=0000:04:00.0 device=nvme0',
            'PHYSDEVOP_pci_device_add sbdf=0000:06:01.0 device=legacy0',
            'smmu-ste smmu=smmu0 sid=0x608 master=legacy0',
            'smmu-ste smmu=smmu0 sid=0x600 master=legacy0',
            // The VFs after their PF.
            '[1 boot] sriov-enable pf=nic0 sbdf=0000:01:00.0 numvfs=4',
            'PHYSDEVOP_pci_device_add sbdf=0000:01:10.4 device=nic0.vf[2] flags=XEN_PCI_DEV_VIRTFN|XEN_PCI_DEV_PXM physfn=0000:01:00.0',
            '[3 assign] xl-config domain=guest1 pci="+ nic0.vf[2]"',
            '[4 start] xl-create domain=guest1 domid=1 pci=3',
            'XEN_DOMCTL_assign_device domain="guest1 (domid 1)" machine_sbdf=0000:01:00.0 device=nic0',
            'XEN_DOMCTL_assign_device domain="guest1 (domid 1)" machine_sbdf=0000:04:00.0 device=nvme0',
            'XEN_DOMCTL_assign_device domain="guest1 (domid 1)" machine_sbdf=0000:01:10.4 device=nic0.vf[2]',
            'XEN_DOMCTL_memory_mapping domain="guest1 (domid 1)" what="nvme0 BAR 0" guest=0x23404000-0x23407fff host=0x40800000',
            '[7 destroy] xl-destroy domain="guest1 (domid 1)"',
            'XEN_DOMCTL_deassign_device domain="guest1 (domid 1)" machine_sbdf=0000:01:10.4 device=nic0.vf[2] to=dom_io',
            'smmu-context-free smmu=smmu0 domain="guest1 (domid 1)"',
        ]);
        expect(findings.map((f) => f.code)).toEqual([
            // pcie0's 64G prefetchable window sits exactly on the 64G of DRAM at 0x80_0000_0000.
            'PLATFORM-REGION-OVERLAP',
            // pcie0's I/O window 0x3eff_0000 lies inside its own 256M ECAM at 0x3000_0000.
            'PLATFORM-REGION-OVERLAP',
            // nic0 BAR 3 is written at 0x4010_0000 and rp0's window is not: the window firmware
            // must have programmed (0x4010_0000-0x401f_ffff) has no room for nic0's 4M ROM.
            'PCI-WINDOW-NOT-WRITTEN',
            // gpu0audio is 05:00.1 but gpu0 (function 0) is not multi-function: Linux never scans
            // it (a language check; the fabric hides gpu0audio).
            'PCI-MF-NOT-MULTIFUNCTION',
            // nvme0 to guest1, gpu0 (below rp1, which has no ACS) stays with dom0. (nic0 and
            // nic0f1 are an Intel 82576, 8086:10c9, whose functions Linux's pci_quirk_mf_endpoint_acs
            // isolates: nic0f1 staying with dom0 is no split.)
            'HV-GROUP-SPLIT',
            // Step 5: 0x4020_0000 is not in dsp0's window.
            'HV-RELOCATE-INVALID',
            // Step 6: guest2 was never started.
            'SCN-GUEST-STATE',
        ]);
        const [ramOverlap, ecamOverlap, window, mf, nvmeSplit, relocate, guest] = findings;
        expect(ramOverlap!.message).toContain("overlaps the RAM dram (0x8000000000..0x8fffffffff)");
        expect(ecamOverlap!.message).toContain("The io window of host bridge pcie0 (0x3eff0000..0x3effffff) overlaps the ECAM of host bridge pcie0");
        expect(window!.message).toContain('The mem window of root-port rp0 is not written, so pciplat takes the smallest window covering the written resources below it, 0x40100000..0x401fffff (BAR 3 of endpoint nic0 at 0x40100000..0x40103fff), as firmware must have programmed it; the expansion ROM of endpoint nic0 (size 0x400000) does not fit in it');
        expect(mf!.message).toContain('gpu0 (function 0 of device 0x00 below downstream-port dsp1) does not declare multifunction');
        expect(nvmeSplit!.message).toContain('IOMMU group 1 is split: nvme0 goes to guest1 (domid 1) but gpu0 stays with dom0;');
        expect(relocate!.message).toBe('relocate-bar nvme0 BAR 0 to 0x40200000: 0x40200000-0x40203fff is outside the windows of dsp0 that can hold it (mem 0x40800000..0x408fffff): the bridge does not forward it');
        expect(guest!.message).toBe('hot-unplug gpu0audio from guest2: guest2 is not running (xl pci-detach needs a running domain)');
        expect(result.functions.find((f) => f.name === 'nic0f1')!.bars[0]!.address).toBe(0x4012_0000n);
        expect(result.domains.find((d) => d.name === 'guest1')).toMatchObject({ running: false, devices: ['nvme0', 'nic0', 'nic0.vf[2]'] });
    });

    it('enumerates the VFs a scenario enables, not the ones of a step Linux refuses', async () => {
        const [platform] = await platformsFromFile(FILE);
        // scenario many { boot  enable-sriov nic0 num-vfs 9  enable-sriov nic0 num-vfs 6 }
        const at = platform!.loc;
        const steps: Step[] = [{ kind: 'boot', loc: at }, ...[9n, 6n].map((numVfs): Step => ({ kind: 'enable-sriov', device: 'nic0', numVfs, loc: at }))];
        const scenario: Scenario = { name: 'many', steps, loc: at, nameLoc: at };
        const result = simulate({ ...platform!, scenarios: [scenario] }, { scenario: 'many' });
        // nic0 has TotalVFs 8: `num-vfs 9` is refused (-ERANGE), so six VFs are enumerated, all found.
        const vfs = result.functions.filter((f) => f.pf === 'nic0');
        expect(vfs.map((f) => f.name)).toEqual(Array.from({ length: 6 }, (_, i) => `nic0.vf[${i}]`));
        expect(vfs.every((f) => f.invisible === undefined && f.streamIds.length === 1)).toBe(true);
        expect(result.findings.map((f) => f.code)).toContain('SCN-SRIOV-STATE');
    });
});
