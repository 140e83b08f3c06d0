// Linux's ID-keyed fixups applied to the enumerated fabric: which rows of fixup-table.ts match a
// function (its IDs and the row's own test). A quirk written in the platform wins over the table
// for its category (DMA aliases, bridge aliasing, resets), and `linux { no-id-quirks }` turns the
// table off. The ACS table is decided where the ACS rules run (groups/acs.ts), since its answers
// depend on whether Linux enabled ACS.
import type { Platform, Quirk } from '../../model/platform.js';
import { pcieType } from '../ids/pcie-type.js';
import type { FabricFunction } from '../topology.js';
import { deviceIds, idsMatch, idText } from './device-ids.js';
import { FIXUP_ROWS, type FixupDevice, type FixupEffect } from './fixup-table.js';

/** One quirk in effect on a function, for the engine and for what the user is shown. */
export interface AppliedQuirk {
    /** `table`: Linux's table matched the function's IDs; `written`: the platform says so. */
    source: 'table' | 'written';
    /** The Linux function (table), or the written quirk's keyword. */
    linux: string;
    /** What it changes, in the words of the written quirk it amounts to (`dma-func1-alias`, `acs-isolated`...). */
    effect: string;
    /** Why it applies, in words. */
    why: string;
}

export interface AppliedFixup extends AppliedQuirk {
    fixup: FixupEffect;
}

type Category = 'alias' | 'bridge' | 'reset';

const CATEGORY: Record<FixupEffect['kind'], Category> = {
    'dma-func0-alias': 'alias',
    'dma-func1-alias': 'alias',
    'dma-alias': 'alias',
    'pcie-bridge-alias': 'bridge',
    'bridge-xlate-root': 'bridge',
    'no-flr': 'reset',
    'no-bus-reset': 'reset',
    'no-pm-reset': 'reset',
};

const WRITTEN_CATEGORY: Partial<Record<Quirk['kind'], Category>> = {
    'dma-alias': 'alias',
    'dma-func0-alias': 'alias',
    'dma-func1-alias': 'alias',
    'pcie-bridge-alias': 'bridge',
    'bridge-xlate-root': 'bridge',
    'pci-bridge-no-alias': 'bridge',
    'no-flr': 'reset',
    'no-bus-reset': 'reset',
    'no-pm-reset': 'reset',
};

/** Whether Linux's ID tables apply on this platform (`linux { no-id-quirks }` turns them off). */
export function idQuirksOn(platform: Platform): boolean {
    return !platform.linux.noIdQuirks;
}

/** The fixup rows in effect on f, in table order. */
export function matchFixups(f: FabricFunction, platform: Platform): AppliedFixup[] {
    if (!idQuirksOn(platform)) return [];
    const ids = deviceIds(f);
    if (ids.vendor === undefined) return [];
    const written = new Set<Category>();
    if (!f.isVf) for (const q of f.decl.quirks) if (WRITTEN_CATEGORY[q.kind]) written.add(WRITTEN_CATEGORY[q.kind]!);
    let device: FixupDevice | undefined;
    const out: AppliedFixup[] = [];
    for (const row of FIXUP_ROWS) {
        if (!idsMatch(ids, row.vendor, row.device) || written.has(CATEGORY[row.effect.kind])) continue;
        device ??= fixupDevice(f);
        if (row.when && !row.when(device)) continue;
        out.push({
            source: 'table',
            linux: row.linux,
            effect: row.effect.kind,
            fixup: row.effect,
            why: `Linux's ${row.linux} matches ${idText(ids)}${row.whenText ? ` (${row.whenText})` : ''}`,
        });
    }
    return out;
}

function fixupDevice(f: FabricFunction): FixupDevice {
    const ids = deviceIds(f);
    const parent = f.isVf ? f.pf?.upstream : f.upstream;
    const parentType = parent ? pcieType(parent) : undefined;
    return {
        ...ids,
        onRootBus: parent === undefined,
        isBridge: f.secondary !== undefined,
        isPcie: pcieType(f) !== undefined,
        parentIsPcieNotPciBridge: parentType !== undefined && parentType !== 'pcie-to-pci-bridge',
    };
}

/** Attaches the matching fixups to every function of the fabric (enumerate's last step). */
export function applyFixups(functions: readonly FabricFunction[], platform: Platform): void {
    if (!idQuirksOn(platform)) return;
    for (const f of functions) {
        const fixups = matchFixups(f, platform);
        if (fixups.length > 0) f.fixups = fixups;
    }
}

/** Whether a table fixup of this kind is in effect on f. */
export function hasFixup(f: FabricFunction, kind: FixupEffect['kind']): boolean {
    return f.fixups?.some((x) => x.fixup.kind === kind) ?? false;
}
