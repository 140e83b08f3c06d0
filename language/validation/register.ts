// Every language-level check, registered in the `fast` category so that Langium runs them on
// each edit as well as in the CLI.
import type { ValidationChecks } from 'langium';
import type { PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { inputChecks } from './input-checks.js';

export function registerValidationChecks(services: PciplatServices): void {
    const registry = services.validation.ValidationRegistry;
    const all: ValidationChecks<PciplatAstType>[] = [inputChecks(services)];
    for (const checks of all) registry.register(checks, undefined, 'fast');
}
