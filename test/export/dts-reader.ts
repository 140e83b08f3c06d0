// Reading a device tree through the real dtc: compiled and decompiled (`dtc -I dts -O dtb`, then
// `-I dtb -O dts`), so labels and references become phandle numbers and cells one array, then
// read into nodes with their properties as dtc prints them.
import { run, tempDir } from './helpers.js';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface DtNode {
    path: string;
    props: Map<string, string>;
}

/** Every node of a device-tree source, by path, as dtc normalises it. */
export function readDeviceTree(source: string, overlay = false): DtNode[] {
    const dir = tempDir('dt');
    const src = path.join(dir, 'in.dts');
    fs.writeFileSync(src, source);
    const dtb = path.join(dir, 'out.dtb');
    run('dtc', [...(overlay ? ['-@'] : []), '-q', '-I', 'dts', '-O', 'dtb', '-o', dtb, src]);
    const text = run('dtc', ['-q', '-I', 'dtb', '-O', 'dts', dtb]);
    const nodes: DtNode[] = [];
    const stack: DtNode[] = [];
    for (const raw of text.split('\n')) {
        const line = raw.trim();
        let m: RegExpExecArray | null;
        if ((m = /^(?:[\w-]+: )?([^\s=]+) \{$/.exec(line))) {
            const parent = stack[stack.length - 1];
            const name = m[1]!;
            const node: DtNode = { path: parent ? `${parent.path === '/' ? '' : parent.path}/${name}` : name, props: new Map() };
            nodes.push(node);
            stack.push(node);
        } else if (line === '};') stack.pop();
        else if ((m = /^([^\s=]+)(?: = (.*))?;$/.exec(line)) && stack.length > 0) stack[stack.length - 1]!.props.set(m[1]!, m[2] ?? '');
    }
    return nodes;
}

/** The cells of a `<...>` property as numbers. */
export function cellsOf(value: string | undefined): bigint[] {
    return (value ?? '').replace(/[<>]/g, ' ').trim().split(/\s+/).filter(Boolean).map((c) => BigInt(c));
}
