// Placement findings (DOMAIN B.12 items 12-15 and 24): written resources outside the host bridge's
// windows or their bridge's window, non-prefetchable memory where a bridge cannot forward it,
// overlaps, and what Linux could not place for lack of space. Overlaps are found with one sort and
// a sweep per address space, never by comparing all pairs.
import { finding, type Finding, type RelatedLoc } from '../../findings/finding.js';
import { clipToRegion, regionsFor } from './assign.js';
import { capitalised, functionLabel, hex, hostBridgeLabel, range, resourceLabel, SLOT_OF_INDEX, spaceLabel, typeLabel } from './labels.js';
import {
    IORESOURCE_IO,
    IORESOURCE_MEM_64,
    IORESOURCE_PREFETCH,
    WINDOW_SLOTS,
    allResources,
    type Aperture,
    type PlacementBus,
    type PlacementDevice,
    type Resource,
    type WindowSlot,
} from './resource.js';

const FOUR_GIB = 1n << 32n;

/** One host bridge's buses, parents first (busesTopDown()). */
export interface PlacedHostBridge {
    root: PlacementBus;
    buses: readonly PlacementBus[];
}

export function placementFindings(hosts: readonly PlacedHostBridge[]): Finding[] {
    const findings: Finding[] = [];
    const placed: Resource[] = [];
    let anyWritten = false;
    // What each bridge window was sized from, so a window that finds no space can name its cause.
    const counted = new Map<Resource, Resource[]>();
    for (const { buses } of hosts) {
        for (const bus of buses) {
            for (const device of bus.devices) {
                for (const r of [...device.resources, ...WINDOW_SLOTS.flatMap((slot) => device.windows?.[slot] ?? [])]) {
                    if (!r.sizedInto) continue;
                    const list = counted.get(r.sizedInto);
                    if (list) list.push(r);
                    else counted.set(r.sizedInto, [r]);
                }
            }
        }
    }
    const noSpace = (resource: Resource, bus: PlacementBus) => noSpaceFinding(resource, bus, counted);
    // Unwritten windows above firmware-placed resources (firmware-windows.ts): one finding per
    // window that could not cover them, which explains every resource it left outside, and one per
    // covering window too small for what Linux still had to place in it.
    const explained = new Set<Resource>();
    const tooSmall = new Map<Resource, Resource[]>();
    const failedIn = (resource: Resource): boolean => {
        const window = resource.failure?.tried.find((a) => a.window?.firmware && a.window.fixed)?.window;
        if (!window) return false;
        const list = tooSmall.get(window);
        if (list) list.push(resource);
        else tooSmall.set(window, [resource]);
        return true;
    };
    for (const { buses } of hosts) {
        for (const bus of buses) {
            for (const device of bus.devices) {
                for (const slot of WINDOW_SLOTS) {
                    const window = device.windows?.[slot];
                    if (!window?.firmware?.uncovered) continue;
                    for (const r of window.firmware.covers) explained.add(r);
                    findings.push(uncoveredFinding(window));
                }
            }
        }
    }
    hosts.forEach(({ root, buses }, hostIndex) => {
        for (const bus of buses) {
            let writtenOnBus = false;
            for (const device of bus.devices) {
                for (const resource of device.resources) {
                    if (resource.start !== undefined) {
                        placed.push(resource);
                        if (resource.fixed) {
                            writtenOnBus = true;
                            checkWrittenResource(resource, bus, root, findings, explained);
                        }
                    } else if (resource.failure) {
                        if (!resource.failure.becauseOf && !failedIn(resource)) findings.push(noSpace(resource, bus));
                    } else if (!device.assignable) {
                        findings.push(leftUnassigned(resource));
                    }
                }
                for (const slot of WINDOW_SLOTS) {
                    const window = device.windows?.[slot];
                    if (!window) continue;
                    if (window.fixed && window.start !== undefined) {
                        writtenOnBus = true;
                        checkWrittenWindow(window, bus, root, findings, explained);
                    } else if (window.failure && !window.failure.becauseOf && !failedIn(window)) {
                        findings.push(noSpace(window, bus));
                    }
                }
            }
            // What Linux placed never overlaps anything in the same window (the allocator only
            // hands out free space), so only buses with written resources can hold an overlap.
            if (writtenOnBus) checkWindowOverlaps(bus, hostIndex, findings);
            anyWritten ||= writtenOnBus;
        }
    });
    if (anyWritten) checkResourceOverlaps(placed, hosts.map((h) => h.root), findings);
    for (const [window, failed] of tooSmall) findings.push(tooSmallFinding(window, failed));
    return findings;
}

