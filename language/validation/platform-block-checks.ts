// The lines of a platform given once: exactly one arch, at most one iort, xen, kvm and linux
// block, each SoC included once. Codes LANG-MISSING-PROPERTY, LANG-DUPLICATE-PROPERTY.
// (The arch against the hardware and profiles: arch-checks.ts.)
import type { AstNode, ValidationAcceptor, ValidationChecks } from 'langium';
import type { ArchDecl, PciplatAstType, Platform } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { lineOf, valueOf } from './ast-helpers.js';
import { repeats } from './repeat-helpers.js';
import { report } from './report.js';

export function platformBlockChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Platform: [checkOneArch, checkOneBlockOfEachKind, checkEachSocIncludedOnce],
    };
}

function checkOneArch(platform: Platform, accept: ValidationAcceptor): void {
    if (platform.arch.length === 0) {
        report(accept, 'LANG-MISSING-PROPERTY', `Platform ${platform.name} has no arch: write \`arch arm64\` or \`arch x86_64\`.`, { node: platform, property: 'name' });
    }
    for (const r of repeats<ArchDecl>(platform.arch, () => 'arch')) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `Platform ${platform.name} declares arch ${r.count} times (first at line ${lineOf(r.first)}): a platform has one architecture.`, { node: r.item });
    }
}

function checkOneBlockOfEachKind(platform: Platform, accept: ValidationAcceptor): void {
    for (const r of repeats(platform.cpus, () => 'cpus')) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `Platform ${platform.name} gives cpus ${r.count} times (first at line ${lineOf(r.first)}).`, { node: r.item });
    }
    for (const cpus of platform.cpus) {
        if (valueOf(cpus.count) === 0n) report(accept, 'LANG-VALUE-RANGE', `Platform ${platform.name} has cpus 0: a machine has at least one CPU.`, { node: cpus, property: 'count' });
    }
    const blocks: Array<[string, AstNode[]]> = [['iort', platform.iorts], ['xen', platform.xens], ['kvm', platform.kvms], ['linux', platform.linuxes]];
    for (const [keyword, list] of blocks) {
        for (const r of repeats(list, () => keyword)) {
            report(accept, 'LANG-DUPLICATE-PROPERTY', `Platform ${platform.name} has ${r.count} ${keyword} blocks (first at line ${lineOf(r.first)}): merge them into one.`, { node: r.item, keyword });
        }
    }
}

function checkEachSocIncludedOnce(platform: Platform, accept: ValidationAcceptor): void {
    for (const r of repeats(platform.socs, (s) => s.soc?.ref?.name)) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `Platform ${platform.name} includes SoC ${r.item.soc.ref!.name} ${r.count} times (first at line ${lineOf(r.first)}).`, { node: r.item, property: 'soc' });
    }
}
