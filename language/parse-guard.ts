// Bad input must never crash the server or the CLI. The parser is wrapped so that text it should
// not try (NUL bytes, oversized files) and failures inside Chevrotain's error recovery (which can
// exhaust the stack on huge broken files, ENGINEERING.md) yield an empty document whose root says
// why; the input check (validation/input-checks.ts) turns that into a coded finding.
import { AstUtils, createLangiumParser, type LangiumCoreServices, type LangiumParser, type ParseResult } from 'langium';
import type { Model } from './generated/ast.js';

/** Largest document parsed, in characters (a 100k-line platform is ~5 M). */
export const MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;

export interface InputRejection {
    code: 'LANG-NOT-TEXT' | 'LANG-FILE-TOO-LARGE' | 'LANG-PARSE-ABORTED';
    message: string;
}

/** The reason the parser left a document empty, if it did. */
export function inputRejection(model: Model): InputRejection | undefined {
    return (model as Model & { $rejected?: InputRejection }).$rejected;
}

function rejected(reason: InputRejection): ParseResult<Model> {
    const model = { $type: 'Model', imports: [], elements: [], $rejected: reason } as unknown as Model;
    return { value: model, parserErrors: [], lexerErrors: [] };
}

export function createGuardedParser(services: LangiumCoreServices): LangiumParser {
    const parser = createLangiumParser(services);
    const parse = parser.parse.bind(parser);
    parser.parse = ((input: string, options?: Parameters<LangiumParser['parse']>[1]) => {
        if (input.length > MAX_DOCUMENT_CHARS) {
            return rejected({ code: 'LANG-FILE-TOO-LARGE', message: `The file has ${input.length} characters; pciplat parses at most ${MAX_DOCUMENT_CHARS}. Split it with \`import\`.` });
        }
        const nul = input.indexOf('\u0000');
        if (nul >= 0) {
            return rejected({ code: 'LANG-NOT-TEXT', message: `The file holds a NUL byte at offset ${nul}: it is not a text file and was not parsed.` });
        }
        try {
            return parseWithKeywordNames(parse, input, options);
        } catch (error) {
            const what = error instanceof RangeError ? 'ran out of stack during error recovery' : `failed (${String(error)})`;
            return rejected({ code: 'LANG-PARSE-ABORTED', message: `The parser ${what}; fix the first syntax errors and retry.` });
        }
    }) as LangiumParser['parse'];
    return parser;
}

/** Keywords used as names that are recovered from per file; more is not a typo but a mismatch. */
const MAX_KEYWORD_NAMES = 20;

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
    while (recovered.length < MAX_KEYWORD_NAMES) {
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
