// Enumeration: the fabric as Linux's scan finds it. Segments, bus numbers (depth-first, as
// Linux assigns them when firmware did not), which functions the scan reaches (only device 0
// below a port, functions 1-7 of multi-function devices, ARI chains), and SR-IOV VFs (DOMAIN.md
// B.1.1, B.5, B.7, B.11.1). Linear in the number of functions (VFs included): maps and one sort
// per bus, never all pairs.
//
// Findings: only what needs Linux's numbering and scan (B.12 #6, #7, #22, #23). What the text
// alone contradicts is the language checks' (PCI-BRIDGE-BUSES, PCI-ADDRESS-BUS,
// PCI-ADDRESS-SEGMENT, PCI-FUNCTION-RANGE for B.12 #8, PCI-MF-* for #9, SRIOV-* register rules);
// the functions they make unreachable are still marked `invisible` here, with the reason.
import type { HostBridge, PciFunction, Platform } from '../model/platform.js';
import { finding, type Finding } from '../findings/finding.js';
import { checkBusNumbers } from './bus-checks.js';
import { numberBuses, type BridgePlan } from './bus-numbers.js';
import { bdfText, hex, label } from './pci-text.js';
import { numVfsOf } from './sriov.js';
import { rid, type FabricFunction, type HostBridgeFabric, type Topology } from './topology.js';
import { applyFixups } from './quirks/apply.js';
import { createVfs } from './virtual-functions.js';
import { hideBusesOutsideMcfg } from './mcfg-coverage.js';
import { checkCancelled } from '../util/cancellation.js';

export interface EnumerateOptions {
    /**
     * NumVFs per PF name, overriding the declared `num-vfs`: a scenario's `enable-sriov` and
     * `disable-sriov` (0) steps re-enumerate with it.
     */
    numVfs?: ReadonlyMap<string, bigint>;
}

export interface Enumeration {
    topology: Topology;
    findings: Finding[];
}

export function enumerate(platform: Platform, options: EnumerateOptions = {}): Enumeration {
    const findings: Finding[] = [];
    const segments = allocateSegments(platform.hostBridges);
    const plans = new Map<FabricFunction, BridgePlan>();
    const hostBridges: HostBridgeFabric[] = platform.hostBridges.map((hostBridge, i) => {
        const segment = segments[i]!;
        const root = hostBridge.functions.map((decl) => declared(decl, hostBridge, segment, undefined));
        numberBuses(hostBridge, segment, root, platform.linux, findings, plans);
        hideBusesOutsideMcfg(hostBridge, segment, root, platform.arch);
        return { hostBridge, segment, root };
    });

    // Depth-first in scan order (devfn order on each bus), each PF's VFs right after its subtree.
    const functions: FabricFunction[] = [];
    const visit = (f: FabricFunction): void => {
        checkCancelled();
        functions.push(f);
        for (const child of byDevfn(f.downstream)) visit(child);
        if (f.decl.sriov) {
            f.vfs = createVfs(f, numVfsOf(f.name, f.decl.sriov, options.numVfs), findings);
            for (const vf of f.vfs) functions.push(vf);
        }
    };
    for (const hb of hostBridges) for (const f of byDevfn(hb.root)) visit(f);

    checkBusNumbers(hostBridges, plans, platform.linux, findings);
    checkVfRoutingIds(functions, findings);
    applyFixups(functions, platform);

    const byName = new Map<string, FabricFunction>();
    for (const f of functions) if (!byName.has(f.name)) byName.set(f.name, f);
    return { topology: { platform, hostBridges, functions, byName }, findings };
}

/**
 * Segment (PCI domain) numbers: the written `segment` (`linux,pci-domain`), else allocated
 * 0, 1, 2... in declaration order, skipping numbers written elsewhere, as Linux 6.1 allocates
 * dynamic domains after reserving the static ones (drivers/pci/pci.c of_pci_bus_find_domain_nr;
 * DOMAIN.md B.5.1.4). Mixing both is a Xen problem reported elsewhere.
 */
export function allocateSegments(hostBridges: readonly HostBridge[]): bigint[] {
    const written = new Set(hostBridges.flatMap((hb) => (hb.segment === undefined ? [] : [hb.segment])));
    let next = 0n;
    return hostBridges.map((hb) => {
        if (hb.segment !== undefined) return hb.segment;
        while (written.has(next)) next++;
        return next++;
    });
}

/** A declared function and everything nested in it, before the scan numbers them. */
function declared(decl: PciFunction, hostBridge: HostBridge, segment: bigint, upstream: FabricFunction | undefined): FabricFunction {
    const devfn = (decl.address.device * 8n + decl.address.fn) & 0xffn;
    const f: FabricFunction = {
        name: decl.name,
        decl,
        isVf: false,
        hostBridge,
        segment,
        bus: decl.address.bus ?? upstream?.decl.secondary ?? hostBridge.busStart,
        device: devfn >> 3n,
        fn: devfn & 7n,
        devfn,
        upstream,
        downstream: [],
        vfs: [],
        ari: false,
        loc: decl.nameLoc,
    };
    f.downstream = decl.children.map((child) => declared(child, hostBridge, segment, f));
    return f;
}

function byDevfn(functions: readonly FabricFunction[]): readonly FabricFunction[] {
    if (functions.length < 2) return functions;
    return [...functions].sort((a, b) => (a.devfn < b.devfn ? -1 : a.devfn > b.devfn ? 1 : 0));
}

/** Related locations listed per finding at most; a bad offset can make thousands of VFs collide. */
const MAX_RELATED = 8;

/**
 * B.12 #22: a VF's routing ID must not be another function's (declared or VF) in the same
 * segment. One finding per PF, naming its first colliding VF and how many collide.
 */
function checkVfRoutingIds(functions: readonly FabricFunction[], findings: Finding[]): void {
    const taken = new Map<number, FabricFunction>();
    // A number key (segment, bus, devfn) is cheaper than a bigint one for 100k functions.
    const key = (f: FabricFunction) => (Number(f.segment) * 0x100 + Number(f.bus)) * 0x100 + Number(f.devfn);
    for (const f of functions) if (!f.isVf && f.invisible === undefined && !taken.has(key(f))) taken.set(key(f), f);
    let pf: FabricFunction | undefined;
    let collisions: { vf: FabricFunction; other: FabricFunction }[] = [];
    const report = (): void => {
        if (!pf || collisions.length === 0) return;
        const { vf, other } = collisions[0]!;
        const more = collisions.length > 1 ? `; ${collisions.length} of ${pf.name}'s ${pf.vfs.length} VFs collide` : '';
        const others = [...new Set(collisions.map((c) => c.other))].slice(0, MAX_RELATED);
        findings.push(
            finding(
                'SRIOV-RID-COLLISION',
                `${label(vf)} has RID ${hex(rid(vf), 4)} (${bdfText(vf.segment, vf.bus, vf.devfn)}), already the RID of ${label(other)}${more}: configuration requests and DMA of the two cannot be told apart.`,
                pf.decl.sriov!.loc,
                others.map((o) => ({ loc: o.loc, message: `${label(o)} has RID ${hex(rid(o), 4)}` })),
            ),
        );
    };
    for (const f of functions) {
        if (!f.isVf || f.invisible !== undefined) continue;
        if (f.pf !== pf) {
            report();
            pf = f.pf;
            collisions = [];
        }
        const other = taken.get(key(f));
        if (other) collisions.push({ vf: f, other });
        else taken.set(key(f), f);
    }
    report();
}
