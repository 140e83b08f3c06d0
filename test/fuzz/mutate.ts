// Grammar-aware mutations of pciplat text: token edits (edge numbers, names that collide or
// dangle, keywords in the wrong place, deleted/duplicated/swapped tokens), splices of blocks from
// other corpus files, huge counts (a statement or block repeated thousands of times), deep
// nesting (long chains of bridges, unclosed braces), import cycles across files, and random
// bytes. Each input stacks one to four of them; all randomness comes from the seeded Random.
import * as path from 'node:path';
import type { Random } from './random.js';
import { blocks, significant, tokenize, type Token } from './tokens.js';

/** One fuzz input: files (relative paths, over the corpus) and the command line that runs them. */
export interface FuzzInput {
    /** Files added or replaced, by path relative to the virtual root (the corpus is under it too). */
    files: Record<string, string>;
    /** The file the command names. */
    main: string;
    /** `pciplat` arguments before the file: `check --format json`, `simulate --scenario s`, ... */
    args: string[];
    /** The mutations applied, for the record. */
    mutations: string[];
}

export interface MutationContext {
    /** Corpus texts by relative path. */
    corpus: ReadonlyMap<string, string>;
    /** The grammar's keywords. */
    keywords: readonly string[];
}

/** Largest text a mutation produces (larger results are cut back to this). */
export const MAX_INPUT_CHARS = 250_000;

const EDGE_NUMBERS = [
    '0', '1', '2', '7', '8', '0xff', '0x100', '255', '256', '0xffff', '0x10000', '65535', '65536', '0x7fff_ffff', '0xffff_ffff',
    '0x1_0000_0000', '0xffff_ffff_ffff_ffff', '0x1_0000_0000_0000_0000', '18446744073709551616', '0x8000_0000_0000_0000', '64', '63', '65',
    '4K', '1M', '1G', '16T', '1P', '0x0', '0b1', '0b0', '0_0', '9' .repeat(40), 'f'.repeat(1), '0x' + 'f'.repeat(80), '1' + '0'.repeat(1000),
];

const PUNCT = ['{', '}', '..', '->', ':', '.', '"', '(', ')', ',', '{{{{', '}}}}'];

type Mutator = (rng: Random, text: string, ctx: MutationContext, extra: Record<string, string>, dir: string) => string;

function replaceToken(text: string, t: Token, replacement: string): string {
    return text.slice(0, t.start) + replacement + text.slice(t.end);
}

function pickToken(rng: Random, tokens: readonly Token[], kinds: Token['kind'][]): Token | undefined {
    const candidates = tokens.filter((t) => kinds.includes(t.kind));
    return candidates.length > 0 ? rng.pick(candidates) : undefined;
}

/** Log-uniform count in [lo, hi]: mostly small, sometimes huge. */
function count(rng: Random, lo: number, hi: number): number {
    return Math.floor(Math.exp(Math.log(lo) + rng.next() * (Math.log(hi + 1) - Math.log(lo))));
}

function lines(text: string): string[] {
    return text.split('\n');
}

const edgeNumber: Mutator = (rng, text) => {
    const t = pickToken(rng, tokenize(text), ['number', 'pci']);
    if (!t) return text;
    if (t.kind === 'pci' && rng.chance(0.5)) {
        const hex = (n: number) => rng.int(n).toString(16);
        return replaceToken(text, t, rng.pick([`${hex(256)}:${hex(32)}.${hex(8)}`, `ffff:ff:1f.7`, `0:0.0`, `${hex(32)}.${hex(256)}`, `00:00.ff`, `fffff:00:00.0`]));
    }
    return replaceToken(text, t, rng.pick(EDGE_NUMBERS));
};

const nameEdit: Mutator = (rng, text, ctx) => {
    const tokens = tokenize(text);
    const t = pickToken(rng, tokens, ['id']);
    if (!t) return text;
    const ids = tokens.filter((x) => x.kind === 'id').map((x) => x.text);
    const replacement = rng.weighted<() => string>([
        [4, () => rng.pick(ids)], // a name that exists elsewhere: duplicates, references to the wrong kind
        [2, () => rng.pick(ctx.keywords)],
        [1, () => `${t.text}_x`], // a dangling reference
        [1, () => 'a'.repeat(count(rng, 1, 5000))],
        [1, () => `${t.text}-${t.text}`],
    ])();
    return replaceToken(text, t, replacement);
};

const tokenEdit: Mutator = (rng, text, ctx) => {
    const tokens = significant(tokenize(text));
    if (tokens.length === 0) return text;
    const t = rng.pick(tokens);
    return rng.weighted<() => string>([
        [3, () => replaceToken(text, t, '')],
        [2, () => replaceToken(text, t, `${t.text} ${t.text}`)],
        [2, () => {
            const u = rng.pick(tokens);
            if (u.start <= t.start) return text;
            return text.slice(0, t.start) + u.text + text.slice(t.end, u.start) + t.text + text.slice(u.end);
        }],
        [2, () => replaceToken(text, t, `${t.text} ${rng.pick(ctx.keywords)}`)],
        [2, () => replaceToken(text, t, `${t.text}${rng.pick(PUNCT)}`)],
        [1, () => replaceToken(text, t, rng.pick(['"', '"unterminated', '"' + 'x'.repeat(count(rng, 1, 100_000)) + '"', '/*', '//']))],
    ])();
};

