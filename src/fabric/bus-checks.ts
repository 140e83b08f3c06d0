// Checks of the bus numbers the description writes against the ones Linux computes (DOMAIN.md
// B.5.2.1, B.12 #6): bridge ranges inside what the bridges above forward, sibling ranges (and
// SR-IOV VF buses) disjoint, and, with `linux { assign-busses }`, written numbers Linux replaces.
// PCI-BRIDGE-BUSES (language) reports what the written numbers alone contradict (a range past
// its parent's written subordinate or the bus-range, written sibling ranges overlapping); here
// only what needs the computed numbers. Linear: one walk, one sort per bus of its bridges.
import type { LinuxOptions } from '../model/platform.js';
import { isBridge } from '../model/platform.js';
import type { SourceLoc } from '../model/source.js';
import { finding, type Finding } from '../findings/finding.js';
import { busKnownFromText, type BridgePlan } from './bus-numbers.js';
import { busRangeText, hex, label } from './pci-text.js';
import type { FabricFunction, HostBridgeFabric } from './topology.js';

export function checkBusNumbers(hostBridges: readonly HostBridgeFabric[], plans: ReadonlyMap<FabricFunction, BridgePlan>, linux: LinuxOptions, findings: Finding[]): void {
    for (const hb of hostBridges) {
        const stack: (readonly FabricFunction[])[] = [hb.root];
        while (stack.length > 0) {
            const onBus = stack.pop()!;
            checkDisjoint(onBus, plans, findings);
            for (const f of onBus) {
                if (f.invisible !== undefined || !isBridge(f.decl.kind)) continue;
                const plan = plans.get(f);
                if (!plan) continue;
                checkBridgeRange(f, onBus, plan, findings);
                if (linux.assignBusses) checkRenumbered(f, findings);
                stack.push(f.downstream);
            }
        }
    }
}

/** A bridge's written range must lie within what the bridges above forward (and the bus-range). */
function checkBridgeRange(b: FabricFunction, siblings: readonly FabricFunction[], plan: BridgePlan, findings: Finding[]): void {
    if (plan.exhausted || (!plan.firmware && !plan.fixedSecondary && plan.fixedSubordinate === undefined)) return;
    const secondary = b.secondary!;
    const subordinate = b.subordinate!;
    const at = b.decl.busNumbersLoc ?? plan.fixedSecondary?.loc ?? b.loc;
    const written = b.decl.secondary !== undefined || b.decl.subordinate !== undefined;
    if (subordinate < secondary) {
        // Only a written subordinate under a computed (or implied) secondary gets here; the
        // language sees it when the subordinate is not above the bus the text puts the bridge on.
        const known = busKnownFromText(b, { self: b.upstream, functions: siblings }, b.hostBridge);
        if (known !== undefined && subordinate <= known) return;
        findings.push(
            finding(
                'PCI-BUS-NUMBERS-INVALID',
                `${label(b)}'s subordinate bus ${hex(subordinate, 2)} is below its secondary bus ${hex(secondary, 2)}: the bridge forwards no bus at all.`,
                at,
                [{ loc: b.loc, message: `${label(b)}` }],
            ),
        );
        return;
    }
    const limit = plan.parentLimit;
    if (subordinate <= limit.end) return;
    // The language compares written numbers with the parent's written subordinate (or the
    // bus-range on the root bus), and a child's written bus with the bus-range.
    const setByParent = limit.kind === 'host' ? b.upstream === undefined : limit.setBy === b.upstream;
    if (written && setByParent) return;
    if (!written && limit.kind === 'host') return;
    const range = busRangeText(secondary, subordinate);
    if (limit.kind === 'host') {
        findings.push(
            finding(
                'PCI-BUS-OUTSIDE-HOST-BRIDGE',
                `${label(b)}'s buses ${range} exceed ${hex(limit.end, 2)}, ${limit.what}: the host bridge decodes no configuration cycle beyond it, so ${secondary > limit.end ? `nothing below ${b.name} is found` : `buses ${busRangeText(limit.end + 1n, subordinate)} are unreachable`}.`,
                at,
                [{ loc: limit.loc, message: `${limit.what} is ${hex(limit.end, 2)}` }],
            ),
        );
        return;
    }
    findings.push(
        finding(
            'PCI-BUS-OUTSIDE-PARENT',
            `${label(b)}'s buses ${range} reach beyond ${hex(limit.end, 2)}, ${limit.what}: configuration cycles for ${secondary > limit.end ? `bus ${hex(secondary, 2)} never reach ${b.name}, so nothing below it is found` : `buses ${busRangeText(limit.end + 1n, subordinate)} are not forwarded`}.`,
            at,
            [{ loc: limit.loc, message: `${limit.what} is ${hex(limit.end, 2)}` }],
        ),
    );
}

