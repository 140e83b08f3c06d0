// Device tree source as `dtc -O dts` prints it (and as people write it: labels, `&label`
// references, comments), parsed into a tree of nodes and properties. Pure and bounded: one pass
// over the tokens, no preprocessor (`#include` is refused with its line).
import { ImportError } from './errors.js';

export type Cell = bigint | { ref: string };

export type PropPiece = { kind: 'cells'; cells: Cell[] } | { kind: 'strings'; values: string[] } | { kind: 'bytes'; bytes: number[] } | { kind: 'ref'; ref: string };

export interface DtProp {
    name: string;
    pieces: PropPiece[];
    line: number;
}

export interface DtNode {
    /** Node name without the unit address (`pcie` of `pcie@10000000`). */
    name: string;
    unitAddress?: string;
    labels: string[];
    props: Map<string, DtProp>;
    children: DtNode[];
    parent?: DtNode;
    line: number;
}

interface Token {
    text: string;
    kind: 'word' | 'string' | 'punct' | 'label' | 'ref' | 'directive';
    line: number;
}

function tokenize(text: string, file: string): Token[] {
    const tokens: Token[] = [];
    let line = 1;
    let i = 0;
    const n = text.length;
    while (i < n) {
        const c = text[i]!;
        if (c === '\n') {
            line++;
            i++;
        } else if (c === ' ' || c === '\t' || c === '\r') i++;
        else if (c === '/' && text[i + 1] === '/') {
            while (i < n && text[i] !== '\n') i++;
        } else if (c === '/' && text[i + 1] === '*') {
            const end = text.indexOf('*/', i + 2);
            if (end < 0) throw new ImportError('IMPORT-DTS-SYNTAX', file, line, 'a /* comment is never closed');
            for (let k = i; k < end; k++) if (text[k] === '\n') line++;
            i = end + 2;
        } else if (c === '#' && /^#(include|define|if|ifdef|ifndef|endif|undef)\b/.test(text.slice(i, i + 8))) {
            throw new ImportError('IMPORT-DTS-SYNTAX', file, line, 'C preprocessor directive: run the source through `cpp` (or `dtc -O dts`) first');
        } else if (c === '"') {
            let j = i + 1;
            let value = '';
            while (j < n && text[j] !== '"') {
                if (text[j] === '\n') throw new ImportError('IMPORT-DTS-SYNTAX', file, line, 'a string runs past the end of the line');
                if (text[j] === '\\' && j + 1 < n) {
                    const e = text[j + 1]!;
                    value += e === '0' ? '\0' : e === 'n' ? '\n' : e === 't' ? '\t' : e;
                    j += 2;
                } else value += text[j++];
            }
            if (j >= n) throw new ImportError('IMPORT-DTS-SYNTAX', file, line, 'a string is never closed');
            tokens.push({ text: value, kind: 'string', line });
            i = j + 1;
        } else if ('{}<>;=,[]()'.includes(c)) {
            tokens.push({ text: c, kind: 'punct', line });
            i++;
        } else if (c === '&') {
            const m = /^&(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i, i + 300));
            if (!m) throw new ImportError('IMPORT-DTS-SYNTAX', file, line, "'&' must be followed by a label");
            tokens.push({ text: m[1]!, kind: 'ref', line });
            i += m[0].length;
        } else if (c === '/' && /^\/[a-z0-9-]+\//.test(text.slice(i, i + 20))) {
            const m = /^\/[a-z0-9-]+\//.exec(text.slice(i, i + 20))!;
            tokens.push({ text: m[0], kind: 'directive', line });
            i += m[0].length;
        } else {
            const m = /^[A-Za-z0-9,._+*#?@\/-]+/.exec(text.slice(i, i + 512));
            if (!m) throw new ImportError('IMPORT-DTS-SYNTAX', file, line, `unexpected character '${c === '\0' ? '\\0' : c}'`);
            let word = m[0];
            // `label:` (a word followed directly by a colon).
            if (text[i + word.length] === ':') {
                tokens.push({ text: word, kind: 'label', line });
                i += word.length + 1;
                continue;
            }
            tokens.push({ text: word, kind: 'word', line });
            i += word.length;
        }
    }
    return tokens;
}

