// Langium's own diagnostics (lexing, parsing, linking) get pciplat's stable codes, and a badly
// broken file reports its first syntax errors rather than thousands; every other code is capped
// per file the same way (src/findings/cap.ts), with one FINDINGS-OMITTED diagnostic per code.
import { AstUtils, Cancellation, DefaultDocumentValidator, DocumentValidator, interruptAndCheck, type AstNode, type LangiumCoreServices, type LangiumDocument, type LangiumDocuments, type ValidationAcceptor, type ValidationCheck, type ValidationOptions } from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import { MAX_FINDINGS_PER_CODE, omittedMessage } from '../../src/findings/cap.js';
import { boundTokens } from '../../src/findings/quote.js';
import { KEYWORD_AS_NAME } from '../parse-guard.js';
import { inPlaceParses } from '../workspace/incremental-parse.js';
import { PciplatValidationRegistry } from './validation-registry.js';
import { compareWalkPaths, isInTree, pushChildren, walkPath } from './walk.js';
import { foreignUnits, optionsKey, otherTexts, planFor, records, shiftCall, textOf, type Accepted, type Entry, type Plan, type ValidationRecord, validationRuns } from './incremental-validation.js';

/** Syntax errors reported per file; the rest are summarised in one more diagnostic. */
export const MAX_SYNTAX_ERRORS = 100;

/** Nodes checked between two looks at the cancellation token (each look may yield to the event loop). */
const NODES_PER_INTERRUPT = 256;

const LANGIUM_CODES: Record<string, string> = {
    [DocumentValidator.LexingError]: 'LANG-SYNTAX',
    [DocumentValidator.ParsingError]: 'LANG-SYNTAX',
    [DocumentValidator.LinkingError]: 'LANG-UNRESOLVED',
};

export class PciplatDocumentValidator extends DefaultDocumentValidator {
    private readonly documents: LangiumDocuments;

    constructor(services: LangiumCoreServices) {
        super(services);
        this.documents = services.shared.workspace.LangiumDocuments;
    }

    /**
     * Langium's node pass, in its order and with its options, without a promise per node and per
     * check: checks run synchronously (one that returns a promise is awaited), the check list of a
     * node type is looked up once, and the token is looked at every NODES_PER_INTERRUPT nodes.
     */
    protected override async validateAstNodes(rootNode: AstNode, options: ValidationOptions, acceptor: ValidationAcceptor, cancelToken = Cancellation.CancellationToken.None): Promise<void> {
        const registry = this.validationRegistry;
        const document = AstUtils.getDocument(rootNode);
        const previous = records.get(document);
        // Until this pass completes, nothing recorded can be reused.
        records.delete(document);
        if (!(registry instanceof PciplatValidationRegistry) || this.profiler?.isActive('validating')) {
            return super.validateAstNodes(rootNode, options, acceptor, cancelToken);
        }
        const plan = planFor(document, previous, this.documents, options);
        if (plan && previous && (await this.validateAgain(plan, previous, document, options, acceptor, cancelToken))) {
            validationRuns.incremental++;
            return;
        }
        validationRuns.whole++;
        // streamAst's walk (walk.ts): a node's children are read after its checks ran, as Langium does.
        const stack: AstNode[] = [rootNode];
        // The checks of each node type in this pass (the registry's lookup builds a key).
        const lists = new Map<string, readonly ValidationCheck[]>();
        // What each check accepted, for incremental-validation.ts.
        const entries: Entry[] = [];
        let calls: Accepted[] | undefined;
        const recording = ((severity, message, info) => {
            (calls ??= []).push({ severity, message, info });
            acceptor(severity, message, info);
        }) as ValidationAcceptor;
        for (let visited = 0; stack.length > 0; visited++) {
            if (visited % NODES_PER_INTERRUPT === 0) await interruptAndCheck(cancelToken);
            const node = stack.pop()!;
            const nodeOptions = this.validateSingleNodeOptions(node, options);
            if (nodeOptions.validateNode) {
                let checks = lists.get(node.$type);
                if (checks === undefined) lists.set(node.$type, (checks = registry.checksFor(node.$type, options.categories)));
                for (let c = 0; c < checks.length; c++) {
                    calls = undefined;
                    const pending = checks[c]!(node, recording, cancelToken);
                    if (pending) await pending;
                    if (calls) entries.push({ check: c, node, calls });
                }
            }
            if (nodeOptions.validateChildren) pushChildren(node, stack);
        }
        const text = textOf(document);
        if (text !== undefined) records.set(document, { root: rootNode, text, optionsKey: optionsKey(options), others: otherTexts(this.documents, document), entries, foreign: foreignUnits(document), parses: inPlaceParses.get(rootNode) ?? 0 });
    }

