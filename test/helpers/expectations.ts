// Fixture files state the diagnostics they expect, in comments under the offending line:
//
//       bar 6 mem32 size 4K
//   //      ^ PCI-BAR-INDEX: BAR 6 of ep0 is out of range: a type 0 header has BARs 0-5.
//
// The carets cover the exact range (same columns as the line above; the nearest line above
// that is not itself an expectation). For a range starting in column 0 or 1, or spanning lines,
// write it out (1-based line and column, end exclusive, as the CLI prints):
//
//   // @expect 3:1-3:9 LANG-PARSE-ABORTED: The parser ran out of stack during error recovery; fix the first syntax errors and retry.
//
// A fixture without expectations must produce no diagnostic at all.

export interface Expected {
    code: string;
    message: string;
    /** 0-based, end exclusive. */
    start: { line: number; character: number };
    end: { line: number; character: number };
}

const CARET = /^(\s*\/\/)(\s*)(\^+)\s+([A-Z0-9-]+):\s(.*)$/;
const EXPLICIT = /^\s*\/\/\s*@expect\s+(\d+):(\d+)-(\d+):(\d+)\s+([A-Z0-9-]+):\s(.*)$/;

export function expectationsOf(text: string): Expected[] {
    const lines = text.split(/\r?\n/);
    const result: Expected[] = [];
    let target = -1;
    lines.forEach((line, index) => {
        const explicit = EXPLICIT.exec(line);
        if (explicit) {
            const [, l1, c1, l2, c2, code, message] = explicit;
            result.push({ code: code!, message: message!.trim(), start: { line: +l1! - 1, character: +c1! - 1 }, end: { line: +l2! - 1, character: +c2! - 1 } });
            return;
        }
        const caret = CARET.exec(line);
        if (caret && target >= 0) {
            const [, slashes, spaces, carets, code, message] = caret;
            const start = slashes!.length + spaces!.length;
            result.push({ code: code!, message: message!.trim(), start: { line: target, character: start }, end: { line: target, character: start + carets!.length } });
            return;
        }
        target = index;
    });
    return result;
}

export interface Actual {
    code: string;
    message: string;
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

/** One comparable line per diagnostic: `L:C-L:C CODE: message` (1-based). */
export function describe(d: Actual | Expected): string {
    const start = 'range' in d ? d.range.start : d.start;
    const end = 'range' in d ? d.range.end : d.end;
    return `${start.line + 1}:${start.character + 1}-${end.line + 1}:${end.character + 1} ${d.code}: ${d.message}`;
}