// ---------------------------------------------------------------------------------------------
// Unwritten windows above firmware-placed resources

const LSPCI_WINDOW: Record<WindowSlot, string> = { io: 'I/O behind bridge', mem: 'Memory behind bridge', prefetch: 'Prefetchable memory behind bridge' };

/** `BAR 0 of endpoint a at 0x…, BAR 2 of endpoint b at 0x… and 3 more` */
function listed(resources: readonly Resource[], describe: (r: Resource) => string): string {
    const shown = resources.slice(0, 3).map(describe);
    const more = resources.length - shown.length;
    if (more > 0) return `${shown.join(', ')} and ${more} more`;
    return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : shown[0]!;
}

function placedText(r: Resource): string {
    return `${resourceLabel(r)} at ${at(r)}`;
}

function uncoveredFinding(window: Resource): Finding {
    const { covers, uncovered } = window.firmware!;
    const slot = SLOT_OF_INDEX[window.index]!;
    const message = `The ${slot} window of ${functionLabel(window.owner.fn)} is not written, and no window can forward the written resources below it (${listed(covers, placedText)}): ${uncovered!.reason}. Write the window as firmware programmed it (lspci: "${LSPCI_WINDOW[slot]}"), or correct these addresses.`;
    return finding('PCI-WINDOW-NOT-WRITTEN', message, window.loc, [...covers.map((r) => ({ loc: r.loc, message: placedText(r) })), ...uncovered!.related]);
}

function tooSmallFinding(window: Resource, failed: readonly Resource[]): Finding {
    const { covers } = window.firmware!;
    const slot = SLOT_OF_INDEX[window.index]!;
    const free = window.aperture?.free.largest(window.start!, endOf(window));
    const freeText = free ? `the largest free range in it is ${hex(free.end - free.start + 1n)} bytes (${range(free.start, free.end)})` : 'nothing in it is free';
    const needs = listed(failed, (r) => `${resourceLabel(r)} (${sizeText(r)})`);
    const verb = failed.length > 1 ? 'do' : 'does';
    const message = `The ${slot} window of ${functionLabel(window.owner.fn)} is not written, so pciplat takes the smallest window covering the written resources below it, ${at(window)} (${listed(covers, placedText)}), as firmware must have programmed it; ${needs} ${verb} not fit in it: ${freeText}. Write the window as firmware programmed it (lspci: "${LSPCI_WINDOW[slot]}").`;
    const serious = failed.some((r) => !(r.flags & IORESOURCE_IO) && !reservationOnly(r));
    const related = [...failed.map((r) => ({ loc: r.loc, message: `${resourceLabel(r)} (${sizeText(r)})` })), ...covers.map((r) => ({ loc: r.loc, message: placedText(r) }))];
    return finding('PCI-WINDOW-NOT-WRITTEN', message, window.loc, related, serious ? 'error' : 'warning');
}

// ---------------------------------------------------------------------------------------------
// Helpers

function endOf(resource: Resource): bigint {
    return resource.start! + resource.size - 1n;
}

function at(resource: Resource): string {
    return range(resource.start!, endOf(resource));
}

function sameSpace(a: number, b: number): boolean {
    return ((a ^ b) & IORESOURCE_IO) === 0;
}

function containsResource(outer: { start: bigint; end: bigint }, resource: Resource): boolean {
    return outer.start <= resource.start! && endOf(resource) <= outer.end;
}

