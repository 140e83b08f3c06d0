// The language server proper: Langium's LSP handlers (all but its diagnostics publishing, which
// the DiagnosticsHub replaces), background simulation, refresh requests and custom requests.
import * as os from 'node:os';
import { pathToFileURL } from 'node:url';
import { NodeFileSystem } from 'langium/node';
import {
    addCallHierarchyHandler,
    addCodeActionHandler,
    addCodeLensHandler,
    addCompletionHandler,
    addConfigurationChangeHandler,
    addDocumentHighlightHandler,
    addDocumentLinkHandler,
    addDocumentSymbolHandler,
    addDocumentUpdateHandler,
    addExecuteCommandHandler,
    addFileOperationHandler,
    addFindReferencesHandler,
    addFoldingRangeHandler,
    addFormattingHandler,
    addGoToDeclarationHandler,
    addGoToImplementationHandler,
    addGoToTypeDefinitionHandler,
    addGotoDefinitionHandler,
    addHoverHandler,
    addInlayHintHandler,
    addRenameHandler,
    addSemanticTokenHandler,
    addSignatureHelpHandler,
    addTextDocumentContentRequestHandler,
    addTypeHierarchyHandler,
    addWorkspaceSymbolHandler,
    type LangiumSharedServices,
} from 'langium/lsp';
import { CodeLensRefreshRequest, InlayHintRefreshRequest, SemanticTokensRefreshRequest, type Connection, type InitializeResult } from 'vscode-languageserver';
import { DEFAULT_MEMORY_MB, memoryCeiling } from '../src/cli/resource-limits.js';
import { ServerContext } from './context.js';
import { DiagnosticsHub } from './diagnostics.js';
import { SYSTEM_PCI_IDS_PATHS } from '../src/pci-ids/index.js';
import { SIMULATION_STATUS_METHOD, type PciplatInitializationOptions, type PciplatSettings, type SimulationStatusParams } from './protocol.js';
import { CustomRequests } from './requests.js';
import { createPciplatLspServices } from './services.js';
import { BackgroundSimulation } from './simulation/background.js';

export interface ServerOptions {
    /** The engine module the workers import (default: the compiled src/engine/simulate.js). */
    engineModule?: string;
}

/** Every Langium handler of `startLanguageServer` except `addDiagnosticsHandler`. */
function addLangiumHandlers(connection: Connection, shared: LangiumSharedServices): void {
    addDocumentUpdateHandler(connection, shared);
    addFileOperationHandler(connection, shared);
    addCompletionHandler(connection, shared);
    addFindReferencesHandler(connection, shared);
    addDocumentSymbolHandler(connection, shared);
    addGotoDefinitionHandler(connection, shared);
    addGoToTypeDefinitionHandler(connection, shared);
    addGoToImplementationHandler(connection, shared);
    addDocumentHighlightHandler(connection, shared);
    addFoldingRangeHandler(connection, shared);
    addFormattingHandler(connection, shared);
    addCodeActionHandler(connection, shared);
    addRenameHandler(connection, shared);
    addHoverHandler(connection, shared);
    addInlayHintHandler(connection, shared);
    addSemanticTokenHandler(connection, shared);
    addExecuteCommandHandler(connection, shared);
    addSignatureHelpHandler(connection, shared);
    addCallHierarchyHandler(connection, shared);
    addTypeHierarchyHandler(connection, shared);
    addCodeLensHandler(connection, shared);
    addTextDocumentContentRequestHandler(connection, shared);
    addDocumentLinkHandler(connection, shared);
    addConfigurationChangeHandler(connection, shared);
    addGoToDeclarationHandler(connection, shared);
    addWorkspaceSymbolHandler(connection, shared);
}

