// Formatting: re-indents by brace depth (one indentation unit per open `{`, from the client's
// tab size / spaces setting), strips trailing whitespace and keeps one final newline. It never
// moves a token to another line or changes anything but whitespace, so it is safe on any text
// that lexes; lines inside block comments are left alone. A file with lexing errors is not
// touched.
import type { LangiumDocument } from 'langium';
import type { Formatter } from 'langium/lsp';
import type { DocumentFormattingParams, DocumentOnTypeFormattingOptions, DocumentRangeFormattingParams, FormattingOptions, TextEdit } from 'vscode-languageserver';

interface LineInfo {
    /** Brace depth at the start of the line. */
    depth: number;
    /** The line starts inside a block comment: keep it as it is. */
    inComment: boolean;
}

/** Scans the text once: brace depth and block-comment state at each line start. */
function scan(text: string): LineInfo[] {
    const lines: LineInfo[] = [{ depth: 0, inComment: false }];
    let depth = 0;
    let inBlock = false;
    let inString = false;
    let inLineComment = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i]!;
        if (c === '\n') {
            inLineComment = false;
            inString = false; // strings do not span lines (the lexer would have failed)
            lines.push({ depth, inComment: inBlock });
            continue;
        }
        if (inLineComment) continue;
        if (inBlock) {
            if (c === '*' && text[i + 1] === '/') {
                inBlock = false;
                i++;
            }
            continue;
        }
        if (inString) {
            if (c === '\\') i++;
            else if (c === '"') inString = false;
            continue;
        }
        if (c === '"') inString = true;
        else if (c === '/' && text[i + 1] === '/') inLineComment = true;
        else if (c === '/' && text[i + 1] === '*') {
            inBlock = true;
            i++;
        } else if (c === '{') depth++;
        else if (c === '}') depth = Math.max(0, depth - 1);
    }
    return lines;
}

export function formatText(text: string, options: FormattingOptions, firstLine = 0, lastLine = Number.MAX_SAFE_INTEGER): TextEdit[] {
    const unit = options.insertSpaces === false ? '\t' : ' '.repeat(Math.max(1, Math.min(8, options.tabSize || 2)));
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const lines = text.split(/\r?\n/);
    const info = scan(text.replace(/\r\n/g, '\n'));
    let lastContent = lines.length - 1;
    while (lastContent >= 0 && lines[lastContent]!.trim() === '') lastContent--;
    if (lastContent < 0) return [];
    // What follows the last non-blank line: one newline, unless the client asks otherwise.
    const reachesEnd = lastLine >= lastContent;
    const tail = lines.length - 1 > lastContent ? eol + lines.slice(lastContent + 1).join(eol) : '';
    let wantedTail = tail;
    if (options.insertFinalNewline !== false) wantedTail = options.trimFinalNewlines === false && tail.length > eol.length ? tail : eol;
    else if (options.trimFinalNewlines !== false) wantedTail = '';
    const edits: TextEdit[] = [];
    for (let n = Math.max(0, firstLine); n <= lastContent && n <= lastLine; n++) {
        const line = lines[n]!;
        const at = info[n] ?? { depth: 0, inComment: false };
        const trimmed = line.trim();
        let wanted: string;
        if (at.inComment) wanted = line.trimEnd();
        else if (trimmed === '') wanted = '';
        else wanted = unit.repeat(Math.max(0, at.depth - (trimmed.startsWith('}') ? 1 : 0))) + trimmed;
        if (n === lastContent && reachesEnd && wantedTail !== tail) {
            const endLine = lines.length - 1;
            edits.push({ range: { start: { line: n, character: 0 }, end: { line: endLine, character: lines[endLine]!.length } }, newText: wanted + wantedTail });
        } else if (wanted !== line) {
            edits.push({ range: { start: { line: n, character: 0 }, end: { line: n, character: line.length } }, newText: wanted });
        }
    }
    return edits;
}

export class PciplatFormatter implements Formatter {
    formatDocument(document: LangiumDocument, params: DocumentFormattingParams): TextEdit[] {
        if (document.parseResult.lexerErrors.length > 0) return [];
        return formatText(document.textDocument.getText(), params.options);
    }

    formatDocumentRange(document: LangiumDocument, params: DocumentRangeFormattingParams): TextEdit[] {
        if (document.parseResult.lexerErrors.length > 0) return [];
        return formatText(document.textDocument.getText(), params.options, params.range.start.line, params.range.end.line);
    }

    formatDocumentOnType(): TextEdit[] {
        return [];
    }

    get formatOnTypeOptions(): DocumentOnTypeFormattingOptions | undefined {
        return undefined;
    }
}
