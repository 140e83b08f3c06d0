// The pciplat language services. The same module serves the CLI (core services, no LSP) and the
// language server (server/ adds Langium's LSP module on top of it).
import { createDefaultCoreModule, createDefaultSharedCoreModule, inject, type DefaultSharedCoreModuleContext, type LangiumCoreServices, type LangiumSharedCoreServices, type Module, type PartialLangiumCoreServices, type PartialLangiumSharedCoreServices } from 'langium';
import { PciplatGeneratedModule, PciplatGeneratedSharedModule } from './generated/module.js';
import { createGuardedParser } from './parse-guard.js';
import { PciplatDocumentFactory } from './workspace/incremental-parse.js';
import { PciplatIndexManager } from './workspace/index-manager.js';
import { PciplatScopeComputation } from './scope/scope-computation.js';
import { PciplatLinker } from './scope/linker.js';
import { PciplatScopeProvider } from './scope/scope-provider.js';
import { PciplatReferenceDescriptionProvider } from './scope/reference-descriptions.js';
import { PciplatDocumentValidator } from './validation/document-validator.js';
import { registerValidationChecks } from './validation/register.js';
import { PciplatValidationRegistry } from './validation/validation-registry.js';

export interface PciplatAddedServices {
    references: {
        ScopeProvider: PciplatScopeProvider;
    };
}

export type PciplatServices = LangiumCoreServices & PciplatAddedServices;

export const PciplatModule: Module<PciplatServices, PartialLangiumCoreServices & PciplatAddedServices> = {
    parser: {
        LangiumParser: (services) => createGuardedParser(services),
    },
    references: {
        ScopeComputation: (services) => new PciplatScopeComputation(services),
        ScopeProvider: (services) => new PciplatScopeProvider(services),
        Linker: (services) => new PciplatLinker(services),
    },
    workspace: {
        ReferenceDescriptionProvider: (services) => new PciplatReferenceDescriptionProvider(services),
    },
    validation: {
        DocumentValidator: (services) => new PciplatDocumentValidator(services),
        ValidationRegistry: (services) => new PciplatValidationRegistry(services),
    },
};

/** Shared services of the CLI and the server: documents are updated by re-parsing only what changed. */
export const PciplatSharedModule: Module<LangiumSharedCoreServices, PartialLangiumSharedCoreServices> = {
    workspace: {
        LangiumDocumentFactory: (services) => new PciplatDocumentFactory(services),
        IndexManager: (services) => new PciplatIndexManager(services),
    },
};

/** Core services (no LSP) for the CLI and tests. */
export function createPciplatServices(context: DefaultSharedCoreModuleContext): { shared: LangiumSharedCoreServices; Pciplat: PciplatServices } {
    const shared = inject(createDefaultSharedCoreModule(context), PciplatGeneratedSharedModule, PciplatSharedModule);
    const Pciplat = inject(createDefaultCoreModule({ shared }), PciplatGeneratedModule, PciplatModule);
    shared.ServiceRegistry.register(Pciplat);
    registerValidationChecks(Pciplat);
    return { shared, Pciplat };
}
