// Langium diagnostics as core findings, so the CLI prints language and simulation results alike.
import type { LangiumDocument } from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import { isFindingCode } from '../../src/findings/codes.js';
import type { Finding, Severity } from '../../src/findings/finding.js';

const SEVERITIES: Record<number, Severity> = { 1: 'error', 2: 'warning', 3: 'info', 4: 'info' };

export function diagnosticToFinding(uri: string, diagnostic: Diagnostic): Finding {
    const code = String(diagnostic.code ?? '');
    return {
        // Every diagnostic pciplat emits carries a catalogue code; anything else is a bug of ours.
        code: isFindingCode(code) ? code : 'LANG-INTERNAL',
        severity: SEVERITIES[diagnostic.severity ?? 1] ?? 'error',
        message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
        loc: { uri, start: diagnostic.range.start, end: diagnostic.range.end },
        related: (diagnostic.relatedInformation ?? []).map((r) => ({
            loc: { uri: r.location.uri, start: r.location.range.start, end: r.location.range.end },
            message: r.message,
        })),
    };
}

export function documentFindings(document: LangiumDocument): Finding[] {
    const uri = document.uri.toString();
    return (document.diagnostics ?? []).map((d) => diagnosticToFinding(uri, d));
}
