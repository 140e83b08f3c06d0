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
}

/** What the platform places in the CPU's physical address space, with the sizes it knows. */
export function physicalRegions(platform: Platform): Region[] {
    const regions: Region[] = [];
    const add = (what: string, start: bigint, size: bigint | undefined, loc: SourceLoc) => {
        if (size !== undefined && size > 0n) regions.push({ what, start, end: start + size, loc });
    };
    for (const m of platform.memory) add(`RAM ${m.name}`, m.base, m.size, m.loc);
    for (const hb of platform.hostBridges) {
        if (hb.ecam) add(`${configName(hb.ecam)} of host bridge ${hb.name}`, configStart(hb, hb.ecam), hb.ecam.size, hb.ecam.loc);
        if (hb.childEcam) add(`child config window of host bridge ${hb.name}`, hb.childEcam.base, hb.childEcam.size, hb.childEcam.loc);
        for (const w of hb.windows) {
            // x86 I/O windows are port space, not memory addresses.
            if (w.kind === 'io' && platform.arch === 'x86_64') continue;
            add(`${w.kind}${w.prefetchable ? ' prefetchable' : ''} window of host bridge ${hb.name}`, w.cpuBase, w.size, w.loc);
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
    return window.convention === 'mcfg' ? window.base + (hb.busStart << 20n) : window.base;
}

export function physicalMapFindings(platform: Platform): Finding[] {
    const regions = physicalRegions(platform).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const findings: Finding[] = [];
    let reach: Region | undefined; // the region reaching furthest so far
    for (const region of regions) {
        if (reach && region.start < reach.end) {
            const from = region.start;
            const to = region.end < reach.end ? region.end : reach.end;
            findings.push(
                finding(
                    'PLATFORM-REGION-OVERLAP',
                    `The ${region.what} (${range(region)}) overlaps the ${reach.what} (${range(reach)}) at ${hex(from)}..${hex(to - 1n)}: the same physical addresses would reach both.`,
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
