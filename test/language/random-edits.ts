// Seeded random edits of platform text, shared by the incremental parsing and linking tests.

/** mulberry32: a small seeded generator, so a failure replays. */
export function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const SNIPPETS = [' ', '\n', '0', '7', 'f', '1M', '0x10', 'x', '-', '_', '.', ':', '{', '}', '"', '//', '/*', '*/', '// note\n', '/* c */',
    'endpoint extra1 at 02.0', ' endpoint extra2 at 03.0 { bar 0 mem32 size 4K } ', 'vendor 0x1af4', 'bar 2 mem32 size 16K', 'acs sv rr', 'reset flr',
    'at', 'size', 'bar', 'window', 'rc-endpoint', 'ioapic', 'io', '\u0000', '"unterminated', '} }', '{ }'];

/** Lines that are whole items of some block. */
const ITEMS = [
    '    endpoint extra3 at 04.0 { bar 0 mem32 size 4K }\n',
    '    rc-endpoint extra4 at 00:1e.0 vendor 0x8086 device 0x1572 class 0x020000 { bar 0 mem64 prefetch size 1M }\n',
    '    // a note\n',
    '  uart extra5 at 0x9000000 size 4K\n',
    '    ecam at 0x0 size 1M\n',
    '    root-port extra6 at 00:1d.0 { endpoint extra7 at 00.0 }\n',
    '    window mem32 at 0x80000000 size 16M\n',
];

/** Snippets that fit in many places whole: a property, a function, a comment. */
const VALID = ['endpoint extra1 at 02.0 ', 'endpoint extra2 at 03.0 { bar 0 mem32 size 4K } ', 'bar 2 mem32 size 16K ', 'acs sv rr ', 'reset flr ', '// note\n', '/* c */ ', 'vendor 0x1af4 '];

export function edit(text: string, next: () => number): string {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const at = Math.floor(next() * (text.length + 1));
    const kind = next();
    const c = text[at] ?? '';
    if (kind < 0.45) {
        // A character changed for one of its own class (a digit for a digit, a letter for a letter):
        // mostly edits inside a token.
        const digits = '0123456789abcdef';
        const letters = 'abcdefghijklmnopqrstuvwxyz';
        const replacement = /[0-9]/.test(c) ? pick([...digits]) : /[a-z]/i.test(c) ? pick([...letters]) : pick([' ', c, '_']);
        return text.slice(0, at) + replacement + text.slice(at + 1);
    }
    // Text inserted, half of the time after a space (where whole properties and functions fit).
    if (kind < 0.6) return text.slice(0, at) + pick(SNIPPETS) + text.slice(at);
    if (kind < 0.75) {
        const space = text.indexOf(' ', at);
        const where = space < 0 ? at : space + 1;
        return text.slice(0, where) + pick(VALID) + text.slice(where);
    }
    if (kind < 0.85) return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 12));
    // Whole items of a block added or removed at a line start (a function, a host bridge's or a
    // platform's property, a comment): what the item splice of the incremental parser takes.
    if (kind < 0.97) {
        const lineStart = text.lastIndexOf('\n', at - 1) + 1;
        if (next() < 0.6) return text.slice(0, lineStart) + pick(ITEMS) + text.slice(lineStart);
        const lineEnd = text.indexOf('\n', lineStart);
        return text.slice(0, lineStart) + (lineEnd < 0 ? '' : text.slice(lineEnd + 1));
    }
    // A whole line of the text copied elsewhere (a new property, a new function, a duplicate).
    const lines = text.split('\n');
    const line = pick(lines);
    const where = Math.floor(next() * lines.length);
    lines.splice(where, 0, line);
    return lines.join('\n');
}
