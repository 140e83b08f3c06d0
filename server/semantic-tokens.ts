// Semantic tokens: one pass over the tokens of the document (CST leaves), each classified by the
// grammar feature it fills and the AST node it belongs to:
//
//   declared names         by what they declare, with the `declaration` modifier: platform and
//                          soc → namespace, host-bridge → struct, PCI functions, UARTs, devices and
//                          memory regions → variable, SMMU, ITS, GIC, IOAPIC, IOMMU and ITS groups
//                          → interface, domains and VMs → class, scenarios → function;
//   references             the same types, without the modifier (`dom0` in a step: class with
//                          `defaultLibrary`, it is built in);
//   kinds                  the keyword saying what a declaration is (`endpoint`, `root-port`,
//                          `smmu`, `host-bridge`, `memory`, `smmu-v3`…) → type;
//   keywords by role       blocks and connectives (`platform`, `xen`, `scenario`, `at`, `to`…) →
//                          keyword; properties (`bar`, `size`, `vendor`, `iommu-map`, `rid`…) →
//                          property; values (`mem64`, `prefetch`, `multifunction`, `flr`, `on`…)
//                          → enumMember; scenario steps (`boot`, `assign … to`, `reset`…) →
//                          function;
//   literals               numbers → number; PCI addresses (`01:00.0`, `00.1`) → number with the
//                          `pciAddress` modifier; strings → string; comments → comment;
//                          `->`, `..`, `.`, `[`, `]` → operator.
//
// Full, range and delta requests. Big documents are classified in slices (the event loop runs in
// between) and only then encoded, so concurrent requests cannot mix their tokens.
import { GrammarAST, GrammarUtils, isCompositeCstNode, isLeafCstNode, isReference, type AstNode, type CstNode, type LangiumDocument, type LeafCstNode, type Reference } from 'langium';
import type { LangiumServices, SemanticTokenProvider } from 'langium/lsp';
import {
    SemanticTokensBuilder,
    type CancellationToken,
    type Range,
    type SemanticTokens,
    type SemanticTokensDelta,
    type SemanticTokensDeltaParams,
    type SemanticTokensOptions,
    type SemanticTokensParams,
    type SemanticTokensRangeParams,
} from 'vscode-languageserver';

export const TOKEN_TYPES = ['namespace', 'type', 'class', 'struct', 'interface', 'variable', 'property', 'enumMember', 'function', 'keyword', 'comment', 'string', 'number', 'operator'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'defaultLibrary', 'pciAddress'] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];
export type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

const TYPE_INDEX = new Map<string, number>(TOKEN_TYPES.map((t, i) => [t, i]));
const MODIFIER_BIT = new Map<string, number>(TOKEN_MODIFIERS.map((m, i) => [m, 1 << i]));

/** What a declaration (or a reference to it) is shown as, by AST type. */
const DECLARED: Record<string, TokenType> = {
    Platform: 'namespace',
    Soc: 'namespace',
    HostBridge: 'struct',
    PciFunction: 'variable',
    MemoryRegion: 'variable',
    ReservedRegion: 'variable',
    Uart: 'variable',
    GenericDevice: 'variable',
    Smmu: 'interface',
    Its: 'interface',
    Gic: 'interface',
    IoApic: 'interface',
    X86Iommu: 'interface',
    IortItsGroup: 'interface',
    XenDomain: 'class',
    KvmVm: 'class',
    Scenario: 'function',
    // Reference types of the grammar (unions), for references that do not resolve.
    Guest: 'class',
    OwnedDevice: 'variable',
    NamedDevice: 'variable',
    IortTarget: 'interface',
};

/** Declarations whose first keyword says what they are. */
const KIND_KEYWORD_NODES = new Set(['MemoryRegion', 'ReservedRegion', 'Its', 'Smmu', 'X86Iommu', 'Gic', 'IoApic', 'Uart', 'GenericDevice', 'HostBridge', 'IortItsGroup', 'IortRootComplex', 'IortNamedComponent']);

/** Scenario steps: their first keyword is the operation. */
const STEP_NODES = new Set([
    'BootStep',
    'EnableSriovStep',
    'DisableSriovStep',
    'AssignStep',
    'DeassignStep',
    'AssignableAddStep',
    'AssignableRemoveStep',
    'StartStep',
    'DestroyStep',
    'RelocateBarStep',
    'HotPlugStep',
    'HotUnplugStep',
    'ResetStep',
]);

