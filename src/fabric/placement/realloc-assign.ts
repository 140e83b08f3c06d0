// Assigning one bus's resources with the realloc list (drivers/pci/setup-bus.c
// __assign_resources_sorted(), assign_requested_resources_sorted(), reassign_resources_sorted(),
// pci_need_to_release(); setup-res.c pci_assign_resource(), pci_reassign_resource();
// kernel/resource.c reallocate_resource()). The rules, in Linux's order:
//
// 1. Every resource first asks for its required and optional size together; a window whose
//    optional part needs a larger alignment moves up the list to where that alignment sorts.
// 2. If all of them fit, that is the answer, optional sizes included.
// 3. If one does not, the assigned resources of the failed kinds are released (a failed I/O
//    resource releases the I/O ones, a failed prefetchable one the prefetchable ones, a failed
//    memory one the memory ones and the prefetchable ones that sit in a non-prefetchable window);
//    the others keep their place and their optional size. The released ones go back to their
//    required sizes and are assigned again in the same list order.
// 4. Then each optional size is added on its own, newest entry of the realloc list first: a
//    resource with no required size is assigned at its optional size, any other one grows in place
//    or moves to the first free range that holds the larger size, and keeps its place if none does.
//
// A failed expansion ROM never counts as a failure: Linux enables ROMs only on request
// (IORESOURCE_ROM_ENABLE is clear unless firmware set it), so its failure releases nothing.
import { assignResource } from './assign.js';
import type { ReallocList } from './realloc-list.js';
import { IORESOURCE_IO, IORESOURCE_MEM, IORESOURCE_PREFETCH, type Resource } from './resource.js';

/** An entry of Linux's fail_head: the resource and its size, alignment and flags when it failed. */
export interface FailedResource {
    resource: Resource;
    size: bigint;
    align: bigint;
    flags: number;
}

/** A resource that failed in this try (reset_resource(): no address, not eligible for more). */
export function wasReset(r: Resource): boolean {
    return r.start === undefined && r.failure !== undefined;
}

/** release_resource(): gives a placed resource's range back to its window. */
export function releaseResource(r: Resource): void {
    if (r.start === undefined || !r.parent) return;
    r.parent.free.release(r.start, r.start + r.size - 1n);
    r.start = undefined;
    r.parent = undefined;
}

/**
 * assign_requested_resources_sorted(): each resource with a size, in list order; what fails is
 * reset and, unless it is a ROM, recorded on `fail`.
 */
function assignRequested(head: readonly Resource[], fail: FailedResource[] | undefined): void {
    for (const r of head) {
        if (r.size === 0n) continue;
        const saved = { resource: r, size: r.size, align: r.align, flags: r.flags };
        if (assignResource(r.owner.bus, r)) continue;
        if (fail && r.role !== 'rom') fail.push(saved);
    }
}

/** pci_fail_res_type_mask(): the kinds that failed (a prefetchable failure also counts as memory). */
function failedTypes(fail: readonly FailedResource[]): number {
    let mask = 0;
    for (const f of fail) mask |= f.flags;
    return mask & (IORESOURCE_IO | IORESOURCE_MEM | IORESOURCE_PREFETCH);
}

/** pci_need_to_release(): whether an assigned resource must make room for the failed kinds. */
function needsRelease(mask: number, r: Resource): boolean {
    if (r.flags & IORESOURCE_IO) return (mask & IORESOURCE_IO) !== 0;
    if (r.flags & IORESOURCE_PREFETCH) {
        if (mask & IORESOURCE_PREFETCH) return true;
        return (mask & IORESOURCE_MEM) !== 0 && !((r.parent?.flags ?? 0) & IORESOURCE_PREFETCH);
    }
    if (r.flags & IORESOURCE_MEM) return (mask & IORESOURCE_MEM) !== 0;
    return false;
}

/**
 * Rule 1's reordering: a window (IORESOURCE_STARTALIGN) whose optional alignment exceeds its own
 * moves in front of the first resource with a smaller alignment; the list is otherwise unchanged.
 */
function raiseAlignment(head: Resource[], r: Resource, addAlign: bigint): void {
    r.align = addAlign;
    const from = head.indexOf(r);
    const to = head.findIndex((other) => other !== r && addAlign > other.align);
    if (to < 0 || to > from) return;
    head.splice(from, 1);
    head.splice(to, 0, r);
}

/**
 * pci_reassign_resource(): a placed resource asks for `addSize` more at alignment `align`. Its own
 * range counts as free (reallocate_resource()); where nothing holds the larger size it stays.
 */
function growResource(r: Resource, addSize: bigint, align: bigint): void {
    if (r.start === undefined || !r.parent) return; // "can't reassign an unassigned resource"
    const kept = { start: r.start, parent: r.parent, size: r.size, align: r.align };
    releaseResource(r);
    r.size = kept.size + addSize;
    r.align = align;
    if (assignResource(r.owner.bus, r)) return;
    // "failed to expand": back where it was, at its size.
    r.failure = undefined;
    r.size = kept.size;
    r.align = kept.align;
    r.start = kept.start;
    r.parent = kept.parent;
    kept.parent.free.reserve(kept.start, kept.start + kept.size - 1n);
}

/** reassign_resources_sorted(): rule 4, for the entries of the list whose resource is in `head`. */
function addOptionalSizes(realloc: ReallocList, head: readonly Resource[]): void {
    for (const entry of realloc.entriesOf(head)) {
        const r = entry.resource;
        realloc.remove(r);
        if (wasReset(r)) continue;
        if (r.size === 0n) {
            // All of it is optional: assigned at that size (a window at the optional alignment).
            r.size = entry.addSize;
            if (r.role === 'window') r.align = entry.minAlign;
            if (!assignResource(r.owner.bus, r)) r.failure!.optional = true;
        } else {
            growResource(r, entry.addSize, entry.minAlign);
        }
    }
}

/**
 * __assign_resources_sorted() for one bus's list (`head`, sorted by resourcesToAssign()). Without
 * a realloc list, or with an empty one, only the required sizes are assigned.
 */
export function assignSorted(head: Resource[], realloc: ReallocList | undefined, fail: FailedResource[] | undefined): void {
    let list = head;
    if (realloc && realloc.size > 0) {
        const saved = new Map(list.map((r) => [r, { size: r.size, align: r.align, flags: r.flags }]));
        for (const r of [...list]) {
            r.size += realloc.addSize(r);
            if (r.role !== 'window') continue;
            const addAlign = realloc.addAlign(r);
            if (addAlign > r.align) raiseAlignment(list, r, addAlign);
        }
        const localFail: FailedResource[] = [];
        assignRequested(list, localFail);
        if (localFail.length === 0) {
            for (const r of list) realloc.remove(r);
            return;
        }
        const mask = failedTypes(localFail);
        list = list.filter((r) => {
            if (r.parent === undefined || needsRelease(mask, r)) return true;
            realloc.remove(r);
            saved.delete(r);
            return false;
        });
        for (const r of list) releaseResource(r);
        for (const [r, before] of saved) {
            r.size = before.size;
            r.align = before.align;
            r.flags = before.flags;
            r.failure = undefined;
        }
    }
    assignRequested(list, fail);
    if (realloc) addOptionalSizes(realloc, list);
}