/** A bridge window that is open: placed or written, and not disabled. */
function openWindow(bridge: PlacementDevice, slot: WindowSlot): Resource | undefined {
    const window = bridge.windows?.[slot];
    return window && window.flags !== 0 && window.start !== undefined ? window : undefined;
}

function windowContains(window: Resource | undefined, resource: Resource): boolean {
    return window !== undefined && window.start! <= resource.start! && endOf(resource) <= endOf(window);
}

function windowRelated(window: Resource): RelatedLoc {
    return { loc: window.loc, message: `${SLOT_OF_INDEX[window.index]} window ${at(window)} of ${functionLabel(window.owner.fn)}` };
}

function apertureRelated(aperture: Aperture): RelatedLoc {
    return { loc: aperture.loc, message: aperture.label };
}

function hostWindowsOfSpace(root: PlacementBus, flags: number): Aperture[] {
    return root.apertures.filter((a) => sameSpace(a.flags, flags));
}

function rangesOf(apertures: readonly Aperture[]): string {
    return apertures.map((a) => range(a.start, a.end)).join(', ');
}

// ---------------------------------------------------------------------------------------------
// What Linux could not place

/** The largest free range Linux could have used for the resource in the windows it tried. */
function largestFree(resource: Resource, tried: readonly Aperture[]): { start: bigint; end: bigint } | undefined {
    let best: { start: bigint; end: bigint } | undefined;
    const widest = regionsFor(resource.flags).at(-1)!;
    for (const aperture of tried) {
        const clip = clipToRegion(aperture, widest);
        if (!clip) continue;
        const gap = aperture.free.largest(clip.start, clip.end);
        if (gap && (!best || gap.end - gap.start > best.end - best.start)) best = gap;
    }
    return best;
}

/** What kind of window the bus lacks, by __pci_assign_resource()'s rules. */
function missingWindow(flags: number): string {
    if (flags & IORESOURCE_IO) return 'no I/O window';
    if (flags & IORESOURCE_PREFETCH) return 'no memory window';
    if (!(flags & IORESOURCE_MEM_64)) return 'no 32-bit non-prefetchable memory window, the only kind Linux puts a 32-bit non-prefetchable resource in';
    return 'no non-prefetchable memory window, and a non-prefetchable resource never goes in a prefetchable one';
}

/**
 * A hot-plug port's window that is all reservation: on the ACPI path the reservation is optional,
 * so when it does not fit Linux leaves the window closed and nothing present suffers (nothing below
 * was sized into it); a device hot-plugged there later gets no space of that kind.
 */
const RESERVED_SPACE: Record<WindowSlot, string> = { io: 'I/O', mem: 'non-prefetchable memory', prefetch: 'prefetchable memory' };

function reservationOnly(resource: Resource): boolean {
    if (resource.role !== 'window' || resource.failure?.optional !== true) return false;
    return !(resource.owner.subordinate?.devices ?? []).some((device) => allResources(device).some((r) => r.sizedInto === resource));
}

/** The biggest resource a window was sized from, through the windows below it. */
function largestPart(window: Resource, counted: ReadonlyMap<Resource, Resource[]>): Resource | undefined {
    let part: Resource | undefined;
    let current: Resource | undefined = window;
    for (let depth = 0; current && depth < 64; depth++) {
        const parts = counted.get(current);
        if (!parts || parts.length === 0) break;
        part = parts.reduce((a, b) => (b.size > a.size ? b : a));
        current = part.role === 'window' ? part : undefined;
    }
    return part && part.role !== 'window' ? part : undefined;
}

function sizeText(resource: Resource): string {
    return resource.role === 'vf-bar' ? `${resource.size / resource.align} VFs × ${hex(resource.align)} = ${hex(resource.size)} bytes` : `size ${hex(resource.size)}`;
}