/** Blocks and connectives. */
const STRUCTURE_KEYWORDS = new Set(['import', 'platform', 'soc', 'xen', 'kvm', 'iort', 'linux', 'dom0', 'domain', 'vm', 'scenario', 'at', 'to', 'from', 'as']);

const OPERATORS = new Set(['->', '..', '.', '[', ']']);

/** Left to the client's bracket colouring. */
const PUNCTUATION = new Set(['{', '}', '(', ')', ',', ':', ';']);

/** Assigned keywords that name a property (`vendor 0x8086`), not a value. */
const KEY_FEATURES = new Set(['ItsProp:key', 'SmmuProp:key', 'SriovProp:key', 'IdAttr:key', 'MapMask:kind', 'XenOption:key']);

export interface Token {
    line: number;
    character: number;
    length: number;
    type: TokenType;
    modifiers: TokenModifier[];
}

/** Yields to the event loop every few milliseconds of work. */
const SLICE_MS = 5;

/** The tokens of `document` (of the lines of `range` only, when given), in document order. */
export async function computeTokens(document: LangiumDocument, range?: Range, cancelToken?: CancellationToken): Promise<Token[]> {
    const root = document.parseResult?.value?.$cstNode;
    if (!root) return [];
    const tokens: Token[] = [];
    let sliceStart = performance.now();
    const stack: CstNode[] = [root];
    while (stack.length > 0) {
        if (performance.now() - sliceStart > SLICE_MS) {
            await new Promise((resolve) => setImmediate(resolve));
            if (cancelToken?.isCancellationRequested) return tokens;
            sliceStart = performance.now();
        }
        const node = stack.pop()!;
        if (range && (node.range.end.line < range.start.line || node.range.start.line > range.end.line)) continue;
        if (isCompositeCstNode(node)) {
            for (let i = node.content.length - 1; i >= 0; i--) stack.push(node.content[i]!);
            continue;
        }
        if (!isLeafCstNode(node)) continue;
        const classified = classify(node);
        if (!classified) continue;
        const { start, end } = node.range;
        if (start.line === end.line) tokens.push({ line: start.line, character: start.character, length: end.character - start.character, ...classified });
        else {
            // Block comments over several lines: one token per line.
            const lines = node.text.split(/\r?\n/);
            lines.forEach((text, i) => {
                if (text.length > 0) tokens.push({ line: start.line + i, character: i === 0 ? start.character : 0, length: text.length, ...classified });
            });
        }
    }
    // Hidden tokens (comments) sit in the tree where the parser met them: make sure of document order.
    const ordered = tokens.every((t, i) => i === 0 || tokens[i - 1]!.line < t.line || (tokens[i - 1]!.line === t.line && tokens[i - 1]!.character <= t.character));
    if (!ordered) tokens.sort((a, b) => a.line - b.line || a.character - b.character);
    return tokens;
}

function classify(leaf: LeafCstNode): { type: TokenType; modifiers: TokenModifier[] } | undefined {
    const terminal = leaf.tokenType.name;
    if (leaf.hidden) return terminal === 'ML_COMMENT' || terminal === 'SL_COMMENT' ? { type: 'comment', modifiers: [] } : undefined;
    const node = leaf.astNode;
    const assignment = GrammarUtils.findAssignment(leaf);
    const feature = assignment?.feature;
    if (feature === 'name' && node.$type in DECLARED) return { type: DECLARED[node.$type]!, modifiers: ['declaration'] };
    if (assignment && GrammarAST.isCrossReference(assignment.terminal)) return reference(leaf, node, assignment.feature, assignment.terminal);
    if (terminal === 'NUMBER') return { type: 'number', modifiers: [] };
    if (terminal === 'PCI_ADDR' || terminal === 'DEVFN') return { type: 'number', modifiers: ['pciAddress'] };
    if (terminal === 'STRING') return { type: 'string', modifiers: [] };
    if (terminal === 'ID') return feature === 'driver' ? { type: 'string', modifiers: [] } : undefined;
    if (!GrammarAST.isKeyword(leaf.grammarSource)) return undefined;
    return keyword(leaf, node, feature);
}

function reference(leaf: CstNode, node: AstNode, feature: string, crossReference: GrammarAST.CrossReference): { type: TokenType; modifiers: TokenModifier[] } | undefined {
    const value = (node as unknown as Record<string, unknown>)[feature];
    const candidates = Array.isArray(value) ? value : [value];
    const ref = candidates.find((r): r is Reference => isReference(r) && r.$refNode !== undefined && r.$refNode.offset <= leaf.offset && leaf.end <= r.$refNode.end);
    const targetType = ref?.ref?.$type ?? crossReference.type.ref?.name;
    const type = targetType ? DECLARED[targetType] : undefined;
    return type ? { type, modifiers: [] } : undefined;
}