/** A line range [from, to) holding one balanced block, headed by the line of its `{`. */
function blockLines(rng: Random, text: string): [number, number] | undefined {
    const tokens = tokenize(text);
    const all = blocks(tokens);
    if (all.length === 0) return undefined;
    const [open, close] = rng.pick(all);
    const lineOf = (offset: number) => text.slice(0, offset).split('\n').length - 1;
    return [lineOf(tokens[open]!.start), lineOf(tokens[close]!.start) + 1];
}

/** Lines that close a block: inserting before one puts text inside that block. */
function closingLines(text: string): number[] {
    return lines(text).flatMap((l, i) => (/^\s*}/.test(l) ? [i] : []));
}

function insertAt(text: string, line: number, chunk: string): string {
    const ls = lines(text);
    ls.splice(line, 0, chunk);
    return ls.join('\n');
}

const splice: Mutator = (rng, text, ctx) => {
    const donorText = rng.chance(0.3) ? text : rng.pick([...ctx.corpus.values()]);
    const range = blockLines(rng, donorText);
    if (!range) return text;
    const chunk = lines(donorText).slice(...range).join('\n');
    const targets = closingLines(text);
    const at = targets.length > 0 && rng.chance(0.8) ? rng.pick(targets) : rng.int(lines(text).length + 1);
    if (rng.chance(0.2)) {
        // Replace a block of this file instead of adding one.
        const own = blockLines(rng, text);
        if (own) {
            const ls = lines(text);
            ls.splice(own[0], own[1] - own[0], chunk);
            return ls.join('\n');
        }
    }
    return insertAt(text, at, chunk);
};

/** Renames the first name-like token after a kind keyword (`endpoint nic0` -> `endpoint nic0_7`). */
function renamed(chunk: string, suffix: string): string {
    return chunk.replace(/\b(endpoint|legacy-endpoint|rc-endpoint|pci-device|root-port|switch-upstream|downstream-port|pcie-pci-bridge|pci-pcie-bridge|pci-bridge|domain|vm|memory|smmu|its|host-bridge|platform|soc|scenario|device|uart)\s+([A-Za-z_][A-Za-z0-9_]*)/g, (_, kw: string, name: string) => `${kw} ${name}${suffix}`);
}

const hugeCount: Mutator = (rng, text) => {
    const ls = lines(text);
    const block = rng.chance(0.5) ? blockLines(rng, text) : undefined;
    const [from, to] = block ?? (() => {
        const candidates = ls.flatMap((l, i) => (l.trim() !== '' && !/[{}]/.test(l) ? [i] : []));
        const i = candidates.length > 0 ? rng.pick(candidates) : 0;
        return [i, i + 1] as [number, number];
    })();
    const chunk = ls.slice(from, to).join('\n');
    const n = Math.min(count(rng, 2, rng.chance(0.1) ? 5000 : 300), Math.max(2, Math.floor(MAX_INPUT_CHARS / Math.max(1, chunk.length + 1))));
    const unique = rng.chance(0.6);
    const copies: string[] = [];
    for (let i = 1; i <= n; i++) copies.push(unique ? renamed(chunk, `_${i}`) : chunk);
    ls.splice(to, 0, ...copies);
    return ls.join('\n');
};