function noSpaceFinding(resource: Resource, bus: PlacementBus, counted: ReadonlyMap<Resource, Resource[]>): Finding {
    const tried = resource.failure?.tried ?? [];
    const io = (resource.flags & IORESOURCE_IO) !== 0;
    const what =
        resource.role === 'vf-bar'
            ? `${typeLabel(resource.flags)}, ${resource.size / resource.align} VFs × ${hex(resource.align)} = ${hex(resource.size)} bytes`
            : `${typeLabel(resource.flags)}, size ${hex(resource.size)}`;
    if (resource.failure?.closed) {
        const owner = functionLabel(resource.owner.fn);
        const message = `${capitalised(resourceLabel(resource))} (${what}) is written closed (\`window … none\`: the machine had it unassigned), so it is not placed: what below ${owner} needs ${spaceLabel(resource.flags)} space from it stays unassigned, as Linux left it.`;
        return finding(resource.role === 'vf-bar' ? 'SRIOV-APERTURE-NO-SPACE' : 'PCI-RESOURCE-NO-SPACE', message, resource.loc, [], io ? 'warning' : 'error');
    }
    let where: string;
    if (tried.length === 0) {
        const holder = bus.bridge ? functionLabel(bus.bridge.fn) : hostBridgeLabel(bus.hostBridge);
        where = `${holder} has ${missingWindow(resource.flags)}`;
    } else {
        const windows = tried.map((a) => a.label).join(', ');
        const widest = regionsFor(resource.flags).at(-1)!;
        if (tried.every((a) => !clipToRegion(a, widest))) {
            where = `it is a 32-bit resource and the ${windows} ${tried.length > 1 ? 'lie' : 'lies'} entirely above 4 GiB`;
        } else {
            const free = largestFree(resource, tried);
            where = `it needs ${hex(resource.size)} bytes aligned to ${hex(resource.align)} in the ${windows}, and ${
                free ? `the largest free range there is ${hex(free.end - free.start + 1n)} bytes (${range(free.start, free.end)})` : 'nothing there is free'
            }`;
        }
    }
    const related = tried.map(apertureRelated);
    const code = resource.role === 'vf-bar' ? 'SRIOV-APERTURE-NO-SPACE' : 'PCI-RESOURCE-NO-SPACE';
    if (reservationOnly(resource)) {
        const owner = functionLabel(resource.owner.fn);
        const message = `The hot-plug reservation of ${owner}, all of its ${SLOT_OF_INDEX[resource.index]} window (${what}, optional on the ACPI path), cannot be placed: ${where}. Linux leaves the window closed: a device hot-plugged below ${owner} gets no ${RESERVED_SPACE[SLOT_OF_INDEX[resource.index]!]} space.`;
        return finding(code, message, resource.loc, related, 'warning');
    }
    const part = resource.role === 'window' ? largestPart(resource, counted) : undefined;
    const cause = part ? ` Most of the window is ${resourceLabel(part)} (${sizeText(part)}).` : '';
    const below = resource.role === 'window' ? `${cause} What below ${functionLabel(resource.owner.fn)} needs ${spaceLabel(resource.flags)} space from it stays unassigned.` : '';
    const message = `${capitalised(resourceLabel(resource))} (${what}) cannot be placed: ${where}.${below}`;
    // Without its I/O BARs a function still works through memory (pci_enable_resources() skips
    // what was never assigned); without memory it does not.
    return finding(code, message, resource.loc, related, io ? 'warning' : 'error');
}

function leftUnassigned(resource: Resource): Finding {
    const fn = resource.owner.fn;
    const cls = '0x' + (fn.classCode ?? 0n).toString(16).padStart(6, '0');
    return finding(
        'PCI-BAR-NOT-ASSIGNED',
        `Linux leaves ${resourceLabel(resource)} unassigned: ${functionLabel(fn)} has class ${cls}, and Linux assigns no resources of host-bridge (0x0600xx) or undefined-class (0x0000xx) functions.`,
        resource.loc,
    );
}

// ---------------------------------------------------------------------------------------------
// Written resources (B.12 #12-#14)

