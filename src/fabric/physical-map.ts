// The CPU's physical address map (DOMAIN.md B.12 item 2): ECAM / MCFG config regions, host-bridge
// windows, RAM and the MMIO of platform devices must not overlap, or config cycles, memory and
// device registers alias each other (Xen also maps host-bridge regions 1:1 into dom0). One sort
// and a sweep, never all pairs.
import { finding, type Finding } from '../findings/finding.js';
import type { ConfigWindow, HostBridge, Platform } from '../model/platform.js';
import type { SourceLoc } from '../model/source.js';
import { hex } from './pci-text.js';

interface Region {
    what: string;
    start: bigint;
    /** Exclusive. */
    end: bigint;
    loc: SourceLoc;
    /** An ECAM / MCFG area, or a host-bridge window: firmware may put the first inside the second. */
    role?: 'config' | 'window';
    /** The host bridge of a config area or window. */
    hostBridge?: string;
}

/** What the platform places in the CPU's physical address space, with the sizes it knows. */
export function physicalRegions(platform: Platform): Region[] {
    const regions: Region[] = [];
    const add = (what: string, start: bigint, size: bigint | undefined, loc: SourceLoc, role?: Region['role'], hostBridge?: string) => {
        if (size !== undefined && size > 0n) regions.push({ what, start, end: start + size, loc, role, hostBridge });
    };
    for (const m of platform.memory) add(`RAM ${m.name}`, m.base, m.size, m.loc);
    for (const hb of platform.hostBridges) {
        if (hb.ecam) add(`${configName(hb.ecam)} of host bridge ${hb.name}`, configStart(hb, hb.ecam), hb.ecam.size, hb.ecam.loc, 'config', hb.name);
        if (hb.childEcam) add(`child config window of host bridge ${hb.name}`, hb.childEcam.base, hb.childEcam.size, hb.childEcam.loc);
        const regs = hb.configAccess?.registers;
        if (regs) add(`config-access registers of host bridge ${hb.name}`, regs.base, regs.size, hb.configAccess!.loc);
        for (const w of hb.windows) {
            // x86 I/O windows are port space, not memory addresses.
            if (w.kind === 'io' && platform.arch === 'x86_64') continue;
            add(`${w.kind}${w.prefetchable ? ' prefetchable' : ''} window of host bridge ${hb.name}`, w.cpuBase, w.size, w.loc, 'window', hb.name);
        }
    }
    for (const d of platform.platformDevices) if (!d.io) add(`${d.kind} ${d.name}`, d.base, d.size, d.loc);
    for (const s of platform.smmus) add(`SMMU ${s.name}`, s.base, s.size, s.loc);
    return regions;
}

function configName(window: ConfigWindow): string {
    return window.convention === 'mcfg' ? 'MCFG region' : 'ECAM';
}

/** Where config space starts: DT `reg` is the first bus's; ACPI MCFG's base is bus 0's (DOMAIN.md B.5.1.2). */
function configStart(hb: HostBridge, window: ConfigWindow): bigint {
    return window.convention === 'mcfg' ? window.base + ((window.buses?.start ?? hb.busStart) << 20n) : window.base;
}

/**
 * A configuration area inside a host-bridge window is what firmware does on many x86 machines (a
 * Ryzen's MCFG area sits in the window below 4 GiB): it is fine when the area is a `reserved`
 * range (E820 reserved), because Linux then places nothing there. Not otherwise.
 */
function reservedConfigInWindow(platform: Platform, a: Region, b: Region): boolean {
    const config = a.role === 'config' ? a : b.role === 'config' ? b : undefined;
    const window = a.role === 'window' ? a : b.role === 'window' ? b : undefined;
    if (!config || !window || config.hostBridge !== window.hostBridge) return false;
    return platform.reserved.some((r) => r.kind === 'reserved' && r.base <= config.start && config.end <= r.base + r.size);
}

/** A config area in a window is legitimate once reserved: say how to write it. */
function configHint(a: Region, b: Region): string {
    const config = a.role === 'config' ? a : b.role === 'config' ? b : undefined;
    if (!config || (a.role === 'window') === (b.role === 'window') || a.hostBridge !== b.hostBridge) return '';
    return ` If firmware reserves the area (an E820 reserved range, as x86 firmware usually does), write \`reserved NAME at ${hex(config.start)} size ${hex(config.end - config.start)} kind reserved\`: Linux then places nothing there.`;
}

export function physicalMapFindings(platform: Platform): Finding[] {
    const regions = physicalRegions(platform).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const findings: Finding[] = [];
    let reach: Region | undefined; // the region reaching furthest so far
    for (const region of regions) {
        if (reach && region.start < reach.end && !reservedConfigInWindow(platform, region, reach)) {
            const from = region.start;
            const to = region.end < reach.end ? region.end : reach.end;
            findings.push(
                finding(
                    'PLATFORM-REGION-OVERLAP',
                    `The ${region.what} (${range(region)}) overlaps the ${reach.what} (${range(reach)}) at ${hex(from)}..${hex(to - 1n)}: the same physical addresses would reach both.${configHint(region, reach)}`,
                    region.loc,
                    [{ loc: reach.loc, message: `the ${reach.what}` }],
                ),
            );
        }
        if (!reach || region.end > reach.end) reach = region;
    }
    return findings;
}

function range(r: Region): string {
    return `${hex(r.start)}..${hex(r.end - 1n)}`;
}
