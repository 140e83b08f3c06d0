// Langium's own diagnostics (lexing, parsing, linking) get pciplat's stable codes, and a badly
// broken file reports its first syntax errors rather than thousands; every other code is capped
// per file the same way (src/findings/cap.ts), with one FINDINGS-OMITTED diagnostic per code.
import { DefaultDocumentValidator, DocumentValidator, type LangiumDocument, type ValidationOptions } from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { Cancellation } from 'langium';
import { MAX_FINDINGS_PER_CODE, omittedMessage } from '../../src/findings/cap.js';
import { boundTokens } from '../../src/findings/quote.js';

/** Syntax errors reported per file; the rest are summarised in one more diagnostic. */
export const MAX_SYNTAX_ERRORS = 100;

const LANGIUM_CODES: Record<string, string> = {
    [DocumentValidator.LexingError]: 'LANG-SYNTAX',
    [DocumentValidator.ParsingError]: 'LANG-SYNTAX',
    [DocumentValidator.LinkingError]: 'LANG-UNRESOLVED',
};

export class PciplatDocumentValidator extends DefaultDocumentValidator {
    override async validateDocument(document: LangiumDocument, options?: ValidationOptions, cancelToken?: Cancellation.CancellationToken): Promise<Diagnostic[]> {
        const diagnostics = await super.validateDocument(document, options, cancelToken);
        let syntax = 0;
        const kept: Diagnostic[] = [];
        const counts = new Map<string, number>();
        const firstOmitted = new Map<string, Diagnostic>();
        for (const diagnostic of diagnostics) {
            const langiumCode = (diagnostic.data as { code?: string } | undefined)?.code;
            const code = langiumCode !== undefined ? LANGIUM_CODES[langiumCode] : undefined;
            if (code !== undefined && diagnostic.code === undefined) diagnostic.code = code;
            // Langium's messages quote the offending token: a huge one is quoted by its prefix
            // (pciplat's own checks quote with quoteToken where a token can be huge).
            if (code !== undefined && typeof diagnostic.message === 'string') diagnostic.message = boundTokens(diagnostic.message);
            if (diagnostic.code === 'LANG-SYNTAX') {
                if (++syntax > MAX_SYNTAX_ERRORS) continue;
            } else {
                const key = String(diagnostic.code);
                const n = (counts.get(key) ?? 0) + 1;
                counts.set(key, n);
                if (n === MAX_FINDINGS_PER_CODE + 1) firstOmitted.set(key, diagnostic);
                if (n > MAX_FINDINGS_PER_CODE) continue;
            }
            kept.push(diagnostic);
        }
        const file = document.uri.path.split('/').pop() ?? document.uri.toString();
        for (const [code, first] of firstOmitted) {
            kept.push({
                range: first.range,
                severity: 3,
                code: 'FINDINGS-OMITTED',
                source: first.source,
                message: omittedMessage(code, counts.get(code)! - MAX_FINDINGS_PER_CODE, file),
            });
        }
        if (syntax > MAX_SYNTAX_ERRORS) {
            const last = kept.filter((d) => d.code === 'LANG-SYNTAX').pop()!;
            kept.push({ ...last, message: `${syntax - MAX_SYNTAX_ERRORS} more syntax errors not shown (first ${MAX_SYNTAX_ERRORS} reported).` });
        }
        return kept;
    }
}