function checkWrittenResource(resource: Resource, bus: PlacementBus, root: PlacementBus, findings: Finding[], explained: ReadonlySet<Resource>): void {
    const label = capitalised(resourceLabel(resource));
    const space = spaceLabel(resource.flags);
    const host = hostWindowsOfSpace(root, resource.flags);
    const inHost = host.filter((a) => containsResource(a, resource));
    const hostName = hostBridgeLabel(root.hostBridge);
    if (inHost.length === 0) {
        const message =
            host.length === 0
                ? `${label} at ${at(resource)} is ${space} space, but ${hostName} has no ${space} window: nothing routes those addresses to it.`
                : `${label} at ${at(resource)} lies outside every ${space} window of ${hostName} (${rangesOf(host)}): Linux cannot claim it and Xen on Arm refuses to map it.`;
        findings.push(eaOutside(finding('PCI-BAR-OUTSIDE-WINDOWS', message, resource.loc, host.map(apertureRelated)), resource));
        return;
    }
    const io = (resource.flags & IORESOURCE_IO) !== 0;
    const prefetchable = (resource.flags & IORESOURCE_PREFETCH) !== 0;
    const bridge = bus.bridge;
    if (!bridge) {
        if (!io && !prefetchable && inHost.every((a) => a.flags & IORESOURCE_PREFETCH)) {
            findings.push(
                finding(
                    'PCI-BAR-NONPREF-IN-PREF',
                    `${label} is not prefetchable but lies in the prefetchable ${inHost[0]!.label}: Linux refuses to claim it there, and prefetching reads may have side effects on it.`,
                    resource.loc,
                    inHost.map(apertureRelated),
                ),
            );
        }
        return;
    }
    const bridgeName = functionLabel(bridge.fn);
    if (io) {
        const window = openWindow(bridge, 'io');
        if (!windowContains(window, resource) && !explained.has(resource)) findings.push(eaOutside(outsideBridgeWindow(resource, bridge, ['io']), resource));
        return;
    }
    if (!prefetchable) {
        const pref = openWindow(bridge, 'prefetch');
        if (windowContains(pref, resource)) {
            findings.push(
                finding(
                    'PCI-BAR-NONPREF-IN-PREF',
                    `${label} is not prefetchable but lies in the prefetch window ${at(pref!)} of ${bridgeName}: a bridge may prefetch there, so a non-prefetchable BAR belongs in its memory window.`,
                    resource.loc,
                    [windowRelated(pref!)],
                ),
            );
            return;
        }
        const busEnd = endOf(resource) + inHost[0]!.busOffset;
        if (busEnd >= FOUR_GIB) {
            findings.push(
                finding(
                    'PCI-BAR-NONPREF-IN-PREF',
                    `${label} is not prefetchable and lies above 4 GiB (${at(resource)}) behind ${bridgeName}: a bridge forwards non-prefetchable memory only through its 32-bit memory window.`,
                    resource.loc,
                    openWindow(bridge, 'mem') ? [windowRelated(openWindow(bridge, 'mem')!)] : [],
                ),
            );
            return;
        }
        if (!windowContains(openWindow(bridge, 'mem'), resource) && !explained.has(resource)) findings.push(eaOutside(outsideBridgeWindow(resource, bridge, ['mem']), resource));
        return;
    }
    // A prefetchable BAR may use the prefetchable window or fall back to the memory window.
    if (!windowContains(openWindow(bridge, 'prefetch'), resource) && !windowContains(openWindow(bridge, 'mem'), resource) && !explained.has(resource)) {
        findings.push(eaOutside(outsideBridgeWindow(resource, bridge, ['prefetch', 'mem']), resource));
    }
}

/**
 * A BAR fixed by Enhanced Allocation outside the window that should reach it: the same fault, but
 * only the window can change (pci_ea_init takes the hardware's address and Linux never moves it).
 */
function eaOutside(f: Finding, resource: Resource): Finding {
    if (!resource.ea) return f;
    return finding('PCI-EA-OUTSIDE-WINDOW', `${f.message.replace(/\.$/, '')}; the address is fixed by Enhanced Allocation, so neither firmware nor Linux can move it: the window must cover it.`, f.loc, f.related);
}

