// Per-function IOMMU scope from the x86 tables: which PCI functions an IOMMU unit translates,
// as DMAR device scopes (a DRHD without INCLUDE_PCI_ALL) and IVRS IVHD device entries say.
// A function no unit covers gets no IOMMU group from Linux, and is written `outside-iommu`.
// Pure: the imported host bridges in, the flag and a comment naming the table line out.
import type { HostBridge, PciFunction } from '../model/platform.js';
import { addComment, type Comments } from './source-loc.js';

/** What one table entry covers on its segment. */
export type ScopeRule =
    /** DMAR INCLUDE_PCI_ALL, IVHD type 1 "all". */
    | { kind: 'all'; line: number }
    /** IVRS device IDs (bus << 8 | devfn), first..last inclusive. */
    | { kind: 'ids'; first: number; last: number; line: number }
    /**
     * A DMAR device scope: the start bus and the (device, function) hops of its path. It covers
     * the function the path ends at and, when that is a bridge, every bus below it
     * (linux:drivers/iommu/intel/iommu.c device_to_iommu, is_downstream_to_pci_bridge).
     */
    | { kind: 'path'; bus: bigint; path: [bigint, bigint][]; line: number };

export interface UnitScope {
    /** The unit's name in the platform. */
    unit: string;
    segment: bigint;
    rules: ScopeRule[];
    /** Device IDs the unit does not translate although a rule names them (the AMD IOMMU's own function: init_iommu_one). */
    except: { id: number; line: number; why: string }[];
    /** IVRS alias entries: device IDs first..last are seen as `to` (amd_iommu_alias_table). */
    aliases?: { first: number; last: number; to: number; line: number }[];
    /** The table file, for comments. */
    file: string;
}

interface Placed {
    fn: PciFunction;
    hb: HostBridge;
    segment: bigint;
    bus: bigint;
    devfn: bigint;
}

function placedFunctions(hostBridges: readonly HostBridge[]): Placed[] {
    const out: Placed[] = [];
    hostBridges.forEach((hb, i) => {
        const segment = hb.segment ?? BigInt(i);
        const stack: PciFunction[] = [...hb.functions];
        while (stack.length > 0) {
            const fn = stack.pop()!;
            const bus = fn.address.bus;
            if (bus !== undefined) out.push({ fn, hb, segment, bus, devfn: (fn.address.device << 3n) | fn.address.fn });
            stack.push(...fn.children);
        }
    });
    return out;
}

/**
 * Marks `outside-iommu` on every function of a segment some unit scopes per device when no
 * unit's rule covers it. Segments no scope names are left alone (no table spoke about them).
 * Returns the functions marked.
 */
export function applyIommuScopes(hostBridges: readonly HostBridge[], scopes: readonly UnitScope[], comments: Comments): PciFunction[] {
    if (scopes.length === 0) return [];
    const placed = placedFunctions(hostBridges);
    const at = new Map<string, Placed>();
    for (const p of placed) at.set(`${p.segment}:${p.bus}:${p.devfn}`, p);
    // The function a DMAR path ends at: each hop's device on the bus the previous hop forwards to.
    const resolve = (segment: bigint, rule: Extract<ScopeRule, { kind: 'path' }>): Placed | undefined => {
        let bus = rule.bus;
        let found: Placed | undefined;
        for (const [device, fn] of rule.path) {
            found = at.get(`${segment}:${bus}:${(device << 3n) | fn}`);
            if (!found) return undefined;
            if (found.fn.secondary !== undefined) bus = found.fn.secondary;
        }
        return found;
    };
    const covering = (p: Placed, scope: UnitScope): ScopeRule | undefined => {
        const id = Number((p.bus << 8n) | p.devfn);
        if (scope.except.some((e) => e.id === id)) return undefined;
        return scope.rules.find((rule) => {
            if (rule.kind === 'all') return true;
            if (rule.kind === 'ids') return id >= rule.first && id <= rule.last;
            const target = resolve(scope.segment, rule);
            if (!target) return false;
            if (target === p) return true;
            const { secondary, subordinate } = target.fn;
            return target.hb === p.hb && secondary !== undefined && subordinate !== undefined && p.bus >= secondary && p.bus <= subordinate;
        });
    };
    const marked: PciFunction[] = [];
    for (const p of placed) {
        // AMD-Vi: an IVRS alias on the function's own bus becomes a DMA alias of it
        // (linux:drivers/iommu/amd/iommu.c setup_aliases: pci_add_dma_alias), which can join groups.
        const id = Number((p.bus << 8n) | p.devfn);
        for (const s of scopes) {
            if (s.segment !== p.segment) continue;
            for (const a of s.aliases ?? []) {
                if (id < a.first || id > a.last || a.to === id || a.to >> 8 !== Number(p.bus)) continue;
                const device = BigInt((a.to >> 3) & 0x1f);
                const fn = BigInt(a.to & 7);
                if (p.fn.quirks.some((q) => q.kind === 'dma-alias' && q.device === device && q.fn === fn)) continue;
                p.fn.quirks.push({ kind: 'dma-alias', device, fn, loc: p.fn.loc });
                addComment(comments, p.fn, `quirk dma-alias: ${s.file}:${a.line} IVRS alias, on its own bus (setup_aliases adds it as a DMA alias)`);
            }
        }
        const mine = scopes.filter((s) => s.segment === p.segment);
        if (mine.length === 0) continue;
        if (mine.some((s) => covering(p, s))) continue;
        const except = mine.flatMap((s) => s.except.filter((e) => e.id === Number((p.bus << 8n) | p.devfn)).map((e) => `${s.file}:${e.line} ${e.why}`));
        p.fn.outsideIommu = true;
        marked.push(p.fn);
        addComment(
            comments,
            p.fn,
            except.length > 0
                ? `outside-iommu: ${except.join('; ')}`
                : `outside-iommu: no ${mine.map((s) => `${s.unit} (${s.file})`).join(', ')} device entry or scope covers it, so Linux gives it no IOMMU group`,
        );
    }
    return marked;
}
