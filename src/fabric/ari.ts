// ARI (Alternative Routing-ID Interpretation): when Linux enables it below a port, and which
// functions its scan then reaches (DOMAIN.md B.1.1.3-4).
import type { FunctionKind } from '../model/platform.js';
import { hex, label } from './pci-text.js';
import type { FabricFunction } from './topology.js';

/** Conventional PCI functions have no PCI Express capability (pci_is_pcie() is false). */
const CONVENTIONAL: ReadonlySet<FunctionKind> = new Set<FunctionKind>(['pci-device', 'pci-bridge']);

export function isPcie(f: FabricFunction): boolean {
    return f.isVf || !CONVENTIONAL.has(f.decl.kind);
}

/** Why ARI is off, worded only when needed (most ports never forward ARI). */
export type AriDecision = { enabled: true } | { enabled: false; why: () => string };

/**
 * linux:drivers/pci/pci.c pci_configure_ari, run when the function at devfn 0 of a bus is found:
 * ARI forwarding is enabled in the bridge above only if the bridge advertises it (Device
 * Capabilities 2) and that function is PCIe and has an ARI capability. The root bus has no
 * bridge above it, so never ARI. `fn0` is the function declared at device 0, function 0.
 */
export function ariDecision(port: FabricFunction | undefined, fn0: FabricFunction | undefined, rootBusOf: string): AriDecision {
    if (port && port.decl.ariForwarding && fn0 && isPcie(fn0) && fn0.decl.ari) return { enabled: true };
    return { enabled: false, why: () => whyNoAri(port, fn0, rootBusOf) };
}

function whyNoAri(port: FabricFunction | undefined, fn0: FabricFunction | undefined, rootBusOf: string): string {
    if (!port) return `functions on the root bus of host bridge ${rootBusOf} have no port above them to forward ARI`;
    if (!port.decl.ariForwarding) return `${label(port)} does not advertise ARI forwarding (\`ari-forwarding\`)`;
    if (!fn0) return `there is no function 0 below ${label(port)} to enable it`;
    if (!isPcie(fn0)) return `function 0 below ${port.name} (${label(fn0)}) is conventional PCI, without the PCIe capability ARI needs`;
    return `function 0 below ${port.name} (${label(fn0)}) has no \`ari\` capability`;
}

/** The functions Linux's ARI scan reaches, in order, and why the chain stops after the last one. */
export interface AriChain {
    scanned: FabricFunction[];
    /** `next-function 0x00 ends the chain`, `next-function 0x05 names no function`... */
    end: string;
}

/**
 * linux:drivers/pci/probe.c pci_scan_slot + next_ari_fn: start at function 0 and follow each
 * function's ARI Next Function Number; a value not above the current function number, a
 * function without an ARI capability, or a number where no function answers ends the chain.
 * `byFunction` maps the 8-bit ARI function number to the function declared there.
 */
export function ariChain(byFunction: ReadonlyMap<bigint, FabricFunction>): AriChain {
    const scanned: FabricFunction[] = [];
    let current = byFunction.get(0n);
    if (!current) return { scanned, end: 'there is no function 0' };
    let number = 0n;
    for (;;) {
        scanned.push(current);
        const ari = current.decl.ari;
        if (!ari) return { scanned, end: `${current.name} has no \`ari\` capability, which ends the chain` };
        const next = ari.nextFunction ?? 0n;
        if (next <= number) return { scanned, end: `${current.name}'s next-function ${hex(next, 2)} ends the chain` };
        const found = byFunction.get(next);
        if (!found) return { scanned, end: `${current.name}'s next-function ${hex(next, 2)} names no function, which ends the chain` };
        current = found;
        number = next;
    }
}