function outsideBridgeWindow(resource: Resource, bridge: PlacementDevice, slots: WindowSlot[]): Finding {
    const label = capitalised(resourceLabel(resource));
    const bridgeName = functionLabel(bridge.fn);
    const open = slots.map((slot) => openWindow(bridge, slot)).filter((w): w is Resource => w !== undefined);
    const named = open.map((w) => `the ${SLOT_OF_INDEX[w.index]} window ${at(w)}`).join(' and ');
    const message =
        open.length === 0
            ? `${label} at ${at(resource)} sits below ${bridgeName}, which has no ${slots.join(' or ')} window: the bridge forwards no such addresses to it.`
            : `${label} at ${at(resource)} lies outside ${named} of ${bridgeName}: the bridge does not forward those addresses to it.`;
    const related = open.length > 0 ? open.map(windowRelated) : [{ loc: bridge.fn.nameLoc, message: bridgeName }];
    return finding('PCI-BAR-OUTSIDE-BRIDGE-WINDOW', message, resource.loc, related);
}

/** A written bridge window must lie in the window of its parent that forwards that type. */
function checkWrittenWindow(window: Resource, bus: PlacementBus, root: PlacementBus, findings: Finding[], explained: ReadonlySet<Resource>): void {
    const slot = SLOT_OF_INDEX[window.index]!;
    const label = `The ${slot} window ${at(window)} of ${functionLabel(window.owner.fn)}`;
    const space = spaceLabel(window.flags);
    const host = hostWindowsOfSpace(root, window.flags);
    const inHost = host.filter((a) => containsResource(a, window));
    const hostName = hostBridgeLabel(root.hostBridge);
    if (inHost.length === 0) {
        const message =
            host.length === 0
                ? `${label} forwards ${space} space, but ${hostName} has no ${space} window.`
                : `${label} lies outside every ${space} window of ${hostName} (${rangesOf(host)}).`;
        findings.push(finding('PCI-WINDOW-OUTSIDE-PARENT', message, window.loc, host.map(apertureRelated)));
        return;
    }
    const parent = bus.bridge;
    if (!parent) {
        if (slot === 'mem' && inHost.every((a) => a.flags & IORESOURCE_PREFETCH)) {
            findings.push(finding('PCI-WINDOW-OUTSIDE-PARENT', `${label} is non-prefetchable but lies in the prefetchable ${inHost[0]!.label}.`, window.loc, inHost.map(apertureRelated)));
        }
        return;
    }
    const candidates: WindowSlot[] = slot === 'prefetch' ? ['prefetch', 'mem'] : [slot];
    if (candidates.some((s) => windowContains(openWindow(parent, s), window)) || explained.has(window)) return;
    const open = candidates.map((s) => openWindow(parent, s)).filter((w): w is Resource => w !== undefined);
    const parentName = functionLabel(parent.fn);
    const message =
        open.length === 0
            ? `${label} sits below ${parentName}, which has no ${candidates.join(' or ')} window to feed it.`
            : `${label} lies outside ${open.map((w) => `the ${SLOT_OF_INDEX[w.index]} window ${at(w)}`).join(' and ')} of ${parentName}: the addresses never reach it.`;
    findings.push(finding('PCI-WINDOW-OUTSIDE-PARENT', message, window.loc, open.length > 0 ? open.map(windowRelated) : [{ loc: parent.fn.nameLoc, message: parentName }]));
}

// ---------------------------------------------------------------------------------------------
// Overlaps (B.12 #15)

interface Span {
    resource: Resource;
    key: string;
    start: bigint;
    end: bigint;
}

/** Memory is one CPU address space; each host bridge has its own I/O port space. */
function spaceKey(resource: Resource, hostIndex: number): string {
    return resource.flags & IORESOURCE_IO ? `io:${hostIndex}` : 'mem';
}

function bySpaceThenStart(a: Span, b: Span): number {
    if (a.key !== b.key) return a.key < b.key ? -1 : 1;
    if (a.start !== b.start) return a.start < b.start ? -1 : 1;
    return a.end < b.end ? -1 : a.end > b.end ? 1 : 0;
}

/**
 * One sweep over spans sorted by space and start: each span is compared with the span reaching
 * furthest so far. `report` decides which pairs matter.
 */
