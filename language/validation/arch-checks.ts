// Hardware, tables and profiles of the other architecture (LANG-ARCH-MISMATCH): ITS, SMMU, GIC,
// IORT and device-tree ECAM are Arm; MCFG, IO-APIC and x86 IOMMUs are x86; Xen profiles model one
// architecture's Xen (DOMAIN A.2). (A platform's one arch line: platform-block-checks.ts.)
import { AstUtils, type AstNode, type ValidationAcceptor, type ValidationChecks } from 'langium';
import { isPlatform, type HardwareItem, type PciplatAstType, type Platform, type Xen } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { uncapitalised } from './ast-helpers.js';
import { placeOf, platformHardware } from './platform-helpers.js';
import { report, type Where } from './report.js';

export function archChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Platform: checkHardwareMatchesArch,
        Xen: checkProfileMatchesArch,
    };
}

/** The one architecture the platform states, if it states exactly one. */
function archOf(node: AstNode): string | undefined {
    const platform = AstUtils.getContainerOfType(node, isPlatform);
    const values = new Set((platform?.arch ?? []).map((a) => a.value).filter((v) => v !== undefined));
    return values.size === 1 ? [...values][0] : undefined;
}

/** Arm and x86 describe interrupts, IOMMUs and configuration space with different hardware and tables. */
function checkHardwareMatchesArch(platform: Platform, accept: ValidationAcceptor): void {
    const arch = archOf(platform);
    if (arch === undefined) return;
    for (const entry of platformHardware(platform)) {
        const mismatch = archMismatch(entry.item, arch);
        if (!mismatch) continue;
        const prefix = entry.via ? `In SoC ${entry.via.soc.ref!.name}, ` : '';
        const what = entry.via ? uncapitalised(mismatch.what) : mismatch.what;
        report(accept, 'LANG-ARCH-MISMATCH', `${prefix}${what}, but platform ${platform.name} is arch ${arch}.`, placeOf(entry, mismatch.where));
    }
    if (arch === 'x86_64' || arch === 'ppc64') {
        const instead = arch === 'x86_64' ? 'x86 uses DMAR/IVRS: `iommu ... scope`' : "POWER's IOMMU is each PHB's TCE tables";
        for (const iort of platform.iorts) {
            report(accept, 'LANG-ARCH-MISMATCH', `IORT is the Arm ACPI table for IOMMU and ITS mappings, but platform ${platform.name} is arch ${arch} (${instead}).`, { node: iort, keyword: 'iort' });
        }
    }
    if (arch === 'arm32') {
        for (const kvm of platform.kvms) {
            report(accept, 'LANG-ARCH-MISMATCH', `Linux removed KVM host support for 32-bit Arm in 5.7, but platform ${platform.name} is arch arm32 (a 32-bit Arm board passes devices through with Xen: \`xen { }\`).`, { node: kvm, keyword: 'kvm' });
        }
    }
    if (arch === 'ppc64') {
        for (const xen of platform.xens) {
            report(accept, 'LANG-ARCH-MISMATCH', `Xen has no PCI passthrough on POWER, but platform ${platform.name} is arch ppc64 (describe the host's VFIO with \`kvm { }\`).`, { node: xen, keyword: 'xen' });
        }
    }
}

function archMismatch(item: HardwareItem, arch: string): { what: string; where: Where<AstNode> } | undefined {
    const name = item.name;
    if (arch === 'ppc64') return powerMismatch(item);
    if (arch === 'x86_64') {
        switch (item.$type) {
            case 'Its': return { what: `ITS ${name} is an Arm GICv3 MSI controller`, where: { node: item, keyword: 'its' } };
            case 'Smmu': return { what: `SMMU ${name} is an Arm IOMMU`, where: { node: item, keyword: 'smmu' } };
            case 'Gic': return { what: `GIC ${name} is the Arm interrupt controller`, where: { node: item, keyword: 'gic' } };
            case 'HostBridge': {
                const ecam = item.ecams[0];
                if (!ecam) return undefined;
                return { what: `Host bridge ${name} uses \`ecam\`, the device-tree convention (x86 firmware gives ACPI MCFG: \`mcfg at A buses S..E\`)`, where: { node: ecam, keyword: 'ecam' } };
            }
            default: return undefined;
        }
    }
    switch (item.$type) {
        case 'IoApic': return { what: `IO-APIC ${name} is an x86 interrupt controller`, where: { node: item, keyword: 'ioapic' } };
        case 'X86Iommu': return item.kind ? { what: `IOMMU ${name} is ${item.kind}, an x86 IOMMU (Arm uses an SMMU)`, where: { node: item, property: 'kind' as never } } : undefined;
        case 'HostBridge': {
            const mcfg = item.mcfgs[0];
            if (!mcfg) return undefined;
            return { what: `Host bridge ${name} uses \`mcfg\`, an ACPI table (Xen on Arm has no ACPI PCI support and finds host bridges in the device tree: \`ecam at A size S\`)`, where: { node: mcfg, keyword: 'mcfg' } };
        }
        default: return undefined;
    }
}

/** POWER (issue 14): no Arm interrupt controllers or SMMUs, no x86 IOMMUs or IO-APICs, no ACPI MCFG (OPAL firmware describes PHBs). */
function powerMismatch(item: HardwareItem): { what: string; where: Where<AstNode> } | undefined {
    const name = item.name;
    switch (item.$type) {
        case 'Its': return { what: `ITS ${name} is an Arm GICv3 MSI controller`, where: { node: item, keyword: 'its' } };
        case 'Smmu': return { what: `SMMU ${name} is an Arm IOMMU`, where: { node: item, keyword: 'smmu' } };
        case 'Gic': return { what: `GIC ${name} is the Arm interrupt controller`, where: { node: item, keyword: 'gic' } };
        case 'IoApic': return { what: `IO-APIC ${name} is an x86 interrupt controller`, where: { node: item, keyword: 'ioapic' } };
        case 'X86Iommu': return item.kind ? { what: `IOMMU ${name} is ${item.kind}, an x86 IOMMU (POWER translates DMA in each PHB's TCE tables)`, where: { node: item, property: 'kind' as never } } : undefined;
        case 'HostBridge': {
            const mcfg = item.mcfgs[0];
            if (!mcfg) return undefined;
            return { what: `Host bridge ${name} uses \`mcfg\`, an ACPI table (POWER firmware describes its PHBs in the device tree)`, where: { node: mcfg, keyword: 'mcfg' } };
        }
        default: return undefined;
    }
}

/** Profiles model one architecture's Xen (DOMAIN A.2). */
function checkProfileMatchesArch(xen: Xen, accept: ValidationAcceptor): void {
    const arch = archOf(xen);
    // On POWER the xen block itself is the mismatch (checkHardwareMatchesArch).
    if (arch === undefined || arch === 'ppc64') return;
    for (const profile of xen.profiles) {
        const profileArch = profile.value === 'x86-pvh' ? 'x86_64' : profile.value?.startsWith('arm-') ? 'arm64' : undefined;
        // The Arm profiles model Xen on 32-bit Arm too (issue 14: the design's 32-bit question, upstream's missing PCI there).
        const sameFamily = profileArch === arch || (profileArch === 'arm64' && arch === 'arm32');
        if (profileArch && !sameFamily) {
            report(accept, 'LANG-ARCH-MISMATCH', `Xen profile ${profile.value} models Xen on ${profileArch}, but platform ${xen.$container.name} is arch ${arch}.`, { node: profile, property: 'value' });
        }
    }
}
