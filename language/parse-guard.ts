// Bad input must never crash the server or the CLI. The parser is wrapped so that text it should
// not try (NUL bytes, oversized files, blocks nested deeper than MAX_NESTING) and failures inside
// the parser (Chevrotain's error recovery can exhaust the stack on huge broken files,
// ENGINEERING.md) yield an empty document whose root says why; the input check
// (validation/input-checks.ts) turns that into a coded finding.
//
// Nesting: the parser is recursive descent, about 4 KB of stack per nested block in a fresh
// process (measured: 33 frames of Langium and Chevrotain per nested PCI function) and less once
// V8 has optimised it. So on V8's default ~1 MB stack a 255-deep chain of bridges (legal: 256
// buses) failed in a fresh process and parsed in a warm one. The depth is now bounded before
// parsing, the same in every process, and the CLI and the language server parse on a stack with
// room for MAX_NESTING levels (PARSE_STACK_MB, bin/pciplat.js and server/main.ts).
//
// A parse that throws leaves Langium's and Chevrotain's parser state half-built (the next file
// parsed got nodes of the aborted one), so the parser is rebuilt after any abort.
import { AstUtils, createLangiumParser, type LangiumCoreServices, type LangiumParser, type ParseResult } from 'langium';
import type { Model } from './generated/ast.js';
import { cacheSyntaxErrorPaths } from './syntax-error-paths.js';

/** Largest document parsed, in characters (a 100k-line platform is ~5 M). */
export const MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;

/**
 * Deepest nesting of `{ }` blocks parsed. A platform with 256 nested buses (the most a segment
 * has) needs about 260: platform, host bridge, root port, 254 bridges, an endpoint.
 */
export const MAX_NESTING = 512;

/** Stack (MiB) the CLI and the language server give the parser: MAX_NESTING levels at ~4 KB each, with room to spare. */
export const PARSE_STACK_MB = 16;

export interface InputRejection {
    code: 'LANG-NOT-TEXT' | 'LANG-FILE-TOO-LARGE' | 'LANG-TOO-DEEP' | 'LANG-PARSE-ABORTED';
    message: string;
}

/** The reason the parser left a document empty, if it did. */
export function inputRejection(model: Model): InputRejection | undefined {
    return (model as Model & { $rejected?: InputRejection }).$rejected;
}

function oneLine(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    return (text.split(/\r?\n/)[0] ?? '').slice(0, 200);
}

function rejected(reason: InputRejection): ParseResult<Model> {
    const model = { $type: 'Model', imports: [], elements: [], $rejected: reason } as unknown as Model;
    return { value: model, parserErrors: [], lexerErrors: [] };
}

/**
 * Where `{ }` blocks first nest deeper than `limit` (1-based line), skipping strings and comments
 * as the grammar's terminals do; undefined when they never do.
 */
export function nestingBeyond(text: string, limit: number): { line: number } | undefined {
    let depth = 0;
    let line = 1;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x0a) line++;
        else if (c === 0x7b /* { */) {
            if (++depth > limit) return { line };
        } else if (c === 0x7d /* } */) {
            if (depth > 0) depth--;
        } else if (c === 0x22 /* " */) {
            // STRING: /"(\\.|[^"\\\r\n])*"/ — ends at the closing quote or the line's end.
            for (i++; i < text.length; i++) {
                const s = text.charCodeAt(i);
                if (s === 0x5c /* \ */) i++;
                else if (s === 0x22 || s === 0x0a || s === 0x0d) break;
            }
            if (text.charCodeAt(i) === 0x0a) line++;
        } else if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
            while (i + 1 < text.length && text.charCodeAt(i + 1) !== 0x0a) i++;
        } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
            const end = text.indexOf('*/', i + 2);
            const stop = end < 0 ? text.length : end + 2;
            for (let j = i; j < stop; j++) if (text.charCodeAt(j) === 0x0a) line++;
            i = stop - 1;
        }
    }
    return undefined;
}

/**
 * Chevrotain keeps the token vector of the last parse as its input until the next parse: after
 * the 10k-function benchmark platform was the last file parsed, its 79,668 tokens held 9 MiB of
 * the server's heap (a tenth of a MiB per hundred functions, for as long as no other file was
 * parsed). Setting an empty input lets them go; the parse result keeps what it needs (the tree
 * and the error tokens), and the next parse sets its own input.
 */
function releaseTokens(parser: LangiumParser): void {
    (parser as unknown as { wrapper: { input: unknown[] } }).wrapper.input = [];
}

