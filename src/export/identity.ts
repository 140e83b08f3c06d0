// What a function says about itself in config space (vendor, device, class, revision), as the
// exports print it. The simulation's per-function results carry addresses and IDs, not these, so
// they are read from the declaration (a VF from its PF's: same vendor, class and revision, the
// SR-IOV VF Device ID when written, else the PF's device ID).
import type { FunctionResult } from '../engine/result.js';
import { allFunctions } from '../model/walk.js';
import type { FunctionKind, PciFunction, Platform } from '../model/platform.js';

export interface Identity {
    vendor?: bigint;
    device?: bigint;
    /** 24 bits: base class, subclass, programming interface. */
    classCode: bigint;
    revision: bigint;
}

/** The class a bridge of each kind reports when the description does not write one. */
const DEFAULT_CLASS: Partial<Record<FunctionKind, bigint>> = {
    'root-port': 0x060400n,
    'switch-upstream': 0x060400n,
    'downstream-port': 0x060400n,
    'pcie-pci-bridge': 0x060400n,
    'pci-pcie-bridge': 0x060400n,
    'pci-bridge': 0x060400n,
};

export class Identities {
    private readonly decls = new Map<string, PciFunction>();

    constructor(platform: Platform) {
        for (const f of allFunctions(platform.hostBridges.flatMap((hb) => hb.functions))) this.decls.set(f.name, f);
    }

    /** The declaration of a function, or of its PF for a VF. */
    decl(f: Pick<FunctionResult, 'name' | 'pf'>): PciFunction | undefined {
        return this.decls.get(f.pf ?? f.name);
    }

    of(f: Pick<FunctionResult, 'name' | 'pf'>): Identity {
        const d = this.decl(f);
        if (!d) return { classCode: 0n, revision: 0n };
        const device = f.pf !== undefined ? (d.sriov?.vfDevice ?? d.device) : d.device;
        return { vendor: d.vendor, device, classCode: d.classCode ?? DEFAULT_CLASS[d.kind] ?? 0n, revision: d.revision ?? 0n };
    }
}