/** Buses claimed by one bridge, or by the VFs of one PF, on one bus. */
interface Claim {
    first: bigint;
    last: bigint;
    what: string;
    loc: SourceLoc;
    /** The range the text alone gives a bridge with a written secondary (what the language compares). */
    written?: { first: bigint; last: bigint };
}

/** Sibling bridges, and the VF buses of PFs beside them, must claim disjoint buses. */
function checkDisjoint(onBus: readonly FabricFunction[], plans: ReadonlyMap<FabricFunction, BridgePlan>, findings: Finding[]): void {
    const claims: Claim[] = [];
    for (const f of onBus) {
        if (f.invisible !== undefined) continue;
        const plan = plans.get(f);
        if (plan && !plan.exhausted && !plan.unreachable && f.secondary !== undefined && f.subordinate !== undefined && f.subordinate >= f.secondary) {
            const { secondary, subordinate } = f.decl;
            claims.push({
                first: f.secondary,
                last: f.subordinate,
                what: `${label(f)}'s buses ${busRangeText(f.secondary, f.subordinate)}`,
                loc: f.decl.busNumbersLoc ?? f.loc,
                written: secondary === undefined ? undefined : { first: secondary, last: subordinate ?? secondary },
            });
        }
        const vfBuses = vfBusesAbove(f);
        if (vfBuses) claims.push(vfBuses);
    }
    if (claims.length < 2) return;
    claims.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    let reach = claims[0]!;
    for (const claim of claims.slice(1)) {
        if (claim.first <= reach.last && !bothWrittenOverlap(claim, reach)) {
            const shared = busRangeText(claim.first, claim.last < reach.last ? claim.last : reach.last);
            findings.push(
                finding(
                    'PCI-BUS-CONFLICT',
                    `${claim.what} overlap ${reach.what}: configuration cycles for bus ${shared} reach only one of them.`,
                    claim.loc,
                    [{ loc: reach.loc, message: `${reach.what}` }],
                ),
            );
        }
        if (claim.last > reach.last) reach = claim;
    }
}

/** Written sibling ranges that overlap are the language's (PCI-BRIDGE-BUSES). */
function bothWrittenOverlap(a: Claim, b: Claim): boolean {
    return a.written !== undefined && b.written !== undefined && a.written.first <= b.written.last && b.written.first <= a.written.last;
}

/** The buses above its own that a PF's enabled VFs occupy, with no bridge (B.5.2.3). */
function vfBusesAbove(pf: FabricFunction): Claim | undefined {
    let last = pf.bus;
    for (const vf of pf.vfs) if (vf.invisible === undefined && vf.bus > last) last = vf.bus;
    if (last === pf.bus) return undefined;
    return { first: pf.bus + 1n, last, what: `the VFs of ${label(pf)} on buses ${busRangeText(pf.bus + 1n, last)}`, loc: pf.decl.sriov!.loc };
}

/** `linux { assign-busses }`: Linux ignores firmware's numbers (pcibios_assign_all_busses). */
function checkRenumbered(b: FabricFunction, findings: Finding[]): void {
    const { secondary, subordinate, busNumbersLoc } = b.decl;
    if (secondary === undefined && subordinate === undefined) return;
    if ((secondary === undefined || secondary === b.secondary) && (subordinate === undefined || subordinate === b.subordinate)) return;
    const written = [secondary !== undefined ? `secondary ${hex(secondary, 2)}` : '', subordinate !== undefined ? `subordinate ${hex(subordinate, 2)}` : ''].filter(Boolean).join(', ');
    findings.push(
        finding(
            'PCI-BUS-RENUMBERED',
            `${label(b)}'s written bus numbers (${written}) are not the ones Linux uses: it numbers the buses itself (\`linux { assign-busses }\`) and gives ${b.name} secondary ${hex(b.secondary!, 2)}, subordinate ${hex(b.subordinate!, 2)}.`,
            busNumbersLoc ?? b.loc,
            [{ loc: b.loc, message: `${label(b)}` }],
        ),
    );
}
