// The validator's own node pass (document-validator.ts with validation-registry.ts: synchronous
// checks, cached check lists) gives exactly the diagnostics of Langium's pass, in the same order,
// on every fixture and example: the same services with Langium's ValidationRegistry make the
// validator fall back to Langium's validateAstNodes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDefaultCoreModule, createDefaultSharedCoreModule, EmptyFileSystem, inject, ValidationRegistry, type AstNode, type ValidationAcceptor } from 'langium';
import { describe, expect, it } from 'vitest';
import { PciplatGeneratedModule, PciplatGeneratedSharedModule } from '../../language/generated/module.js';
import { createPciplatServices, PciplatModule, type PciplatServices } from '../../language/pciplat-module.js';
import { PciplatValidationRegistry } from '../../language/validation/validation-registry.js';
import { registerValidationChecks } from '../../language/validation/register.js';
import { loadAndBuild } from '../../language/workspace/load.js';

const REPO = path.join(__dirname, '..', '..');

function langiumPassServices() {
    const shared = inject(createDefaultSharedCoreModule(EmptyFileSystem), PciplatGeneratedSharedModule);
    const Pciplat = inject(createDefaultCoreModule({ shared }), PciplatGeneratedModule, PciplatModule, {
        validation: { ValidationRegistry: (services: PciplatServices) => new ValidationRegistry(services) },
    }) as PciplatServices;
    shared.ServiceRegistry.register(Pciplat);
    registerValidationChecks(Pciplat);
    return { shared, Pciplat };
}

function platformFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile() && e.name.endsWith('.pciplat'))
        .map((e) => path.join(e.parentPath, e.name))
        .sort();
}

const FILES = [...platformFiles(path.join(REPO, 'test', 'fixtures')), ...platformFiles(path.join(REPO, 'examples'))];

async function diagnostics(file: string, services: ReturnType<typeof langiumPassServices>): Promise<string> {
    await loadAndBuild([file], services);
    return JSON.stringify(services.shared.workspace.LangiumDocuments.all.map((d) => [d.uri.toString(), d.diagnostics]).toArray());
}

describe('the validation pass', () => {
    it('runs with the pciplat registry', () => {
        expect(createPciplatServices(EmptyFileSystem).Pciplat.validation.ValidationRegistry).toBeInstanceOf(PciplatValidationRegistry);
        expect(langiumPassServices().Pciplat.validation.ValidationRegistry).not.toBeInstanceOf(PciplatValidationRegistry);
    });

    it('has fixtures with findings to compare', async () => {
        expect(FILES.length).toBeGreaterThan(100);
    });

    it.each(FILES.map((f) => [path.relative(REPO, f), f]))('%s: the same diagnostics as Langium\'s pass', async (_name, file) => {
        const ours = await diagnostics(file, createPciplatServices(EmptyFileSystem));
        const langiums = await diagnostics(file, langiumPassServices());
        expect(ours).toEqual(langiums);
    });

    it('reports a check that throws as Langium does, and awaits a check that returns a promise', async () => {
        const file = path.join(REPO, 'examples', 'arm-server.pciplat');
        const ours = await diagnostics(file, withChecks(createPciplatServices(EmptyFileSystem)));
        const langiums = await diagnostics(file, withChecks(langiumPassServices()));
        expect(ours).toEqual(langiums);
        expect(ours).toContain('An error occurred during validation: boom');
        expect(ours).toContain('late');
    });
});

/** Registers a check that throws and one that answers after a promise, on Platform. */
function withChecks<S extends { Pciplat: PciplatServices }>(services: S): S {
    services.Pciplat.validation.ValidationRegistry.register({
        Platform: [
            () => {
                throw new Error('boom');
            },
            async (node: AstNode, accept: ValidationAcceptor) => {
                await Promise.resolve();
                accept('info', 'late', { node });
            },
        ],
    });
    return services;
}
