// The one engine: the CLI and the language server both call `simulate` on a lowered platform.
// The fabric layer (src/fabric) computes buses, placement, IDs and groups; the hypervisor and
// scenario layers build on it.
import type { Finding } from '../findings/finding.js';
import type { PciFunction, Platform, Profile } from '../model/platform.js';
import { defaultProfile } from './profile.js';
import type { FunctionResult, SimulationResult } from './result.js';

export interface SimulationOptions {
    /** Overrides the platform's profile (`--profile`). */
    profile?: Profile;
    /** The scenario to play; the implicit one (boot, start every domain) when absent. */
    scenario?: string;
}

export function simulate(platform: Platform, options: SimulationOptions = {}): SimulationResult {
    const profile = options.profile ?? defaultProfile(platform);
    const findings: Finding[] = [];
    const functions: FunctionResult[] = [];
    platform.hostBridges.forEach((hostBridge, index) => {
        // Without `linux,pci-domain` segments are allocated in order, as Linux and Xen do.
        const segment = hostBridge.segment ?? BigInt(index);
        const visit = (fn: PciFunction, bus: bigint | undefined) => {
            const ownBus = fn.address.bus ?? bus;
            functions.push({
                name: fn.name,
                kind: fn.kind,
                segment,
                bus: ownBus,
                device: fn.address.device,
                fn: fn.address.fn,
                bars: fn.bars.map((b) => ({ index: b.index, kind: b.kind, prefetchable: b.prefetchable, size: b.size, address: b.address })),
                loc: fn.loc,
            });
            for (const child of fn.children) visit(child, fn.secondary);
        };
        for (const fn of hostBridge.functions) visit(fn, hostBridge.busStart);
    });
    return { platform: platform.name, profile, functions, findings };
}