export function createGuardedParser(services: LangiumCoreServices): LangiumParser {
    const parser = createLangiumParser(services);
    cacheSyntaxErrorPaths(parser);
    let active = parser;
    let parse = parser.parse.bind(parser);
    // Set by an abort; the parser is rebuilt before the next parse (not in the catch, which may
    // run with almost no stack left).
    let broken = false;
    parser.parse = ((input: string, options?: Parameters<LangiumParser['parse']>[1]) => {
        if (input.length > MAX_DOCUMENT_CHARS) {
            return rejected({ code: 'LANG-FILE-TOO-LARGE', message: `The file has ${input.length} characters; pciplat parses at most ${MAX_DOCUMENT_CHARS}. Split it with \`import\`.` });
        }
        const nul = input.indexOf('\u0000');
        if (nul >= 0) {
            return rejected({ code: 'LANG-NOT-TEXT', message: `The file holds a NUL byte at offset ${nul}: it is not a text file and was not parsed.` });
        }
        const deep = nestingBeyond(input, MAX_NESTING);
        if (deep) {
            return rejected({
                code: 'LANG-TOO-DEEP',
                message: `Blocks nest more than ${MAX_NESTING} deep at line ${deep.line} (a platform with 256 nested buses needs about 260): a \`{\` is probably never closed. The file was not parsed.`,
            });
        }
        if (broken) {
            // The aborted parser's tokens go too: the services keep the first parser for good, whichever one parses.
            releaseTokens(active);
            const fresh = createLangiumParser(services);
            cacheSyntaxErrorPaths(fresh);
            active = fresh;
            parse = fresh.parse.bind(fresh);
            broken = false;
        }
        try {
            const result = parseWithKeywordNames(parse, input, options);
            releaseTokens(active);
            return result;
        } catch (error) {
            // This parser's state is half-built: the next document gets a fresh one.
            broken = true;
            const what = error instanceof RangeError ? 'ran out of stack during error recovery' : `failed (${oneLine(error)})`;
            return rejected({ code: 'LANG-PARSE-ABORTED', message: `The parser ${what}; fix the first syntax errors and retry.` });
        }
    }) as LangiumParser['parse'];
    return parser;
}

/** Keywords used as names that are recovered from per file; more is not a typo but a mismatch. */
const MAX_KEYWORD_NAMES = 20;

/**
 * Each recovery parses the whole file again, so the retries are bounded by the text they re-read
 * too: 20 retries of a 227 KB file full of errors took 37 s of CPU (fuzz, seed 20261203, input
 * 272,216). A small file gets all 20; a file of 1 MiB or more gets one.
 */
const KEYWORD_RETRY_TEXT = 1024 * 1024;

/** Langium's "one of these possible Token sequences" error where a name (`ID`) was one of them. */
function keywordAsName(error: ParseResult<Model>['parserErrors'][number]): boolean {
    const image = error.token?.image ?? '';
    return /^Expecting: one of these possible Token sequences:/.test(error.message) && /\[ID\]/.test(error.message) && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(image) && Number.isFinite(error.token.startOffset);
}

/**
 * A keyword where a name belongs (`rc-endpoint ioapic at 00:05.4`) derails Chevrotain's recovery
 * for the rest of the block, and every later line becomes a syntax error. So the keyword is
 * reported once (the document validator words it) and the file is parsed again with the
 * keyword's first letter replaced by `_`, same length, so positions hold: the rest of the file
 * is parsed and linked. Only the recorded keyword errors and the second parse's own remain.
 */
function parseWithKeywordNames(parse: LangiumParser['parse'], input: string, options: Parameters<LangiumParser['parse']>[1]): ParseResult<Model> {
    let text = input;
    const recovered: ParseResult<Model>['parserErrors'] = [];
    let result = parse(text, options) as ParseResult<Model>;
    const retries = Math.max(1, Math.min(MAX_KEYWORD_NAMES, Math.floor(KEYWORD_RETRY_TEXT / Math.max(input.length, 1))));
    while (recovered.length < retries) {
        const first = result.parserErrors[0];
        if (!first || !keywordAsName(first)) break;
        const at = first.token.startOffset;
        recovered.push({ ...first, name: first.name, message: `${KEYWORD_AS_NAME}${first.token.image}`, token: first.token, resyncedTokens: [], context: first.context });
        text = `${text.slice(0, at)}_${text.slice(at + 1)}`;
        result = parse(text, options) as ParseResult<Model>;
    }
    if (recovered.length === 0) return result;
    // The nodes keep the names as written (checks and hovers name `ioapic`, not `_oapic`).
    const written = new Map(recovered.map((e) => [`_${e.token.image.slice(1)}`, e.token.image]));
    for (const node of AstUtils.streamAst(result.value)) {
        const named = node as { name?: unknown };
        if (typeof named.name === 'string' && written.has(named.name)) named.name = written.get(named.name);
    }
    return { ...result, parserErrors: [...recovered, ...result.parserErrors] };
}

/** Message marker of a recovered keyword-as-name error (the document validator words it). */
export const KEYWORD_AS_NAME = 'pciplat:keyword-as-name:';