function engineModuleUrl(option: string | undefined): string {
    const given = option ?? process.env.PCIPLAT_ENGINE_MODULE;
    if (given) return /^[a-z]+:/i.test(given) && !/^[a-z]:[\\/]/i.test(given) ? given : pathToFileURL(given).href;
    return new URL('../src/engine/simulate.js', import.meta.url).href;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
    const context = new ServerContext();
    const { shared } = createPciplatLspServices({ connection, ...NodeFileSystem }, context);
    const hub = new DiagnosticsHub(connection);
    context.hub = hub;
    const log = (message: string) => connection.console.log(message);

    let refreshTimer: NodeJS.Timeout | undefined;
    const refresh = () => {
        // Coalesced: one round of refresh requests per burst of results.
        if (refreshTimer) return;
        refreshTimer = setTimeout(() => {
            refreshTimer = undefined;
            const workspace = context.capabilities?.workspace;
            const send = (supported: boolean | undefined, request: () => Promise<unknown>) => {
                if (supported) request().catch(() => undefined);
            };
            send(workspace?.codeLens?.refreshSupport, () => connection.sendRequest(CodeLensRefreshRequest.type));
            send(workspace?.inlayHint?.refreshSupport, () => connection.sendRequest(InlayHintRefreshRequest.type));
            send(workspace?.semanticTokens?.refreshSupport, () => connection.sendRequest(SemanticTokensRefreshRequest.type));
        }, 50);
    };

    // `textDocument/didSave` (declared in the capabilities because the handler has the method):
    // `simulateOn: save` simulates the saved text.
    shared.lsp.DocumentUpdateHandler.didSaveDocument = (event) => context.background?.saved(event.document.uri);
    shared.workspace.TextDocuments.onDidOpen((event) => context.background?.opened(event.document.uri, event.document.version));
    shared.workspace.TextDocuments.onDidClose((event) => context.background?.closed(event.document.uri));
    shared.workspace.TextDocuments.onDidChangeContent((event) => context.background?.contentChanged(event.document.uri, event.document.version));
    addLangiumHandlers(connection, shared);
    // `workspace/didChangeConfiguration` (Langium's handler feeds its ConfigurationProvider).
    const configuration = shared.workspace.ConfigurationProvider;
    configuration.onConfigurationSectionUpdate((update) => {
        if (update.section === 'pciplat') context.background?.configure(update.configuration as PciplatSettings);
    });
    new CustomRequests(shared, context).register(connection);

    connection.onInitialize(async (params): Promise<InitializeResult> => {
        context.capabilities = params.capabilities;
        const init = (params.initializationOptions ?? {}) as PciplatInitializationOptions;
        const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
        const workers = Number.isInteger(init.simulationWorkers) && init.simulationWorkers! > 0 ? init.simulationWorkers! : Math.max(1, Math.min(4, cores - 1));
        const timeoutMs = typeof init.simulationTimeoutMs === 'number' && init.simulationTimeoutMs > 0 ? init.simulationTimeoutMs : 120_000;
        // The same heap ceiling as the CLI's (docs/cli.md, Resource limits); an unusable value falls back to the default.
        const ceiling = memoryCeiling(process.env);
        const memoryMb = 'mb' in ceiling ? ceiling.mb : DEFAULT_MEMORY_MB;
        const quietMs = typeof init.simulationQuietMs === 'number' && init.simulationQuietMs >= 0 ? init.simulationQuietMs : undefined;
        const status = (params: SimulationStatusParams) => void connection.sendNotification(SIMULATION_STATUS_METHOD, params).catch(() => undefined);
        const background = new BackgroundSimulation(
            shared,
            hub,
            { workers, timeoutMs, memoryMb, workerUrl: new URL('./simulation/worker.js', import.meta.url), engineModule: engineModuleUrl(options.engineModule), log, status, quietMs },
            refresh,
        );
        background.configure({ profile: init.profile, simulateOn: init.simulateOn });
        background.listen();
        context.background = background;
        // The system's full pci.ids (or the client's) when there is one; the bundled subset otherwise.
        if (init.systemPciIds !== false || init.pciIdsPath) {
            const paths = init.pciIdsPath ? [init.pciIdsPath] : init.systemPciIds === false ? [] : SYSTEM_PCI_IDS_PATHS;
            void context.pciIds.loadFirst(paths);
        }
        const result = await shared.lsp.LanguageServer.initialize(params);
        return { ...result, serverInfo: { name: 'pciplat-language-server', version: '0.1.0' } };
    });
    connection.onInitialized((params) => {
        shared.lsp.LanguageServer.initialized(params);
        // A client that answers `workspace/configuration` (VS Code): its `pciplat` section, once fetched.
        void configuration.ready.then(async () => {
            const settings: PciplatSettings = {
                profile: (await configuration.getConfiguration('pciplat', 'profile')) ?? undefined,
                simulateOn: (await configuration.getConfiguration('pciplat', 'simulateOn')) ?? undefined,
            };
            context.background?.configure(settings);
        }).catch((error: unknown) => log(`pciplat: could not read the pciplat settings: ${error instanceof Error ? error.message : String(error)}`));
    });
    connection.onShutdown(() => context.background?.dispose());
    connection.onExit(() => context.background?.dispose());

    shared.workspace.TextDocuments.listen(connection);
    connection.listen();
}