function sweep(spans: Span[], report: (a: Span, b: Span) => void): void {
    spans.sort(bySpaceThenStart);
    let reach: Span | undefined;
    for (const span of spans) {
        if (reach && reach.key === span.key && span.start <= reach.end) report(span, reach);
        if (!reach || reach.key !== span.key || span.end > reach.end) reach = span;
    }
}

function overlapRange(a: Span, b: Span): string {
    return range(a.start > b.start ? a.start : b.start, a.end < b.end ? a.end : b.end);
}

/** Which of two overlapping resources Enhanced Allocation fixes (neither can then be moved by software). */
function eaNote(resources: readonly Resource[]): string {
    const fixed = resources.filter((r) => r.ea).map(resourceLabel);
    return fixed.length === 0 ? '' : ` (${fixed.join(' and ')} ${fixed.length === 1 ? 'is' : 'are'} fixed by Enhanced Allocation)`;
}

/** A ROM whose enable bit is clear decodes nothing, so it cannot conflict. */
function decodes(resource: Resource): boolean {
    return !(resource.role === 'rom' && resource.owner.fn.rom?.disabled);
}

function checkResourceOverlaps(resources: readonly Resource[], roots: readonly PlacementBus[], findings: Finding[]): void {
    const hostIndex = new Map(roots.map((root, index) => [root.hostBridge, index]));
    const spans: Span[] = resources
        .filter(decodes)
        .map((resource) => ({ resource, key: spaceKey(resource, hostIndex.get(resource.owner.bus.hostBridge) ?? 0), start: resource.start!, end: endOf(resource) }));
    sweep(spans, (later, earlier) => {
        // Point at the written one: placed resources never overlap what was claimed.
        const [fault, other] = !later.resource.fixed && earlier.resource.fixed ? [earlier, later] : [later, earlier];
        findings.push(
            finding(
                'PCI-BAR-OVERLAP',
                `${capitalised(resourceLabel(fault.resource))} at ${at(fault.resource)} overlaps ${resourceLabel(other.resource)} at ${at(other.resource)}: both decode ${overlapRange(fault, other)}${eaNote([fault.resource, other.resource])}.`,
                fault.resource.loc,
                [{ loc: other.resource.loc, message: `${resourceLabel(other.resource)} at ${at(other.resource)}` }],
            ),
        );
    });
}

/**
 * On one bus, a bridge's window must not overlap a sibling's window or BAR (B.12 #14-15): the
 * addresses would be both forwarded and decoded. BAR-against-BAR pairs are the global check's.
 */
function checkWindowOverlaps(bus: PlacementBus, hostIndex: number, findings: Finding[]): void {
    const spans: Span[] = [];
    let windows = 0;
    for (const device of bus.devices) {
        for (const resource of device.resources) {
            if (resource.start !== undefined && decodes(resource)) spans.push({ resource, key: spaceKey(resource, hostIndex), start: resource.start, end: endOf(resource) });
        }
        for (const slot of WINDOW_SLOTS) {
            const window = openWindow(device, slot);
            if (!window) continue;
            windows++;
            spans.push({ resource: window, key: spaceKey(window, hostIndex), start: window.start!, end: endOf(window) });
        }
    }
    if (windows === 0) return;
    sweep(spans, (later, earlier) => {
        const a = later.resource;
        const b = earlier.resource;
        if (a.role !== 'window' && b.role !== 'window') return;
        // The one at fault is a written window, else whichever was written.
        const aFirst = (a.role === 'window' && a.fixed) || (!(b.role === 'window' && b.fixed) && a.fixed);
        const [fault, other] = aFirst ? [later, earlier] : [earlier, later];
        findings.push(
            finding(
                'PCI-WINDOW-OVERLAP',
                `${capitalised(resourceLabel(fault.resource))} at ${at(fault.resource)} overlaps ${resourceLabel(other.resource)} at ${at(other.resource)} on the same bus: ${overlapRange(fault, other)} would be both forwarded and decoded.`,
                fault.resource.loc,
                [{ loc: other.resource.loc, message: `${resourceLabel(other.resource)} at ${at(other.resource)}` }],
            ),
        );
    });
}