const deepNesting: Mutator = (rng, text) => {
    const depth = count(rng, 2, rng.chance(0.15) ? 400 : 40);
    const kind = rng.int(4);
    if (kind === 0) {
        // Unclosed blocks (or closed ones), at the end or in the middle.
        const opener = rng.pick(['platform p {', 'platform p { host-bridge h {', '{', 'xen { domain d {', 'root-port r at 00:01.0 {']);
        const chunk = (opener + '\n').repeat(Math.min(depth * 10, 20_000)) + (rng.chance(0.3) ? '}\n'.repeat(depth) : '');
        return rng.chance(0.5) ? text + '\n' + chunk : insertAt(text, rng.int(lines(text).length + 1), chunk);
    }
    // A chain of bridges below a bridge of the file (or anywhere): switch pairs or PCI bridges.
    const open: string[] = [];
    const close: string[] = [];
    for (let d = 0; d < depth; d++) {
        const bridge = kind === 1 ? (d % 2 === 0 ? `switch-upstream u${d} at 00.0` : `downstream-port p${d} at 00.0`) : kind === 2 ? `pci-bridge b${d} at 00.0` : `root-port r${d} at 00:${(d % 32).toString(16).padStart(2, '0')}.0`;
        open.push(`${' '.repeat(Math.min(d, 40))}${bridge} {`);
        close.push('}');
    }
    const chunk = [...open, `endpoint leaf at 00.0 { bar 0 mem32 size 4K }`, ...close].join('\n');
    const targets = lines(text).flatMap((l, i) => (/^\s*(root-port|downstream-port|pci-bridge|host-bridge)\b.*\{\s*(\/\/.*)?$/.test(l) ? [i + 1] : []));
    return insertAt(text, targets.length > 0 ? rng.pick(targets) : rng.int(lines(text).length + 1), chunk);
};

const importCycle: Mutator = (rng, text, ctx, extra, dir) => {
    const other = `fuzz-${Object.keys(extra).length}.pciplat`;
    const self = rng.chance(0.2);
    const target = self ? '__self__' : other;
    if (!self) {
        // The other file imports this one back (a cycle), and brings a part of some corpus file
        // (often this one: names declared twice across the cycle).
        const donor = rng.chance(0.5) ? text : rng.pick([...ctx.corpus.values()]);
        const range = blockLines(rng, donor);
        const body = range ? lines(donor).slice(...range).join('\n') : donor;
        extra[path.posix.join(dir, other)] = `import "__main__"\n${rng.chance(0.5) ? body : ''}\n`;
    }
    return `import "${target}"\n${text}`;
};

const randomBytes: Mutator = (rng, text) => {
    const at = rng.int(text.length + 1);
    return rng.weighted<() => string>([
        [3, () => {
            let junk = '';
            const n = count(rng, 1, 64);
            for (let i = 0; i < n; i++) junk += String.fromCharCode(rng.chance(0.8) ? rng.int(128) : rng.int(0x10000));
            return text.slice(0, at) + junk + text.slice(at);
        }],
        [2, () => text.slice(0, at)], // truncated
        [1, () => text.slice(0, at) + '\u0000'.repeat(count(rng, 1, 1000)) + text.slice(at)],
        [1, () => text.slice(0, at) + '\uFEFF\u200B\r\r\n\t\u00A0' + text.slice(at)],
        [1, () => text.slice(0, at) + 'x'.repeat(count(rng, 1000, 200_000)) + text.slice(at)], // a very long line
    ])();
};

const MUTATORS: readonly (readonly [number, string, Mutator])[] = [
    [6, 'edge-number', edgeNumber],
    [5, 'name', nameEdit],
    [5, 'token', tokenEdit],
    [4, 'splice', splice],
    // Big inputs cost a hundred small ones: rarer, so that an hour still runs 100k inputs.
    [1, 'huge-count', hugeCount],
    [1, 'deep-nesting', deepNesting],
    [2, 'import-cycle', importCycle],
    [2, 'random-bytes', randomBytes],
];

const FORMATS = ['text', 'json', 'sarif'];
const PROFILES = ['arm-design', 'arm-upstream', 'x86-pvh', 'kvm'];

/** The command line for `text`: check or simulate, a format, sometimes a profile, a scenario or a platform. */
function commandFor(rng: Random, text: string): string[] {
    const args = [rng.chance(0.55) ? 'check' : 'simulate', '--format', rng.pick(FORMATS)];
    if (rng.chance(0.3)) args.push('--profile', rng.pick(PROFILES));
    if (args[0] === 'simulate') {
        const platforms = [...text.matchAll(/\bplatform\s+([A-Za-z_][A-Za-z0-9_-]*)/g)].map((m) => m[1]!);
        if (platforms.length > 1 || (platforms.length === 1 && rng.chance(0.2))) args.push('--platform', rng.pick(platforms));
        const scenarios = [...text.matchAll(/\bscenario\s+([A-Za-z_][A-Za-z0-9_-]*)/g)].map((m) => m[1]!);
        if (scenarios.length > 0 && rng.chance(0.6)) args.push('--scenario', rng.pick(scenarios));
    }
    return args;
}

/** A new input from a corpus file: one to four stacked mutations (none, now and then, to run the seeds themselves). */
export function mutate(rng: Random, ctx: MutationContext, seedPath: string): FuzzInput {
    let text = ctx.corpus.get(seedPath) ?? '';
    const extra: Record<string, string> = {};
    const dir = path.posix.dirname(seedPath);
    const applied: string[] = [];
    const n = rng.chance(0.03) ? 0 : rng.weighted([[5, 1], [3, 2], [2, 3], [1, 4]] as const);
    for (let i = 0; i < n; i++) {
        const [, name, mutator] = rng.weighted(MUTATORS.map((m) => [m[0], m] as const));
        text = mutator(rng, text, ctx, extra, dir);
        if (text.length > MAX_INPUT_CHARS) text = text.slice(0, MAX_INPUT_CHARS);
        applied.push(name);
    }
    // The main file keeps the seed's place (its relative imports still resolve) under a new name.
    const main = path.posix.join(dir, `fuzz-main.pciplat`);
    const files: Record<string, string> = {};
    const fix = (t: string) => t.replaceAll('"__main__"', '"fuzz-main.pciplat"').replaceAll('"__self__"', '"fuzz-main.pciplat"');
    files[main] = fix(text);
    for (const [p, t] of Object.entries(extra)) files[p] = fix(t);
    return { files, main, args: commandFor(rng, text), mutations: applied };
}
