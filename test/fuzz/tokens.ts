// The fuzzer's view of pciplat text: tokens as the grammar's terminals see them (language/
// pciplat.langium: PCI_ADDR, DEVFN, NUMBER, ID, STRING, comments, punctuation), kept with their
// offsets so that a mutation edits the text in place and leaves the rest byte for byte.
export type TokenKind = 'space' | 'comment' | 'string' | 'pci' | 'number' | 'id' | 'punct' | 'other';

export interface Token {
    kind: TokenKind;
    start: number;
    end: number;
    text: string;
}

const RULES: [TokenKind, RegExp][] = [
    ['space', /\s+/y],
    ['comment', /\/\*[\s\S]*?\*\/|\/\/[^\n\r]*/y],
    ['string', /"(\\.|[^"\\\r\n])*"/y],
    ['pci', /([0-9a-fA-F]{1,4}:)?[0-9a-fA-F]{1,2}:[0-9a-fA-F]{1,2}\.[0-9a-fA-F]{1,2}|[0-9][0-9a-fA-F]?\.[0-9a-fA-F]{1,2}/y],
    ['number', /(0[xX][0-9a-fA-F][0-9a-fA-F_]*|0[bB][01][01_]*|[0-9][0-9_]*)[KMGTPkmgtp]?/y],
    ['id', /[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*/y],
    ['punct', /->|\.\.|[{}()[\],;:=.]/y],
];

export function tokenize(text: string): Token[] {
    const out: Token[] = [];
    let at = 0;
    while (at < text.length) {
        let matched = false;
        for (const [kind, re] of RULES) {
            re.lastIndex = at;
            const m = re.exec(text);
            if (m && m[0].length > 0) {
                out.push({ kind, start: at, end: at + m[0].length, text: m[0] });
                at += m[0].length;
                matched = true;
                break;
            }
        }
        if (!matched) {
            out.push({ kind: 'other', start: at, end: at + 1, text: text[at]! });
            at++;
        }
    }
    return out;
}

/** Tokens that matter to the parser (no whitespace, no comments). */
export function significant(tokens: readonly Token[]): Token[] {
    return tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}

/** Balanced `{ ... }` blocks: [index of the `{` token, index of its `}` token] over `tokens`. */
export function blocks(tokens: readonly Token[]): [number, number][] {
    const out: [number, number][] = [];
    const open: number[] = [];
    tokens.forEach((t, i) => {
        if (t.text === '{') open.push(i);
        else if (t.text === '}' && open.length > 0) out.push([open.pop()!, i]);
    });
    return out;
}