/** Parses device tree source into its root node (overlays `&label { }` are merged into the labelled node). */
export function parseDts(text: string, file: string): DtNode {
    if (text.includes('\0')) throw new ImportError('IMPORT-NOT-DTB', file, 0, 'binary data: give a .dtb with a .dtb name (it goes through dtc) or the dtc -O dts output');
    const tokens = tokenize(text, file);
    let pos = 0;
    const peek = () => tokens[pos];
    const lastLine = () => tokens[tokens.length - 1]?.line ?? 1;
    const fail = (message: string): never => {
        throw new ImportError('IMPORT-DTS-SYNTAX', file, peek()?.line ?? lastLine(), message);
    };
    const expect = (t: string) => {
        const tok = peek();
        if (!tok || tok.text !== t || (tok.kind !== 'punct' && tok.kind !== 'directive')) fail(`expected '${t}'${tok ? ` before '${tok.text}'` : ' at the end of the file'}`);
        pos++;
    };
    const root: DtNode = { name: '/', labels: [], props: new Map(), children: [], line: 1 };
    const pendingRefs: { ref: string; node: DtNode }[] = [];
    let sawRoot = false;

    function parseBody(node: DtNode, depth: number): void {
        if (depth > 64) fail('nodes nested more than 64 deep');
        expect('{');
        for (;;) {
            const tok = peek();
            if (!tok) fail(`node '${node.name}' (line ${node.line}) is never closed: the file is truncated`);
            if (tok!.text === '}' && tok!.kind === 'punct') {
                pos++;
                expect(';');
                return;
            }
            if (tok!.kind === 'directive' && (tok!.text === '/delete-node/' || tok!.text === '/delete-property/')) {
                pos++;
                const target = peek();
                pos++;
                expect(';');
                if (target) {
                    node.props.delete(target.text);
                    node.children = node.children.filter((c) => nodeFullName(c) !== target.text);
                }
                continue;
            }
            const labels: string[] = [];
            while (peek()?.kind === 'label') labels.push(tokens[pos++]!.text);
            const nameTok = peek();
            if (!nameTok || nameTok.kind !== 'word') fail(`expected a property or node name${nameTok ? `, not '${nameTok.text}'` : ''}`);
            pos++;
            const after = peek();
            if (after?.text === '{' && after.kind === 'punct') {
                const [name, unit] = nameTok!.text.split('@', 2) as [string, string | undefined];
                const existing = node.children.find((c) => nodeFullName(c) === nameTok!.text);
                const child: DtNode = existing ?? { name, unitAddress: unit, labels: [], props: new Map(), children: [], parent: node, line: nameTok!.line };
                child.labels.push(...labels);
                if (!existing) node.children.push(child);
                parseBody(child, depth + 1);
            } else {
                node.props.set(nameTok!.text, parseProp(nameTok!.text, nameTok!.line));
            }
        }
    }

    function parseProp(name: string, line: number): DtProp {
        const pieces: PropPiece[] = [];
        if (peek()?.text === ';') {
            pos++;
            return { name, pieces, line };
        }
        expect('=');
        for (;;) {
            while (peek()?.kind === 'label') pos++;
            const tok = peek();
            if (!tok) fail(`property '${name}' is never ended with ';': the file is truncated`);
            if (tok!.kind === 'string') {
                const values: string[] = [];
                while (peek()?.kind === 'string') {
                    values.push(tokens[pos++]!.text);
                    if (peek()?.text === ',' && tokens[pos + 1]?.kind === 'string') pos++;
                    else break;
                }
                pieces.push({ kind: 'strings', values: values.flatMap((v) => v.split('\0')) });
            } else if (tok!.text === '/bits/') {
                pos++;
                pos++; // the width: cells are kept as numbers whatever it is
                pieces.push(parseCells(name));
            } else if (tok!.text === '<') pieces.push(parseCells(name));
            else if (tok!.text === '[') {
                pos++;
                const bytes: number[] = [];
                while (peek() && peek()!.text !== ']') {
                    const w = tokens[pos++]!;
                    if (!/^([0-9a-fA-F]{2})+$/.test(w.text)) fail(`'${w.text}' is not hex bytes`);
                    for (let k = 0; k < w.text.length; k += 2) bytes.push(parseInt(w.text.slice(k, k + 2), 16));
                }
                expect(']');
                pieces.push({ kind: 'bytes', bytes });
            } else if (tok!.kind === 'ref') {
                pos++;
                pieces.push({ kind: 'ref', ref: tok!.text });
            } else fail(`property '${name}' has a value that is not a string, <cells>, [bytes] or &label: '${tok!.text}'`);
            const sep = peek();
            if (sep?.text === ',') {
                pos++;
                continue;
            }
            if (sep?.text === ';') {
                pos++;
                return { name, pieces, line };
            }
            fail(`property '${name}' (line ${line}) must end with ';'${sep ? `, not '${sep.text}'` : ': the file is truncated'}`);
        }
    }

    function parseCells(name: string): PropPiece {
        expect('<');
        const cells: Cell[] = [];
        for (;;) {
            const tok = peek();
            if (!tok) fail(`the cells of '${name}' are never closed with '>'`);
            if (tok!.text === '>') {
                pos++;
                return { kind: 'cells', cells };
            }
            pos++;
            if (tok!.kind === 'ref') cells.push({ ref: tok!.text });
            else if (tok!.kind === 'label') continue;
            else if (tok!.kind === 'word' && /^(0x[0-9a-fA-F]+|[0-9]+)U?L*$/.test(tok!.text)) {
                const v = BigInt(tok!.text.replace(/U?L*$/, ''));
                if (v > 0xffffffffn) fail(`cell ${tok!.text} of '${name}' does not fit 32 bits`);
                cells.push(v);
            } else if (tok!.text === '(') fail(`'${name}' uses an expression: run the source through dtc first`);
            else fail(`'${tok!.text}' in the cells of '${name}' is not a number`);
        }
    }

    while (pos < tokens.length) {
        const tok = peek()!;
        if (tok.kind === 'directive' && tok.text === '/dts-v1/') {
            pos++;
            expect(';');
        } else if (tok.kind === 'directive' && tok.text === '/plugin/') {
            pos++;
            expect(';');
        } else if (tok.kind === 'directive' && tok.text === '/memreserve/') {
            pos++;
            while (peek() && peek()!.text !== ';') pos++;
            expect(';');
        } else if (tok.kind === 'word' && tok.text === '/') {
            pos++;
            sawRoot = true;
            parseBody(root, 0);
        } else if (tok.kind === 'ref') {
            pos++;
            const holder: DtNode = { name: tok.text, labels: [], props: new Map(), children: [], line: tok.line };
            pendingRefs.push({ ref: tok.text, node: holder });
            parseBody(holder, 0);
        } else if (tok.kind === 'label') pos++;
        else fail(`expected '/ {' or '/dts-v1/;', not '${tok.text}'`);
    }
    if (!sawRoot) throw new ImportError('IMPORT-DTS-SYNTAX', file, 1, 'no root node `/ { ... };`: not device tree source');
    for (const { ref, node } of pendingRefs) {
        const target = findLabel(root, ref);
        if (!target) throw new ImportError('IMPORT-DTS-SYNTAX', file, node.line, `&${ref} names no labelled node`);
        for (const [k, v] of node.props) target.props.set(k, v);
        for (const c of node.children) {
            c.parent = target;
            target.children.push(c);
        }
    }
    return root;
}

