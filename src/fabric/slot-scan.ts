// Which of the functions declared on one bus Linux's scan finds, and at which devfn
// (linux:drivers/pci/probe.c pci_scan_child_bus_extend -> pci_scan_slot, next_fn,
// only_one_child; DOMAIN.md B.1.1.3-5, B.12 #7-9).
import type { FunctionKind, HostBridge } from '../model/platform.js';
import { finding, type Finding } from '../findings/finding.js';
import { ariChain, ariDecision, isPcie } from './ari.js';
import { bdfText, hex, label } from './pci-text.js';
import type { FabricFunction } from './topology.js';

export interface ScannedBus {
    number: bigint;
    segment: bigint;
    hostBridge: HostBridge;
    /** The bridge whose secondary bus this is; undefined for the root bus. */
    self?: FabricFunction;
}

/**
 * only_one_child: below a PCIe Root Port, Downstream Port or PCI/PCI-X-to-PCIe bridge
 * (pcie_downstream_port) the link carries one device, so Linux scans only device 0 there unless
 * `pci=pcie_scan_all` (PCIe r3.1 §7.3.1).
 */
const ONE_DEVICE_BELOW: ReadonlySet<FunctionKind> = new Set<FunctionKind>(['root-port', 'downstream-port', 'pci-pcie-bridge']);

/**
 * Sets devfn, device, fn, `ari` and `invisible` of the functions declared on `bus` (those not
 * already hidden by an ancestor) and returns the ones Linux finds, in scan (devfn) order.
 * devfn is the RID's low byte: dev<<3|fn, or the 8-bit function number under ARI; device and
 * fn are always its two fields, as Linux and lspci print them.
 */
export function scanSlots(bus: ScannedBus, functions: readonly FabricFunction[], scanAll: boolean, findings: Finding[]): FabricFunction[] {
    const fn0 = functions.find((f) => f.decl.address.device === 0n && f.decl.address.fn === 0n);
    const ari = ariDecision(bus.self, fn0, bus.hostBridge.name);
    const byDevfn = new Map<bigint, FabricFunction>();
    const candidates: FabricFunction[] = [];
    for (const f of functions) {
        const { device, fn } = f.decl.address;
        const devfn = device * 8n + fn;
        setDevfn(f, devfn & 0xffn, ari.enabled);
        if (device > 31n || devfn > 0xffn) {
            // PCI-DEVICE-RANGE / PCI-FUNCTION-RANGE are the language's; no config cycle reaches it.
            f.invisible = device > 31n ? `device number ${hex(device)} is beyond 0x1f, the last of a bus's 32 devices` : `function ${hex(fn)} of device ${hex(device)} is beyond the 256 routing IDs of a bus`;
            continue;
        }
        if (fn > 7n && !ari.enabled) {
            // PCI-FUNCTION-RANGE (language) reports it from the text, with the same reasons.
            f.invisible = `function number ${hex(fn, 2)} needs ARI, which is not enabled: ${ari.why()}`;
            continue;
        }
        const first = byDevfn.get(devfn);
        if (first) {
            // Two declarations of one devfn: PCI-ADDRESS-DUPLICATE (language) reports it.
            f.invisible = `${first.name} is declared at the same devfn ${hex(devfn, 2)}`;
            continue;
        }
        byDevfn.set(devfn, f);
        candidates.push(f);
    }
    const found = ari.enabled ? followAriChain(bus, candidates, byDevfn, findings) : scanSlotsWithoutAri(bus, candidates, byDevfn, scanAll, findings);
    return found.sort((a, b) => (a.devfn < b.devfn ? -1 : a.devfn > b.devfn ? 1 : 0));
}

function setDevfn(f: FabricFunction, devfn: bigint, ari: boolean): void {
    f.devfn = devfn;
    f.device = devfn >> 3n;
    f.fn = devfn & 7n;
    f.ari = ari;
}

/** next_fn without ARI: fn 1-7 only when fn 0 exists and is multi-function (B.1.1.4, B.12 #9). */
function scanSlotsWithoutAri(
    bus: ScannedBus,
    candidates: readonly FabricFunction[],
    byDevfn: ReadonlyMap<bigint, FabricFunction>,
    scanAll: boolean,
    findings: Finding[],
): FabricFunction[] {
    const port = bus.self;
    const oneDevice = !scanAll && port !== undefined && isPcie(port) && ONE_DEVICE_BELOW.has(port.decl.kind);
    const found: FabricFunction[] = [];
    for (const f of candidates) {
        if (oneDevice && f.device !== 0n) {
            f.invisible = `Linux scans only device 0 below ${label(port!)}`;
            findings.push(
                finding(
                    'PCI-DEVICE-INVISIBLE',
                    `${label(f)} at ${bdfText(bus.segment, bus.number, f.devfn)} is device ${hex(f.device, 2)} below ${label(port!)}: the link below a Root Port or Downstream Port carries one device, so Linux scans only device 0 there (unless ARI is enabled or \`linux { pcie-scan-all }\`) and never finds ${f.name}.`,
                    f.decl.address.loc,
                    [{ loc: port!.loc, message: `${label(port!)}: Linux scans only device 0 below it` }],
                ),
            );
            continue;
        }
        if (f.fn !== 0n) {
            // The language warns (PCI-MF-NO-FUNCTION0, PCI-MF-NOT-MULTIFUNCTION); here they are only hidden.
            const fn0 = byDevfn.get(f.devfn & ~7n);
            if (!fn0) {
                f.invisible = `device ${hex(f.device, 2)} has no function 0, so Linux scans none of its functions`;
                continue;
            }
            if (!fn0.decl.multifunction) {
                f.invisible = `function 0 of device ${hex(f.device, 2)} (${fn0.name}) is not multi-function, so Linux does not scan functions 1-7`;
                continue;
            }
        }
        found.push(f);
    }
    return found;
}

/** With ARI the scan follows the Next Function chain from function 0 (probe.c next_ari_fn). */
function followAriChain(bus: ScannedBus, candidates: readonly FabricFunction[], byDevfn: ReadonlyMap<bigint, FabricFunction>, findings: Finding[]): FabricFunction[] {
    const chain = ariChain(byDevfn);
    const reached = new Set(chain.scanned);
    const last = chain.scanned[chain.scanned.length - 1];
    const path = chainText(chain.scanned);
    for (const f of candidates) {
        if (reached.has(f)) continue;
        f.invisible = `the ARI Next Function chain below ${bus.self!.name} does not reach it (${chain.end})`;
        findings.push(
            finding(
                'PCI-ARI-NOT-IN-CHAIN',
                `${label(f)} (ARI function ${hex(f.devfn, 2)}) is not in the ARI Next Function chain below ${label(bus.self!)}: Linux scans ${path} and stops (${chain.end}), so it never finds ${f.name}.`,
                f.decl.address.loc,
                last ? [{ loc: last.decl.ari?.loc ?? last.loc, message: `the chain ends at ${label(last)}` }] : [],
            ),
        );
    }
    return chain.scanned;
}

function chainText(scanned: readonly FabricFunction[]): string {
    const shown = scanned.slice(0, 8).map((f) => hex(f.devfn, 2));
    return (shown.join(' -> ') || 'nothing') + (scanned.length > 8 ? ` -> ... (${scanned.length} functions)` : '');
}
