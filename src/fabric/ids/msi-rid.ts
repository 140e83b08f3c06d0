// The MSI requester ID: the input to msi-map / IORT for the ITS DeviceID. It is picked from the
// DMA alias walk but is not the same as the alias set (DOMAIN.md B.1.3).
import type { FabricFunction } from '../topology.js';
import { dmaAliases, type DmaAlias } from './dma-aliases.js';

/**
 * pci_msi_domain_get_msi_rid with get_msi_id_cb (linux:drivers/pci/msi/irqdomain.c): start from
 * the function's RID; for each alias the walk reports, replace the current value when the
 * reporting device's bus or the alias's bus differs from the current value's bus. Same-bus
 * dma_alias_mask aliases therefore never change it, and the last bus-changing (bridge) alias wins.
 */
export function msiRid(f: FabricFunction, aliases: readonly DmaAlias[] = dmaAliases(f)): bigint {
    let current = (f.bus << 8n) | f.devfn;
    for (const alias of aliases) {
        const bus = current >> 8n;
        if (alias.via.bus !== bus || alias.rid >> 8n !== bus) current = alias.rid;
    }
    return current;
}