export function nodeFullName(node: DtNode): string {
    return node.unitAddress === undefined ? node.name : `${node.name}@${node.unitAddress}`;
}

export function findLabel(root: DtNode, label: string): DtNode | undefined {
    const path = label.startsWith('{') ? label.slice(1, -1) : undefined;
    if (path !== undefined) {
        let node: DtNode | undefined = root;
        for (const part of path.split('/').filter((p) => p !== '')) node = node?.children.find((c) => nodeFullName(c) === part || c.name === part);
        return node;
    }
    const stack = [root];
    while (stack.length > 0) {
        const n = stack.pop()!;
        if (n.labels.includes(label)) return n;
        stack.push(...n.children);
    }
    return undefined;
}

export function* walkNodes(root: DtNode): Generator<DtNode> {
    const stack = [root];
    while (stack.length > 0) {
        const n = stack.pop()!;
        yield n;
        for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
}

/** All cells of a property (several `<>` groups concatenated). */
export function cellsOf(prop: DtProp | undefined): Cell[] | undefined {
    if (!prop) return undefined;
    const out: Cell[] = [];
    for (const p of prop.pieces) {
        if (p.kind === 'cells') out.push(...p.cells);
        else if (p.kind === 'ref') out.push({ ref: p.ref });
        else return undefined;
    }
    return out;
}

export function stringsOf(prop: DtProp | undefined): string[] | undefined {
    if (!prop) return undefined;
    const out: string[] = [];
    for (const p of prop.pieces) {
        if (p.kind !== 'strings') return undefined;
        out.push(...p.values.filter((v) => v !== ''));
    }
    return out;
}
