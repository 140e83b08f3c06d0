// Bad input must never crash the server or the CLI. The parser is wrapped so that text it should
// not try (NUL bytes, oversized files) and failures inside Chevrotain's error recovery (which can
// exhaust the stack on huge broken files, ENGINEERING.md) yield an empty document whose root says
// why; the input check (validation/input-checks.ts) turns that into a coded finding.
import { createLangiumParser, type LangiumCoreServices, type LangiumParser, type ParseResult } from 'langium';
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
            return parse(input, options);
        } catch (error) {
            const what = error instanceof RangeError ? 'ran out of stack during error recovery' : `failed (${String(error)})`;
            return rejected({ code: 'LANG-PARSE-ABORTED', message: `The parser ${what}; fix the first syntax errors and retry.` });
        }
    }) as LangiumParser['parse'];
    return parser;
}
