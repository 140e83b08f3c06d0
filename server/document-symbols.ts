// Document symbols as the topology outline: platforms and SoCs, their hardware, host bridges with
// the function tree below them (detail: kind and, once simulated, the SBDF), hypervisor domains
// and scenarios. Clients show it as the outline / breadcrumbs / "go to symbol".
import type { AstNode, LangiumDocument } from 'langium';
import { GrammarUtils } from 'langium';
import type { DocumentSymbolProvider } from 'langium/lsp';
import { SymbolKind, type DocumentSymbol, type DocumentSymbolParams } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';
import { formatSbdf } from '../src/cli/format-text.js';
import type { FunctionResult } from '../src/engine/result.js';
import { isBridge, type FunctionKind } from '../src/model/platform.js';
import type { ServerContext } from './context.js';


export class PciplatDocumentSymbolProvider implements DocumentSymbolProvider {
    constructor(private readonly context: ServerContext) {}

    getSymbols(document: LangiumDocument, _params: DocumentSymbolParams): DocumentSymbol[] {
        try {
            const root = document.parseResult?.value;
            if (!ast.isModel(root)) return [];
            const results = this.context.background?.store.functionsSeenBy(document.uri.toString()) ?? new Map<string, FunctionResult>();
            return root.elements.flatMap((e) => (ast.isPlatform(e) ? this.platform(e, results) : ast.isSoc(e) ? this.soc(e, results) : []));
        } catch (error) {
            this.context.background?.log(`pciplat: document symbols failed: ${error instanceof Error ? error.message : String(error)}`);
            return [];
        }
    }

    private symbol(node: AstNode, name: string | undefined, kind: SymbolKind, detail?: string, children?: DocumentSymbol[]): DocumentSymbol[] {
        const range = node.$cstNode?.range;
        if (!range) return [];
        const selection = GrammarUtils.findNodeForProperty(node.$cstNode, 'name')?.range ?? range;
        return [{ name: name || '(unnamed)', kind, range, selectionRange: selection, detail, children }];
    }

    private platform(p: ast.Platform, results: Map<string, FunctionResult>): DocumentSymbol[] {
        const children = [
            ...p.socs.flatMap((s) => this.symbol(s, s.soc?.$refText, SymbolKind.Module, 'soc')),
            ...p.items.flatMap((i) => this.hardware(i, results)),
            ...p.iorts.flatMap((i) => this.symbol(i, 'iort', SymbolKind.Namespace, 'ACPI IORT')),
            ...p.xens.flatMap((x) =>
                this.symbol(x, 'xen', SymbolKind.Namespace, x.profiles[0]?.value, [
                    ...x.dom0s.flatMap((d) => this.symbol(d, 'dom0', SymbolKind.Object, 'dom0')),
                    ...x.domains.flatMap((d) => this.symbol(d, d.name, SymbolKind.Object, `domain · ${d.assignments.length} assigned`)),
                ]),
            ),
            ...p.kvms.flatMap((k) => this.symbol(k, 'kvm', SymbolKind.Namespace, 'VFIO', k.vms.flatMap((vm) => this.symbol(vm, vm.name, SymbolKind.Object, `vm · ${vm.assignments.length} assigned`)))),
            ...p.scenarios.flatMap((s) => this.symbol(s, s.name, SymbolKind.Event, `scenario · ${s.steps.length} steps`)),
        ];
        return this.symbol(p, p.name, SymbolKind.Module, `platform${p.arch[0] ? ` · ${p.arch[0].value}` : ''}`, children);
    }

    private soc(s: ast.Soc, results: Map<string, FunctionResult>): DocumentSymbol[] {
        return this.symbol(s, s.name, SymbolKind.Package, 'soc', s.items.flatMap((i) => this.hardware(i, results)));
    }

    private hardware(item: ast.HardwareItem, results: Map<string, FunctionResult>): DocumentSymbol[] {
        if (ast.isHostBridge(item)) {
            const segment = item.segment !== undefined ? ` · segment ${item.segment}` : '';
            return this.symbol(item, item.name, SymbolKind.Namespace, `host-bridge${segment}`, item.functions.flatMap((f) => this.function(f, results)));
        }
        const kind: Record<string, SymbolKind> = {
            MemoryRegion: SymbolKind.Struct,
            ReservedRegion: SymbolKind.Struct,
            Its: SymbolKind.Interface,
            Smmu: SymbolKind.Interface,
            X86Iommu: SymbolKind.Interface,
            Gic: SymbolKind.Interface,
            IoApic: SymbolKind.Interface,
            Uart: SymbolKind.Object,
            GenericDevice: SymbolKind.Object,
        };
        const detail: Record<string, string> = {
            MemoryRegion: 'memory',
            ReservedRegion: 'reserved',
            Its: 'its',
            Smmu: 'smmu',
            X86Iommu: 'iommu',
            Gic: 'gic',
            IoApic: 'ioapic',
            Uart: 'uart',
            GenericDevice: 'device',
        };
        return this.symbol(item, (item as { name?: string }).name, kind[item.$type] ?? SymbolKind.Object, detail[item.$type]);
    }

    private function(f: ast.PciFunction, results: Map<string, FunctionResult>): DocumentSymbol[] {
        const result = f.name ? results.get(f.name) : undefined;
        const where = result ? formatSbdf(result) : (f.address?.absolute ?? f.address?.relative);
        const detail = where ? `${f.kind} · ${where}` : f.kind;
        return this.symbol(f, f.name, isBridge(f.kind as FunctionKind) ? SymbolKind.Package : SymbolKind.Object, detail, f.functions.flatMap((c) => this.function(c, results)));
    }
}
