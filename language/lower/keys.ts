// The engine looks objects up by name (the model's references are names). The language reports
// a name declared twice (LANG-DUPLICATE-NAME) but lowering still runs on that text, so lowering
// guarantees unique keys itself: the first declaration of a name keeps it (references resolve to
// the first declaration, as the linker's scope does), every later one of the same namespace is
// lowered as `NAME#2`, `NAME#3`, … — `#` cannot appear in a written name, so no reference can
// reach it and no two objects share a key. Without this, a function named like its parent made
// the hypervisor's bus walk recurse forever (fuzz reproducer engine-internal-stack-duplicate-name).
//
// Each kind of declaration (its AST type: PciFunction, Its, HostBridge, …) is a namespace of its
// own: references are typed and the engine looks each kind up in its own list, so a name shared
// by an ITS and a memory region still reaches the ITS. Within a kind, keys go in declaration
// order (PCI functions depth first), the same whether the platform is lowered in one go or in
// slices by the language server (server/simulation/lower-sliced.ts).

export class LoweringKeys {
    private readonly seen = new Map<string, number>();

    /** The unique key of the next declaration written as `name` in `namespace` (an AST type). */
    key(namespace: string, name: string): string {
        const slot = `${namespace}\u0000${name}`;
        const count = (this.seen.get(slot) ?? 0) + 1;
        this.seen.set(slot, count);
        return count === 1 ? name : `${name}#${count}`;
    }

    /** The unique key of a named AST node (a missing name is the empty string). */
    of(node: { $type: string; name?: string }): string {
        return this.key(node.$type, node.name ?? '');
    }
}