    /**
     * After a token patch: the checks of the nodes `plan` names run again, every other check's
     * findings of the last pass are accepted again (incremental-validation.ts says why that equals
     * a full pass). False, having accepted nothing, when a recorded range cannot be moved.
     */
    private async validateAgain(plan: Plan, previous: ValidationRecord, document: LangiumDocument, options: ValidationOptions, acceptor: ValidationAcceptor, cancelToken: Cancellation.CancellationToken): Promise<boolean> {
        const registry = this.validationRegistry as PciplatValidationRegistry;
        const fresh: Entry[] = [];
        const again = new Set<AstNode>();
        let calls: Accepted[] | undefined;
        const recording = ((severity, message, info) => {
            (calls ??= []).push({ severity, message, info });
        }) as ValidationAcceptor;
        let visited = 0;
        const run = async (node: AstNode): Promise<boolean | undefined> => {
            if (visited++ % NODES_PER_INTERRUPT === 0) await interruptAndCheck(cancelToken);
            if (!isInTree(node, previous.root)) return undefined;
            again.add(node);
            const nodeOptions = this.validateSingleNodeOptions(node, options);
            if (nodeOptions.validateNode) {
                const checks = registry.checksFor(node.$type, options.categories);
                for (let c = 0; c < checks.length; c++) {
                    calls = undefined;
                    const pending = checks[c]!(node, recording, cancelToken);
                    if (pending) await pending;
                    if (calls) fresh.push({ check: c, node, calls });
                }
            }
            return nodeOptions.validateChildren;
        };
        for (const container of plan.containers) if ((await run(container)) === undefined) return false;
        for (const unit of plan.units) {
            const stack: AstNode[] = [unit];
            while (stack.length > 0) {
                const node = stack.pop()!;
                const children = await run(node);
                if (children === undefined) return false;
                if (children) pushChildren(node, stack);
            }
        }
        // A top function and its parts, not the functions below it.
        const parts: AstNode[] = [];
        for (const top of plan.tops) {
            const stack: AstNode[] = [top];
            while (stack.length > 0) {
                const node = stack.pop()!;
                const children = await run(node);
                if (children === undefined) return false;
                if (!children) continue;
                parts.length = 0;
                pushChildren(node, parts);
                for (const part of parts) if (part.$type !== 'PciFunction') stack.push(part);
            }
        }
        const uri = document.uri.toString();
        const merged: Entry[] = [];
        for (const entry of previous.entries) {
            if (again.has(entry.node)) continue;
            // A node spliced out of the tree.
            if (plan.splice && !isInTree(entry.node, previous.root)) continue;
            const moved: Accepted[] = [];
            for (const call of entry.calls) {
                if (plan.splice && quotesLineAfter(call, plan.splice.gapStart.line)) return false;
                const shifted = shiftCall(call, plan.move, uri);
                if (!shifted) return false;
                moved.push(shifted);
            }
            merged.push({ ...entry, calls: moved });
        }
        // In the walk's order, as the full pass accepts them (walk.ts: by each node's path).
        const paths = new Map<AstNode, number[]>();
        const pathOf = (node: AstNode) => paths.get(node) ?? paths.set(node, walkPath(node)).get(node)!;
        const byWalk = (a: Entry, b: Entry) => compareWalkPaths(pathOf(a.node), pathOf(b.node)) || a.check - b.check;
        merged.push(...fresh);
        merged.sort(byWalk);
        for (const entry of merged) for (const call of entry.calls) acceptor(call.severity, call.message, call.info);
        records.set(document, { ...previous, text: plan.newText, others: otherTexts(this.documents, document), entries: merged, foreign: plan.foreign ?? foreignUnits(document), parses: inPlaceParses.get(previous.root) ?? 0 });
        return true;
    }

