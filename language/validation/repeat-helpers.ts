// Properties given more than once: finding the repeats, and the one LANG-DUPLICATE-PROPERTY
// sentence "<owner> gives <key> N times (first at line L)." used by the hardware, host-bridge
// and Xen/KVM checks (the PCI function's own sentence is in function-duplicate-property-checks.ts).
import type { AstNode, ValidationAcceptor } from 'langium';
import { lineOf, lineOfProperty } from './ast-helpers.js';
import { report, type Where } from './report.js';

export interface Repeat<T> {
    item: T;
    index: number;
    first: T;
    count: number;
}

/** Every occurrence of a key after its first one (items without a key are ignored). */
export function repeats<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Repeat<T>[] {
    const byKey = new Map<string, number[]>();
    items.forEach((item, index) => {
        const key = keyOf(item);
        if (key === undefined) return;
        const list = byKey.get(key);
        if (list) list.push(index);
        else byKey.set(key, [index]);
    });
    const result: Repeat<T>[] = [];
    for (const indexes of byKey.values()) {
        for (const index of indexes.slice(1)) {
            result.push({ item: items[index]!, index, first: items[indexes[0]!]!, count: indexes.length });
        }
    }
    return result;
}

/** Each element after the first of a property that holds one value; `word` names the property in the message. */
export function repeatedValues(node: AstNode, values: readonly string[], property: string, accept: ValidationAcceptor, owner: string, word = property): void {
    for (const r of repeats(values, () => property)) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `${owner} gives ${word} ${r.count} times (first at line ${lineOfProperty(node, property, 0)}).`, { node, property: property as never, index: r.index });
    }
}

/** Each item after the first with the same key: "`owner` gives `key` N times (first at line L)." at `where(item)`. */
export function repeatedItems<T extends AstNode>(items: readonly T[], keyOf: (item: T) => string | undefined, where: (item: T) => Where<T>, accept: ValidationAcceptor, owner: string): void {
    for (const r of repeats(items, keyOf)) {
        report(accept, 'LANG-DUPLICATE-PROPERTY', `${owner} gives ${keyOf(r.item)} ${r.count} times (first at line ${lineOf(r.first)}).`, where(r.item));
    }
}
