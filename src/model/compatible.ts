// Device-tree `compatible` lists: a node names several strings, most specific first, and a driver
// binds when any of them is one it knows (linux:drivers/of/base.c __of_match_node scores every
// entry; Xen's dt_match_node takes any). Every reader of a compatible goes through here.

/** Whether any string of `list` is one of `known`. */
export function matchesCompatible(list: readonly string[] | undefined, known: readonly string[]): boolean {
    return (list ?? []).some((c) => known.includes(c));
}

/** The list as a device tree writes it: `"a", "b"`. */
export function compatibleText(list: readonly string[]): string {
    return list.map((c) => `"${c}"`).join(', ');
}
