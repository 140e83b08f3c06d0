// Linux's realloc list (drivers/pci/setup-bus.c `realloc_head`, struct pci_dev_resource): the
// optional part of a resource. On the ACPI path sizing records, for each bridge window, how much
// more it would like than it must have (hot-plug reservations, the optional sizes of the windows
// below, SR-IOV VF BAR apertures) and, for each VF BAR aperture, its whole size (it must have
// nothing). Assignment then tries the resources with their optional sizes first.
//
// add_to_list() puts an entry at the head of the list, so the list runs newest first; that is the
// order in which reassign_resources_sorted() grows the resources. Entries are kept in a map with a
// sequence number rather than a list, so that looking one up is not a walk over the whole tree's
// entries (Linux walks the list for every lookup, which is quadratic on a large fabric).
import type { Resource } from './resource.js';

export interface OptionalSize {
    resource: Resource;
    /** add_size: how much more than its required size the resource would like. */
    addSize: bigint;
    /** min_align: the alignment it needs with the optional size (0: "don't care", VF BARs). */
    minAlign: bigint;
    /** Insertion order; the list runs from the highest to the lowest. */
    seq: number;
}

export class ReallocList {
    private readonly entries = new Map<Resource, OptionalSize>();
    private next = 0;

    /** add_to_list(): a new entry at the head of the list. */
    add(resource: Resource, addSize: bigint, minAlign: bigint): void {
        this.entries.set(resource, { resource, addSize, minAlign, seq: this.next++ });
    }

    /** remove_from_list(). */
    remove(resource: Resource): void {
        this.entries.delete(resource);
    }

    /** get_res_add_size(): 0 when the resource has no entry. */
    addSize(resource: Resource): bigint {
        return this.entries.get(resource)?.addSize ?? 0n;
    }

    /** get_res_add_align(): 0 when the resource has no entry. */
    addAlign(resource: Resource): bigint {
        return this.entries.get(resource)?.minAlign ?? 0n;
    }

    get size(): number {
        return this.entries.size;
    }

    /** The entries of the given resources, in list order (newest first). */
    entriesOf(resources: Iterable<Resource>): OptionalSize[] {
        const found: OptionalSize[] = [];
        for (const resource of resources) {
            const entry = this.entries.get(resource);
            if (entry) found.push(entry);
        }
        return found.sort((a, b) => b.seq - a.seq);
    }
}
