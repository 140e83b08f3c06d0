// MSI checks: Multiple Message Capable is log2 of the vector count, 0..5, so a function requests
// 1, 2, 4, 8, 16 or 32 vectors (DOMAIN §6.1.1, B.12 item 20). Code PCI-MSI-VECTORS.
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { Msi, PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { isPowerOfTwo, valueOf } from './ast-helpers.js';
import { functionLabel } from './function-helpers.js';
import { report } from './report.js';

export function msiChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Msi: checkMsiVectorsEncodable,
    };
}

function checkMsiVectorsEncodable(msi: Msi, accept: ValidationAcceptor): void {
    const vectors = valueOf(msi.vectors);
    if (vectors === undefined || (isPowerOfTwo(vectors) && vectors <= 32n)) return;
    report(accept, 'PCI-MSI-VECTORS', `MSI of ${functionLabel(msi.$container)} requests ${vectors} vectors: Multiple Message Capable encodes 1, 2, 4, 8, 16 or 32.`, { node: msi, property: 'vectors' });
}
