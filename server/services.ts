// The language server's services: Langium's LSP module on top of the pciplat language module
// (the same parser, scopes and checks as the CLI), with the server's workspace handling and
// providers (hover, completion, code actions, code lenses, semantic tokens, document links,
// document symbols, inlay hints, formatting).
import { inject, type Module } from 'langium';
import { createDefaultModule, createDefaultSharedModule, type DefaultSharedModuleContext, type LangiumServices, type LangiumSharedServices, type PartialLangiumServices, type PartialLangiumSharedServices } from 'langium/lsp';
import { PciplatGeneratedModule, PciplatGeneratedSharedModule } from '../language/generated/module.js';
import { PciplatModule, PciplatSharedModule, type PciplatAddedServices } from '../language/pciplat-module.js';
import { registerValidationChecks } from '../language/validation/register.js';
import { PciplatCodeActionProvider } from './code-actions.js';
import { PciplatCodeLensProvider } from './code-lens.js';
import { PciplatCompletionProvider } from './completion.js';
import type { ServerContext } from './context.js';
import { PciplatDocumentLinkProvider } from './document-links.js';
import { PciplatDocumentSymbolProvider } from './document-symbols.js';
import { PciplatFormatter } from './formatter.js';
import { PciplatHoverProvider } from './hover.js';
import { PciplatInlayHintProvider } from './inlay-hints.js';
import { PciplatSemanticTokenProvider } from './semantic-tokens.js';
import { PciplatWorkspaceManager, PciplatDocumentBuilder } from './workspace.js';

export type PciplatLspServices = LangiumServices & PciplatAddedServices;

export function createPciplatSharedLspModule(): Module<LangiumSharedServices, PartialLangiumSharedServices> {
    return {
        workspace: {
            WorkspaceManager: (services) => new PciplatWorkspaceManager(services),
            DocumentBuilder: (services) => new PciplatDocumentBuilder(services),
        },
    };
}

export function createPciplatLspModule(context: ServerContext): Module<PciplatLspServices, PartialLangiumServices> {
    return {
        lsp: {
            HoverProvider: (services) => new PciplatHoverProvider(services, context),
            CompletionProvider: (services) => new PciplatCompletionProvider(services),
            CodeActionProvider: (services) => new PciplatCodeActionProvider(services, context),
            CodeLensProvider: () => new PciplatCodeLensProvider(context),
            DocumentLinkProvider: (services) => new PciplatDocumentLinkProvider(services),
            DocumentSymbolProvider: () => new PciplatDocumentSymbolProvider(context),
            Formatter: () => new PciplatFormatter(),
            InlayHintProvider: () => new PciplatInlayHintProvider(context),
            SemanticTokenProvider: (services) => new PciplatSemanticTokenProvider(services),
        },
    };
}

export function createPciplatLspServices(moduleContext: DefaultSharedModuleContext, context: ServerContext): { shared: LangiumSharedServices; Pciplat: PciplatLspServices } {
    const shared = inject(createDefaultSharedModule(moduleContext), PciplatGeneratedSharedModule, PciplatSharedModule as Module<LangiumSharedServices, PartialLangiumSharedServices>, createPciplatSharedLspModule());
    const Pciplat = inject(
        createDefaultModule({ shared }),
        PciplatGeneratedModule,
        PciplatModule as unknown as Module<PciplatLspServices, PartialLangiumServices & PciplatAddedServices>,
        createPciplatLspModule(context),
    ) as PciplatLspServices;
    shared.ServiceRegistry.register(Pciplat);
    registerValidationChecks(Pciplat);
    return { shared, Pciplat };
}
