// Random incremental edits as someone typing would make them, on a text kept in step with the
// server's: numbers and names changed in place (names to other names of the text: duplicates,
// dangling and wrong-kind references), statement lines deleted, or typed again below themselves
// a few characters per edit, and junk typed and taken out again a few edits later. In between
// the text often does not parse; mostly it parses again soon after.
import type { Random } from '../fuzz/random.js';
import { tokenize } from '../fuzz/tokens.js';

export interface Position {
    line: number;
    character: number;
}

export interface Change {
    range: { start: Position; end: Position };
    text: string;
}

export function positionAt(text: string, offset: number): Position {
    let line = 0;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
        line++;
        lineStart = i + 1;
    }
    return { line, character: offset - lineStart };
}

const NUMBERS = ['0', '1', '2', '4', '8', '16', '0x10', '0x100', '0x1000', '0xffff', '4K', '16K', '1M', '64M', '1G', '0x4000_0000', '0x1_0000_0000'];
/** Junk to type and take out again: nothing in it is a number or a name, so no other edit changes it. */
const JUNK = ['((((', '}}', '{', '"', '->', '..', 'at at', ':::'];

/** One editing session: a text and the edits still owed (junk to take out again). */
export class Editor {
    private pending: { marker: string; due: number }[] = [];
    private typing: { text: string; at: number } | undefined;
    private edits = 0;

    constructor(
        public text: string,
        private readonly rng: Random,
        /** The grammar's keywords (a name edit leaves them alone). */
        private readonly keywords: ReadonlySet<string>,
    ) {}

    /** The next edit: applied to `text` and returned as an LSP change. */
    next(): Change {
        this.edits++;
        // A line being typed is finished first (its offset stays right), then junk is taken out.
        if (this.typing) return this.typeMore();
        const due = this.pending.findIndex((p) => p.due <= this.edits);
        if (due >= 0) {
            const [p] = this.pending.splice(due, 1);
            const at = this.text.indexOf(p!.marker);
            if (at >= 0) return this.replace(at, at + p!.marker.length, '');
        }
        const rng = this.rng;
        const choice = rng.weighted([
            [4, 'number'],
            [3, 'name'],
            [2, 'type-line'],
            [1, 'delete-line'],
            [1, 'junk'],
        ] as const);
        const tokens = tokenize(this.text);
        if (choice === 'number' || choice === 'name') {
            const kind = choice === 'number' ? 'number' : 'id';
            const candidates = tokens.filter((t) => t.kind === kind && !this.keywords.has(t.text));
            if (candidates.length > 0) {
                const t = rng.pick(candidates);
                const replacement = kind === 'number' ? rng.pick(NUMBERS) : rng.chance(0.7) ? rng.pick(candidates).text : `${t.text}${rng.int(10)}`;
                return this.replace(t.start, t.end, replacement);
            }
        }
        if (choice === 'delete-line') {
            const starts = [...this.text.matchAll(/^[^{}\n]+\n/gm)];
            if (starts.length > 5) {
                const m = rng.pick(starts);
                return this.replace(m.index, m.index + m[0].length, '');
            }
        }
        if (choice === 'junk') {
            const marker = `§${rng.pick(JUNK)}§`;
            this.pending.push({ marker, due: this.edits + rng.range(1, 8) });
            return this.insert(rng.int(this.text.length + 1), marker);
        }
        // Type a statement line again below itself, a few characters per edit.
        const statements = [...this.text.matchAll(/^[ \t]*[a-z][^{}\n]*\n/gm)];
        if (statements.length === 0) return this.insert(this.text.length, '\n');
        const m = rng.pick(statements);
        // Without its trailing comment: a half-typed comment would comment out the rest of the line.
        this.typing = { text: `${m[0].trimEnd().replace(/\s*\/\/.*$/, '')}\n`, at: m.index + m[0].length };
        return this.typeMore();
    }

    private typeMore(): Change {
        const typing = this.typing!;
        const n = Math.min(typing.text.length, this.rng.range(1, 6));
        const chunk = typing.text.slice(0, n);
        typing.text = typing.text.slice(n);
        const at = typing.at;
        typing.at += n;
        if (typing.text.length === 0) this.typing = undefined;
        return this.insert(at, chunk);
    }

    private insert(offset: number, text: string): Change {
        return this.replace(offset, offset, text);
    }

    private replace(start: number, end: number, text: string): Change {
        const change = { range: { start: positionAt(this.text, start), end: positionAt(this.text, end) }, text };
        this.text = this.text.slice(0, start) + text + this.text.slice(end);
        return change;
    }

    /** Junk still in the text. */
    get owed(): number {
        return this.pending.length + (this.typing ? 1 : 0);
    }
}
