// The validation registry with Langium's registration and order, minus its per-call costs. Langium
// wraps every check in an async function (two promises per check per node: a 10k-function platform
// makes ~65k check calls per keystroke) and rebuilds each node type's check list as a filtered
// stream for every node. Here a check runs synchronously (a check that returns a promise is still
// awaited), a throw is handled by Langium's own handler, and the list per node type and categories
// is computed once, in the order Langium's getChecks gives.
import { ValidationRegistry, type ValidationAcceptor, type ValidationCategory, type ValidationCheck } from 'langium';

const MESSAGE_CONTEXT = 'An error occurred during validation';

export class PciplatValidationRegistry extends ValidationRegistry {
    /** Checks by `type|categories`, cleared whenever a check is added. */
    private readonly lists = new Map<string, readonly ValidationCheck[]>();

    protected override wrapValidationException(check: ValidationCheck, thisObj: unknown): ValidationCheck {
        return (node, accept: ValidationAcceptor, cancelToken) => {
            try {
                const result = check.call(thisObj, node, accept, cancelToken);
                if (result instanceof Promise) return this.handleException(() => result, MESSAGE_CONTEXT, accept, node);
            } catch (error) {
                // Langium's handling: cancellation is rethrown, anything else reported at the node.
                return this.handleException(() => {
                    throw error;
                }, MESSAGE_CONTEXT, accept, node);
            }
            return undefined;
        };
    }

    protected override addEntry(...args: Parameters<ValidationRegistry['addEntry']>): void {
        this.lists.clear();
        super.addEntry(...args);
    }

    /** getChecks as an array, cached. */
    checksFor(type: string, categories?: ValidationCategory[]): readonly ValidationCheck[] {
        const key = categories === undefined ? type : `${type}|${categories.join(',')}`;
        let list = this.lists.get(key);
        if (list === undefined) {
            list = this.getChecks(type, categories).toArray();
            this.lists.set(key, list);
        }
        return list;
    }
}
