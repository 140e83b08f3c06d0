// Writing device-tree source: nodes with properties (cells, strings, flags, phandle references)
// as dtc reads them, so the exports only say which nodes and properties there are.

export type Cell = bigint | { ref: string };

export type PropValue =
    | { kind: 'flag' }
    | { kind: 'string'; values: string[] }
    /** One `<...>` per entry (dtc joins `<a>, <b>` into one array). */
    | { kind: 'cells'; entries: Cell[][] };

export interface DtNode {
    name: string;
    label?: string;
    comment?: string;
    props: [string, PropValue][];
    children: DtNode[];
}

export const flag = (): PropValue => ({ kind: 'flag' });
export const str = (...values: string[]): PropValue => ({ kind: 'string', values });
export const cells = (...entries: Cell[][]): PropValue => ({ kind: 'cells', entries });
export const u32 = (v: bigint): PropValue => cells([v]);

/** A 64-bit value as two cells (high, low). */
export function cells64(v: bigint): bigint[] {
    return [v >> 32n, v & 0xffff_ffffn];
}

/** A DT label from a name: letters, digits and `_`, not starting with a digit. */
export function dtLabel(name: string): string {
    const clean = name.replace(/[^A-Za-z0-9_]/g, '_');
    return /^[A-Za-z_]/.test(clean) ? clean : `_${clean}`;
}

/** `name@unit` with the unit in lowercase hex, no leading zeros (dtc's unit_address_format). */
export function unitName(name: string, address: bigint): string {
    return `${name}@${address.toString(16)}`;
}

function cellText(c: Cell): string {
    return typeof c === 'bigint' ? `0x${c.toString(16)}` : `&${c.ref}`;
}

function quote(s: string): string {
    return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function propText(name: string, value: PropValue): string {
    if (value.kind === 'flag') return `${name};`;
    if (value.kind === 'string') return `${name} = ${value.values.map(quote).join(', ')};`;
    return `${name} = ${value.entries.map((e) => `<${e.map(cellText).join(' ')}>`).join(', ')};`;
}

export function nodeText(node: DtNode, depth: number): string {
    const pad = '\t'.repeat(depth);
    let text = node.comment ? node.comment.split('\n').map((l) => `${pad}/* ${l} */\n`).join('') : '';
    text += `${pad}${node.label ? `${node.label}: ` : ''}${node.name} {\n`;
    for (const [name, value] of node.props) text += `${pad}\t${propText(name, value)}\n`;
    for (const child of node.children) text += `\n${nodeText(child, depth + 1)}`;
    return `${text}${pad}};\n`;
}

/** `/* line *\/` comment lines for the top of a file. */
export function headerComment(lines: string[]): string {
    return `/*\n${lines.map((l) => ` * ${l}`.trimEnd()).join('\n')}\n */\n`;
}
