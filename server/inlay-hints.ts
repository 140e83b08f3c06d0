// Inlay hints from the last simulation: the enumerated SBDF after a function's address when the
// text does not fix the bus (`DD.F` form), and the placed address after a BAR written without
// `at`. Nothing is shown before the first result; the server asks the client to refresh the
// hints when new results arrive.
import { AstUtils, GrammarUtils, type LangiumDocument } from 'langium';
import type { InlayHintProvider } from 'langium/lsp';
import { InlayHintKind, type InlayHint, type InlayHintParams } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';
import { formatSbdf } from '../src/cli/format-text.js';
import type { FunctionResult } from '../src/engine/result.js';
import type { ServerContext } from './context.js';
import { hex } from './view.js';

export class PciplatInlayHintProvider implements InlayHintProvider {
    constructor(private readonly context: ServerContext) {}

    getInlayHints(document: LangiumDocument, params: InlayHintParams): InlayHint[] {
        try {
            const root = document.parseResult?.value;
            if (!ast.isModel(root)) return [];
            const results = this.context.background?.store.functionsSeenBy(document.uri.toString()) ?? new Map<string, FunctionResult>();
            if (results.size === 0) return [];
            const { start, end } = params.range;
            const hints: InlayHint[] = [];
            for (const fn of AstUtils.streamAst(root).filter(ast.isPciFunction)) {
                const range = fn.$cstNode?.range;
                if (!range || range.end.line < start.line || range.start.line > end.line) continue;
                const result = results.get(fn.name);
                if (!result) continue;
                const address = GrammarUtils.findNodeForProperty(fn.$cstNode, 'address')?.range;
                if (address && fn.address?.relative !== undefined && result.bus !== undefined) {
                    hints.push({ position: address.end, label: `→ ${formatSbdf(result)}`, kind: InlayHintKind.Type, paddingLeft: true, tooltip: 'bus number from the last simulation' });
                }
                for (const bar of fn.bars) {
                    if (bar.address !== undefined) continue;
                    const placed = result.bars.find((b) => String(b.index) === bar.index || BigInt(b.index) === safeBigInt(bar.index))?.address;
                    const barEnd = bar.$cstNode?.range.end;
                    if (placed === undefined || !barEnd) continue;
                    hints.push({ position: barEnd, label: `at ${hex(placed)}`, kind: InlayHintKind.Type, paddingLeft: true, tooltip: 'address placed by the last simulation' });
                }
            }
            return hints;
        } catch (error) {
            this.context.background?.log(`pciplat: inlay hints failed: ${error instanceof Error ? error.message : String(error)}`);
            return [];
        }
    }
}

function safeBigInt(text: string | undefined): bigint | undefined {
    try {
        return text === undefined ? undefined : BigInt(text.replace(/_/g, ''));
    } catch {
        return undefined;
    }
}
