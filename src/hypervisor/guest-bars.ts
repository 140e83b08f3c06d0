// Virtual BARs of a domU. The design's toolstack allocates each BAR from the guest's MMIO holes
// (32-bit and non-prefetchable BARs below 4 GiB, 64-bit prefetchable ones above) and maps it with
// XEN_DOMCTL_memory_mapping (seed 000 §4, §4.1); on x86 hvmloader and QEMU do the same. Upstream
// vPCI lets the guest program its BARs and maps them when the guest turns memory decoding on,
// refusing a guest address whose offset in its 4 KiB page differs from the host's (-EINVAL,
// xen/drivers/vpci/header.c modify_bars, DOMAIN.md B.6.4, B.12 #44); it does not check the guest
// windows, so the BARs must fit them (B.12 #43).
//
// Placement: BARs sorted by decreasing size, each naturally aligned, first fit in its hole. Where
// the toolstack places them, a sub-page BAR gets its own page and keeps the host page offset;
// where the guest places them (Linux in the guest) it aligns only to the BAR size.
import { alignUp } from '../util/arith.js';
import { hex, PAGE, range, sizeText } from './format.js';
import { holeLoc } from './guest-layout.js';
import type { GuestBar, GuestHole } from './result.js';
import type { Attached, DomainState, FnState, HvState } from './state.js';
import { ownerText } from './state.js';

interface Item {
    attached: Attached;
    f: FnState;
    bar: GuestBar;
    hole: GuestHole;
    align: bigint;
    span: bigint;
}

/** The guest range a placed BAR takes: whole pages where the toolstack places BARs. */
function taken(toolstack: boolean, bar: GuestBar): { base: bigint; size: bigint } {
    const min = toolstack ? PAGE : 16n;
    const size = bar.size > min ? bar.size : min;
    return { base: (bar.guest! / min) * min, size };
}

/** Ranges already taken in a hole by the domain's placed BARs. */
function usedRanges(state: HvState, d: DomainState, hole: GuestHole): { base: bigint; size: bigint }[] {
    const out: { base: bigint; size: bigint }[] = [];
    for (const a of d.attached.values()) {
        for (const b of a.guestBars) {
            if (b.guest === undefined || b.hole !== hole.which) continue;
            out.push(taken(state.rules.toolstackPlacesBars, b));
        }
    }
    return out.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
}

function firstFit(hole: GuestHole, used: { base: bigint; size: bigint }[], span: bigint, align: bigint): bigint | undefined {
    let cursor = alignUp(hole.base, align);
    const end = hole.base + hole.size;
    for (const u of used) {
        if (cursor + span <= u.base) break;
        if (u.base + u.size > cursor) cursor = alignUp(u.base + u.size, align);
    }
    return cursor + span <= end ? cursor : undefined;
}

/** Places the BARs of `newcomers` (already attached to `d`) and emits the mappings. */
export function placeGuestBars(state: HvState, d: DomainState, newcomers: Attached[]): void {
    const { rules } = state;
    const items: Item[] = [];
    const low = d.holes.find((h) => h.which === 'low')!;
    const high = d.holes.find((h) => h.which === 'high')!;
    for (const attached of newcomers) {
        const f = state.fn(attached.device)!;
        const noRom = attached.entry.flags.includes('no-rombar');
        for (const bar of f.fn.bars) {
            const host = f.bars.get(bar.index);
            const gb: GuestBar = { device: f.fn.name, bar: bar.index, kind: bar.kind, prefetchable: bar.prefetchable, size: bar.size, host };
            attached.guestBars.push(gb);
            if (bar.kind === 'io') {
                gb.note = rules.guestIoBars ? 'I/O space, emulated by QEMU' : 'I/O BAR reads as 0 in the guest (Arm vPCI)';
                continue;
            }
            const hole = bar.kind === 'mem64' && bar.prefetchable ? high : low;
            items.push(item(attached, f, gb, hole, rules.toolstackPlacesBars));
        }
        const rom = f.fn.isVf ? undefined : f.fn.rom;
        if (rom) {
            const gb: GuestBar = { device: f.fn.name, bar: 'rom', kind: 'mem32', prefetchable: false, size: rom.size, host: rom.address };
            attached.guestBars.push(gb);
            if (!rules.guestRom) gb.note = 'expansion ROM hidden from the guest (vPCI)';
            else if (noRom) gb.note = 'no-rombar: ROM not exposed';
            else if (rom.disabled) gb.note = 'ROM disabled';
            else items.push(item(attached, f, gb, low, rules.toolstackPlacesBars));
        }
    }
    items.sort((a, b) => (a.align > b.align ? -1 : a.align < b.align ? 1 : 0));
    const overflow = new Map<GuestHole, Item[]>();
    for (const it of items) {
        const base = firstFit(it.hole, usedRanges(state, d, it.hole), it.span, it.align);
        if (base === undefined) {
            let list = overflow.get(it.hole);
            if (!list) overflow.set(it.hole, (list = []));
            list.push(it);
            it.bar.note = `no room in the ${it.hole.which} hole`;
            continue;
        }
        const offset = rules.toolstackPlacesBars && it.bar.size < PAGE && it.bar.host !== undefined ? it.bar.host % PAGE : 0n;
        it.bar.guest = base + offset;
        it.bar.hole = it.hole.which;
        it.hole.used += it.span;
    }
    for (const [hole, list] of overflow) reportOverflow(state, d, hole, list);
    for (const it of items) if (it.bar.guest !== undefined) mapGuestBar(state, d, it);
}

