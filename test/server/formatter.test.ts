// The formatter re-indents by brace depth and normalizes trailing whitespace, nothing else.
import { describe, expect, it } from 'vitest';
import { formatText } from '../../server/formatter.js';
import { applyEdits } from './lsp-client.js';

const OPTIONS = { tabSize: 2, insertSpaces: true };

describe('formatter', () => {
    it('indents by brace depth, closing braces one level out, single-line blocks kept', () => {
        const text = 'platform p {\narch arm64   \n      host-bridge hb {\n root-port rp at 00:01.0 { acs sv }\n    }\n}\n\n\n';
        expect(applyEdits(text, formatText(text, OPTIONS))).toBe('platform p {\n  arch arm64\n  host-bridge hb {\n    root-port rp at 00:01.0 { acs sv }\n  }\n}\n');
    });

    it('ignores braces in strings and comments and leaves block comments alone', () => {
        const text = 'soc s "a { b" {\n// a { here\n/* {\n      keep  me\n*/\nuart u at 0x0 size 4K\n}';
        expect(applyEdits(text, formatText(text, { tabSize: 4, insertSpaces: true }))).toBe('soc s "a { b" {\n    // a { here\n    /* {\n      keep  me\n*/\n    uart u at 0x0 size 4K\n}\n');
    });

    it('changes nothing on formatted text and formats only the requested lines', () => {
        const formatted = 'platform p {\n  arch arm64\n}\n';
        expect(formatText(formatted, OPTIONS)).toEqual([]);
        const text = 'platform p {\narch arm64\nmemory m at 0x0 size 4K\n}\n';
        expect(applyEdits(text, formatText(text, OPTIONS, 2, 2))).toBe('platform p {\narch arm64\n  memory m at 0x0 size 4K\n}\n');
        expect(formatText('', OPTIONS)).toEqual([]);
    });

    it('uses tabs when asked', () => {
        expect(applyEdits('soc s {\nits i at 0x0\n}\n', formatText('soc s {\nits i at 0x0\n}\n', { tabSize: 4, insertSpaces: false }))).toBe('soc s {\n\tits i at 0x0\n}\n');
    });
});