    override async validateDocument(document: LangiumDocument, options?: ValidationOptions, cancelToken?: Cancellation.CancellationToken): Promise<Diagnostic[]> {
        const diagnostics = await super.validateDocument(document, options, cancelToken);
        let syntax = 0;
        let lines: string[] | undefined;
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
                diagnostic.message = syntaxMessage(diagnostic, (lines ??= document.textDocument.getText().split(/\r?\n/)));
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

/**
 * The finding quotes a line (`first at line 12`) after `line` (0-based): after an item splice
 * moved the lines below it, a finding kept from the last pass would quote the old number.
 */
function quotesLineAfter(call: Accepted, line: number): boolean {
    const related = (call.info as { relatedInformation?: Array<{ message: string }> }).relatedInformation ?? [];
    for (const text of [call.message, ...related.map((r) => r.message)]) {
        for (const m of String(text).matchAll(/\bline (\d+)/g)) if (Number(m[1]) - 1 > line) return true;
    }
    return false;
}

/** What the word before a name declares, in words. */
const DECLARES: Record<string, string> = {
    endpoint: 'a function', 'rc-endpoint': 'a function', 'legacy-endpoint': 'a function', 'root-port': 'a function',
    'switch-upstream': 'a function', 'downstream-port': 'a function', 'pci-bridge': 'a function', 'pcie-pci-bridge': 'a function',
    'pci-pcie-bridge': 'a function', 'pci-device': 'a function', 'rc-event-collector': 'a function',
    'host-bridge': 'a host bridge', platform: 'a platform', soc: 'a SoC', domain: 'a domain', vm: 'a VM', scenario: 'a scenario',
    smmu: 'an SMMU', its: 'an ITS', iommu: 'an IOMMU', ioapic: 'an I/O APIC', uart: 'a uart', device: 'a device', memory: 'a memory region', gic: 'a GIC',
};

/** Alternatives listed in full up to this many; beyond, the message says what was expected in words. */
const MAX_ALTERNATIVES = 4;

/** A syntax error a user can act on: one line, no grammar dump. */
export function syntaxMessage(diagnostic: Diagnostic, lines: readonly string[]): string {
    const message = typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
    const found = tokenText(diagnostic, lines);
    if (message.startsWith(KEYWORD_AS_NAME)) {
        const word = message.slice(KEYWORD_AS_NAME.length);
        const before = (lines[diagnostic.range.start.line] ?? '').slice(0, diagnostic.range.start.character).trim().split(/\s+/).pop() ?? '';
        const what = DECLARES[before] ?? 'anything';
        return `\`${word}\` is a keyword; it cannot name ${what}. Choose another name (for example \`${word}0\` or \`my_${word.replace(/-/g, '_')}\`).`;
    }
    const character = /^unexpected character: ->([\s\S]*)<- at offset: \d+, skipped (\d+) characters?\.$/.exec(message);
    if (character) return `Unexpected character \`${character[1]}\` (not part of any word, number or symbol of the language); ${character[2] === '1' ? 'it was' : `${character[2]} characters were`} skipped.`;
    const eof = /^Expecting end of file but found `([^`]*)`\.$/.exec(message);
    if (eof) return `Expected the end of the file but found \`${eof[1]}\` (a \`}\` too many, or a block closed early).`;
    const single = /^Expecting token of type '([^']*)' but found `([^`]*)`\.$/.exec(message);
    if (single) return `Expected ${single[1] === 'EOF' ? 'the end of the file' : `\`${single[1]}\``} but found \`${single[2]}\`.`;
    const sequences = /^Expecting: (?:expecting at least one iteration which starts with )?one of these possible Token sequences:/.exec(message);
    if (!sequences) return message.split(/\r?\n/).join(' ');
    const listed = message.slice(sequences[0].length).split(/\nbut found/)[0]!;
    const alternatives = [...new Set([...listed.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!.split(',')[0]!.trim()))];
    const words = alternatives.map((a) => (a === 'ID' ? 'a name' : a === 'NUMBER' ? 'a number' : a === 'STRING' ? 'a string' : a === 'PCI_ADDR' ? 'a PCI address' : `\`${a}\``));
    const butFound = found ? ` but found \`${found}\`` : '';
    if (words.length <= MAX_ALTERNATIVES) return `Expected ${orWords(words)}${butFound}.`;
    const general = words.filter((w) => !w.startsWith('`'));
    const keywords = words.length - general.length;
    // Where a name may come, most keywords may too (they are names): "a name" says it.
    const expected = general.includes('a name') ? general : [...general, `one of ${keywords} keywords`];
    return `Expected ${orWords(expected)}${butFound} (see docs/language.md for what may come here).`;
}

function orWords(words: readonly string[]): string {
    return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function tokenText(d: Diagnostic, lines: readonly string[]): string {
    const { start, end } = d.range;
    if (start.line !== end.line) return '';
    return (lines[start.line] ?? '').slice(start.character, end.character);
}
