// A PCI function's capabilities and registers given twice (LANG-DUPLICATE-PROPERTY): rom, msi,
// msix, acs, ari, sriov, slot, bus numbers, each ID attribute and flag, and each of a bridge's
// three window registers (DOMAIN 5.4.1).
import type { AstNode, ValidationAcceptor, ValidationChecks } from 'langium';
import type { BridgeBuses, BridgeWindow, PciFunction, PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { lineOf } from './ast-helpers.js';
import { relatedAt, report } from './report.js';

export function functionDuplicatePropertyChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        PciFunction: checkPropertiesGivenOnce,
    };
}

/** Capabilities and registers a function has at most one of. */
function checkPropertiesGivenOnce(fn: PciFunction, accept: ValidationAcceptor): void {
    givenOnce(fn, fn.roms, 'rom', (n) => ({ node: n, keyword: 'rom' }), accept);
    givenOnce(fn, fn.msis, 'msi', (n) => ({ node: n, keyword: 'msi' }), accept);
    givenOnce(fn, fn.msixes, 'msix', (n) => ({ node: n, keyword: 'msix' }), accept);
    givenOnce(fn, fn.acses, 'acs', (n) => ({ node: n, keyword: 'acs' }), accept);
    givenOnce(fn, fn.aris, 'ari', (n) => ({ node: n, keyword: 'ari' }), accept);
    givenOnce(fn, fn.sriovs, 'sriov', (n) => ({ node: n, keyword: 'sriov' }), accept);
    givenOnce(fn, fn.slots, 'slot', (n) => ({ node: n, keyword: 'slot' }), accept);
    givenOnce(fn, fn.busNumbers, 'bus numbers', (n: BridgeBuses) => ({ node: n, keyword: n.secondary !== undefined ? 'secondary' : 'subordinate' }), accept);
    for (const key of new Set(fn.attrs.map((a) => a.key))) {
        givenOnce(fn, fn.attrs.filter((a) => a.key === key), key, (n) => ({ node: n, property: 'key' as const }), accept);
    }
    for (const flag of new Set(fn.flags.map((f) => f.flag))) {
        givenOnce(fn, fn.flags.filter((f) => f.flag === flag), flag, (n) => ({ node: n, property: 'flag' as const }), accept);
    }
    // A bridge has three window registers: I/O, memory (non-prefetchable) and prefetchable memory (DOMAIN 5.4.1).
    for (const register of ['I/O', 'memory', 'prefetchable memory']) {
        givenOnce(fn, fn.bridgeWindows.filter((w) => windowRegister(w) === register), `${register} window`, (n) => ({ node: n, keyword: 'window' }), accept);
    }
}

function givenOnce<N extends AstNode>(fn: PciFunction, items: N[], what: string, where: (n: N) => Parameters<typeof report<N>>[3], accept: ValidationAcceptor): void {
    const [first, ...again] = items;
    if (!first) return;
    for (const item of again) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `${fn.name} already has ${what} at line ${lineOf(first)}: it can have only one.`, where(item), [relatedAt(first, `first ${what} of ${fn.name}`)]);
    }
}

function windowRegister(window: BridgeWindow): string {
    return window.kind === 'io' ? 'I/O' : window.prefetch ? 'prefetchable memory' : 'memory';
}