function item(attached: Attached, f: FnState, bar: GuestBar, hole: GuestHole, toolstack: boolean): Item {
    const minAlign = toolstack ? PAGE : 16n;
    const align = bar.size > minAlign ? bar.size : minAlign;
    return { attached, f, bar, hole, align, span: align };
}

function reportOverflow(state: HvState, d: DomainState, hole: GuestHole, list: Item[]): void {
    const placed = [...d.attached.values()].flatMap((a) => a.guestBars).filter((b) => b.hole === hole.which && b.guest !== undefined);
    const need = placed.reduce((n, b) => n + taken(state.rules.toolstackPlacesBars, b).size, 0n) + list.reduce((n, i) => n + i.span, 0n);
    const what = hole.which === 'low' ? '32-bit and non-prefetchable BARs' : '64-bit prefetchable BARs';
    const names = list.map((i) => `${i.f.fn.name} ${i.bar.bar === 'rom' ? 'ROM' : `BAR ${i.bar.bar}`} (${sizeText(i.bar.size)})`);
    state.report(
        'XEN-GUEST-HOLE',
        `${d.name}'s ${what} need ${sizeText(need)} but its ${hole.which} MMIO hole ${range(hole.base, hole.size)} (${sizeText(hole.size)}, ${hole.source === 'default' ? `the ${state.rules.arch === 'arm' ? 'Arm guest layout' : 'hvmloader'} default` : 'written'}) has no room for ${names.join(', ')}`,
        { at: list[0]!.attached.entry.loc, related: d.xen && holeLoc(d.xen, hole.which) ? [{ loc: holeLoc(d.xen, hole.which)!, message: `${hole.which} hole` }] : [] },
        `${d.name}|${hole.which}`,
    );
}

function mapGuestBar(state: HvState, d: DomainState, it: Item): void {
    const { bar, f } = it;
    const what = `${f.fn.name} ${bar.bar === 'rom' ? 'ROM' : `BAR ${bar.bar}`}`;
    const domain = ownerText(state, d.name);
    if (bar.host === undefined) {
        bar.note = 'host address unknown: not mapped';
        return;
    }
    if (state.rules.toolstackPlacesBars) {
        state.emit('XEN_DOMCTL_memory_mapping', {
            domain,
            what,
            guest: range(bar.guest!, bar.size),
            host: hex(bar.host),
            size: sizeText(bar.size),
            by: state.rules.arch === 'x86' ? 'QEMU (xen_pt)' : 'libxl',
        });
        return;
    }
    state.emit('vpci-guest-bar', { domain, what, guest: range(bar.guest!, bar.size), by: 'guest kernel' });
    if (bar.guest! % PAGE !== bar.host % PAGE) {
        bar.note = 'page offset differs from the host BAR: not mapped';
        state.report(
            'XEN-GUEST-BAR-PAGE-OFFSET',
            `${d.name} places ${what} at ${hex(bar.guest!)} (page offset ${hex(bar.guest! % PAGE)}) but the host BAR is at ${hex(bar.host)} (page offset ${hex(bar.host % PAGE)}): vPCI refuses the mapping with -EINVAL when the guest turns memory decoding on (${state.profile}: header.c modify_bars)`,
            { at: it.attached.entry.loc, related: [{ loc: f.fn.bars.find((b) => b.index === bar.bar)?.loc ?? f.fn.loc, message: `host ${what}` }] },
            `${d.name}|${what}`,
        );
        return;
    }
    state.emit('p2m-map', { domain, what, guest: range(bar.guest!, bar.size), host: hex(bar.host), size: sizeText(bar.size), by: 'vPCI modify_bars (guest enables decoding)' });
}

/** Unmaps the guest BARs of a device leaving the domain. */
export function unmapGuestBars(state: HvState, d: DomainState, attached: Attached): void {
    for (const bar of attached.guestBars) {
        if (bar.guest === undefined || bar.host === undefined || bar.note) continue;
        state.emit('p2m-unmap', { domain: ownerText(state, d.name), what: `${attached.device} ${bar.bar === 'rom' ? 'ROM' : `BAR ${bar.bar}`}`, guest: range(bar.guest, bar.size) });
    }
    for (const hole of d.holes) {
        const freed = attached.guestBars.filter((b) => b.hole === hole.which && b.guest !== undefined).reduce((n, b) => n + taken(state.rules.toolstackPlacesBars, b).size, 0n);
        hole.used -= freed;
    }
}
