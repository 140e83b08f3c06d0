// Walking the model's PCI function trees.
import type { PciFunction } from './platform.js';

/** Every function of the trees rooted at `functions`, depth first (parents before children). */
export function allFunctions(functions: readonly PciFunction[]): PciFunction[] {
    const out: PciFunction[] = [];
    const visit = (f: PciFunction) => {
        out.push(f);
        f.children.forEach(visit);
    };
    functions.forEach(visit);
    return out;
}