function keyword(leaf: CstNode, node: AstNode, feature: string | undefined): { type: TokenType; modifiers: TokenModifier[] } | undefined {
    const text = leaf.text;
    const none: TokenModifier[] = [];
    if (PUNCTUATION.has(text)) return undefined;
    if (OPERATORS.has(text)) return { type: 'operator', modifiers: none };
    // `assign nic0 to dom0`: the built-in domain.
    if (feature === 'dom0') return { type: 'class', modifiers: ['defaultLibrary'] };
    if (feature === 'kind' && (node.$type === 'PciFunction' || node.$type === 'IortSmmu')) return { type: 'type', modifiers: none };
    const first = node.$cstNode?.offset === leaf.offset;
    if (first && KIND_KEYWORD_NODES.has(node.$type)) return { type: 'type', modifiers: none };
    if (first && STEP_NODES.has(node.$type)) return { type: 'function', modifiers: none };
    if (feature !== undefined) {
        if (KEY_FEATURES.has(`${node.$type}:${feature}`)) return { type: 'property', modifiers: none };
        // `acs-override downstream`, `hpmemsize 2M`, `dma-alias 03.0`: keys; `realloc`, `no-acs`: values.
        if (node.$type === 'LinuxOption' && feature === 'key') return { type: /^(acs|acs-override|hpmemsize|hpmmioprefsize|hpiosize)$/.test(text) ? 'property' : 'enumMember', modifiers: none };
        if (node.$type === 'Quirk' && feature === 'kind') return { type: text === 'dma-alias' || text === 'phantom' ? 'property' : 'enumMember', modifiers: none };
        return { type: 'enumMember', modifiers: none };
    }
    if (STRUCTURE_KEYWORDS.has(text)) return { type: 'keyword', modifiers: none };
    return { type: 'property', modifiers: none };
}

function modifierBits(modifiers: readonly TokenModifier[]): number {
    let bits = 0;
    for (const m of modifiers) bits |= MODIFIER_BIT.get(m) ?? 0;
    return bits;
}

export class PciplatSemanticTokenProvider implements SemanticTokenProvider {
    /** Per document: the builder of its last full result, for deltas. */
    private readonly builders = new Map<string, SemanticTokensBuilder>();

    constructor(services: LangiumServices) {
        services.shared.workspace.DocumentBuilder.onUpdate((_changed, deleted) => {
            for (const uri of deleted) this.builders.delete(uri.toString());
        });
    }

    get tokenTypes(): Record<string, number> {
        return Object.fromEntries(TYPE_INDEX);
    }

    get tokenModifiers(): Record<string, number> {
        return Object.fromEntries(MODIFIER_BIT);
    }

    get semanticTokensOptions(): SemanticTokensOptions {
        return { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] }, full: { delta: true }, range: true };
    }

    async semanticHighlight(document: LangiumDocument, _params: SemanticTokensParams, cancelToken?: CancellationToken): Promise<SemanticTokens> {
        const tokens = await computeTokens(document, undefined, cancelToken);
        const builder = this.builderOf(document);
        builder.previousResult(''); // start over (no delta)
        this.push(builder, tokens);
        return builder.build();
    }

    async semanticHighlightRange(document: LangiumDocument, params: SemanticTokensRangeParams, cancelToken?: CancellationToken): Promise<SemanticTokens> {
        const tokens = await computeTokens(document, params.range, cancelToken);
        const builder = new SemanticTokensBuilder();
        this.push(builder, tokens);
        return builder.build();
    }

    async semanticHighlightDelta(document: LangiumDocument, params: SemanticTokensDeltaParams, cancelToken?: CancellationToken): Promise<SemanticTokens | SemanticTokensDelta> {
        const tokens = await computeTokens(document, undefined, cancelToken);
        const builder = this.builderOf(document);
        builder.previousResult(params.previousResultId);
        this.push(builder, tokens);
        return builder.buildEdits();
    }

    private builderOf(document: LangiumDocument): SemanticTokensBuilder {
        const uri = document.uri.toString();
        let builder = this.builders.get(uri);
        if (!builder) this.builders.set(uri, (builder = new SemanticTokensBuilder()));
        return builder;
    }

    private push(builder: SemanticTokensBuilder, tokens: readonly Token[]): void {
        for (const t of tokens) builder.push(t.line, t.character, t.length, TYPE_INDEX.get(t.type)!, modifierBits(t.modifiers));
    }
}
