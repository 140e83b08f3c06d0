// Every language-level check, registered in the `fast` category so that Langium runs them on
// each edit as well as in the CLI. Each check is guarded: a check that throws reports
// LANG-INTERNAL at the node instead of printing a stack trace.
import type { AstNode, ValidationAcceptor, ValidationCheck, ValidationChecks } from 'langium';
import type { PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { functionChecks } from './function-checks.js';
import { inputChecks } from './input-checks.js';
import { platformChecks } from './platform-checks.js';
import { report } from './report.js';
import { resourceChecks } from './resource-checks.js';

type AnyChecks = Record<string, ValidationCheck | ValidationCheck[] | undefined>;

function guarded(check: ValidationCheck): ValidationCheck {
    return (node: AstNode, accept: ValidationAcceptor, token) => {
        try {
            const result = check(node, accept, token);
            return result instanceof Promise ? result.catch((error) => internal(node, accept, error)) : result;
        } catch (error) {
            internal(node, accept, error);
        }
    };
}

function internal(node: AstNode, accept: ValidationAcceptor, error: unknown): void {
    report(accept, 'LANG-INTERNAL', `pciplat failed while checking this ${node.$type} (${error instanceof Error ? error.message : String(error)}); please report it.`, { node });
}

function guardAll(checks: AnyChecks): AnyChecks {
    const result: AnyChecks = {};
    for (const [type, value] of Object.entries(checks)) {
        if (value === undefined) continue;
        result[type] = Array.isArray(value) ? value.map(guarded) : guarded(value);
    }
    return result;
}

export function registerValidationChecks(services: PciplatServices): void {
    const registry = services.validation.ValidationRegistry;
    const all = [inputChecks(services), functionChecks(services), resourceChecks(services), platformChecks(services)];
    for (const checks of all) registry.register(guardAll(checks as AnyChecks) as ValidationChecks<PciplatAstType>, undefined, 'fast');
}
