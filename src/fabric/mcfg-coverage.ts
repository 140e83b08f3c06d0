// What Linux cannot reach when a host bridge's MCFG entry covers fewer buses than the bridge
// decodes (language check HB-MCFG-PARTIAL reports the cause; here only its effect on the scan):
// - arm64: pci_mcfg_lookup (drivers/acpi/pci_mcfg.c) wants one entry covering the whole _CRS bus
//   range; without it the host bridge is not probed, so nothing below it is found.
// - x86: buses the entry does not cover are reached through the I/O ports 0xcf8/0xcfc only, and
//   those serve segment 0 (arch/x86/pci/common.c raw_pci_read): on another segment the functions
//   there are not found. On segment 0 they are found, through the 256-byte header only (the loss
//   of their extended capabilities is not simulated; the language check says it).
import type { Arch, HostBridge } from '../model/platform.js';
import { hex } from './pci-text.js';
import type { FabricFunction } from './topology.js';
import { hideBelow } from './visibility.js';

export function hideBusesOutsideMcfg(hb: HostBridge, segment: bigint, root: readonly FabricFunction[], arch: Arch): void {
    const covered = hb.ecam?.convention === 'mcfg' ? hb.ecam.buses : undefined;
    if (!covered || (covered.start <= hb.busStart && covered.end >= hb.busEnd)) return;
    const outside = (bus: bigint) => bus < covered.start || bus > covered.end;
    const span = `buses ${hex(covered.start, 2)}..${hex(covered.end, 2)}`;
    const hide = (f: FabricFunction, reason: string) => {
        f.invisible ??= reason;
        hideBelow(f, reason);
    };
    if (arch === 'arm64') {
        for (const f of root) hide(f, `host bridge ${hb.name} is not probed: its MCFG entry covers only ${span} of its bus range (pci_mcfg_lookup)`);
        return;
    }
    if (segment === 0n) return;
    const stack = [...root];
    while (stack.length > 0) {
        const f = stack.pop()!;
        if (f.invisible === undefined && outside(f.bus)) {
            hide(f, `bus ${hex(f.bus, 2)} of segment ${hex(segment)} is outside the MCFG entry of ${hb.name} (${span}), and I/O-port configuration access serves segment 0 only`);
            continue;
        }
        stack.push(...f.downstream);
    }
}
