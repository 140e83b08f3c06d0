// `config-access` of a host bridge (issue 14): what each method needs written, the access widths,
// and the one Linux-side rule the text alone shows: the generic ECAM driver cannot run a
// controller that is not plain ECAM.
// - `index-data` needs its register pair (`at A size S`) and has no ECAM region; the other
//   methods take no `at`.
// - `dbi` and `sliding-window` reach the buses below the root through a second window: `child-ecam`.
// - `sizes` are access widths in bytes: 1, 2 or 4.
// - `special` lists functions an ECAM controller's driver special-cases: with `ecam` only.
// - `compatible "pci-host-ecam-generic"` on such a controller: Linux's pci-host-generic (and Xen's)
//   reach every function at its ECAM offset with 1-, 2- and 4-byte accesses
//   (linux:drivers/pci/controller/pci-host-generic.c gen_pci_of_match, pci_generic_ecam_ops).
// Codes LANG-MISSING-PROPERTY, LANG-NOT-APPLICABLE, LANG-CONTRADICTORY, LANG-VALUE-RANGE,
// HB-CONFIG-ACCESS-GENERIC.
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { ConfigAccess, HostBridge, PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { valueOf } from './ast-helpers.js';
import { relatedAt, report } from './report.js';

export function configAccessChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        ConfigAccess: checkConfigAccess,
    };
}

const GENERIC_ECAM = 'pci-host-ecam-generic';

/** Whether the access is something other than plain ECAM with every width. */
export function isNonStandardAccess(c: ConfigAccess): boolean {
    if (c.method !== undefined && c.method !== 'ecam') return true;
    if (c.special.length > 0) return true;
    const sizes = c.sizes.map(valueOf);
    return sizes.length > 0 && !(sizes.includes(1n) && sizes.includes(2n) && sizes.includes(4n));
}

/** How the method reads in a message. */
export function accessText(c: { method?: string; sizes: string[]; special: unknown[] }): string {
    const method = c.method === 'dbi' ? 'DBI and an iATU-retargeted window' : c.method === 'sliding-window' ? 'a sliding window' : c.method === 'index-data' ? 'an index/data register pair' : 'ECAM';
    const sizes = c.sizes.length > 0 ? ` with ${c.sizes.map((s) => valueOf(s)).filter((v) => v !== undefined).join('/')}-byte accesses only` : '';
    const special = c.special.length > 0 ? ` with per-device special cases` : '';
    return `${method}${sizes}${special}`;
}

function checkConfigAccess(c: ConfigAccess, accept: ValidationAcceptor): void {
    const bridge = c.$container as HostBridge;
    const name = bridge.name;
    if (c.method === 'index-data') {
        if (c.base === undefined) {
            report(accept, 'LANG-MISSING-PROPERTY', `config-access index-data of host bridge ${name} needs its address and data registers: write \`config-access index-data at A size S\`.`, { node: c, property: 'method' });
        }
        const region = bridge.ecams[0] ?? bridge.mcfgs[0];
        if (region) {
            report(accept, 'LANG-CONTRADICTORY', `Host bridge ${name} reaches configuration space through an index/data register pair, but also gives an ECAM region: write one.`, { node: c, property: 'method' }, [relatedAt(region, `${region.$type === 'Ecam' ? 'ecam' : 'mcfg'} of ${name}`)]);
        }
    } else if (c.base !== undefined) {
        report(accept, 'LANG-NOT-APPLICABLE', `\`at\` gives the registers of \`config-access index-data\`; config-access ${c.method} of host bridge ${name} reaches configuration space through its \`ecam\` (and \`child-ecam\`) regions.`, { node: c, property: 'base' });
    }
    if ((c.method === 'dbi' || c.method === 'sliding-window') && bridge.childEcams.length === 0) {
        report(accept, 'LANG-MISSING-PROPERTY', `config-access ${c.method} of host bridge ${name} reaches the buses below the root bus through a second window: write \`child-ecam at A size S\`.`, { node: c, property: 'method' });
    }
    c.sizes.forEach((text, index) => {
        const size = valueOf(text);
        if (size !== undefined && size !== 1n && size !== 2n && size !== 4n) {
            report(accept, 'LANG-VALUE-RANGE', `Access size ${size} of host bridge ${name}'s config-access is not 1, 2 or 4 bytes: configuration accesses are byte, word or dword.`, { node: c, property: 'sizes', index });
        }
    });
    if (c.special.length > 0 && c.method !== 'ecam') {
        report(accept, 'LANG-NOT-APPLICABLE', `\`special\` lists the functions an ECAM controller's driver special-cases; config-access ${c.method} of host bridge ${name} is not ECAM.`, { node: c, keyword: 'special' });
    }
    const compatible = bridge.compatibles[0];
    if (compatible?.values.some((v) => v === `"${GENERIC_ECAM}"` || v === GENERIC_ECAM)) {
        if (isNonStandardAccess(c)) {
            report(
                accept,
                'HB-CONFIG-ACCESS-GENERIC',
                `Host bridge ${name} is compatible "${GENERIC_ECAM}", whose driver (Linux's and Xen's pci-host-generic) reaches every function at its ECAM offset with 1-, 2- and 4-byte accesses, but the controller's configuration access is ${accessText(c)}: give the controller's own compatible, whose driver knows it.`,
                { node: compatible, property: 'values' },
                [relatedAt(c, `config-access of ${name}`)],
            );
        }
    }
}
