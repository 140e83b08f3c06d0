// A small, strict argument parser for the CLI: long options (`--name value`, `--name=value`),
// single-letter aliases (`-h`), `--` to end options. Every mistake is a UsageError with a
// one-line message; the CLI prints it and exits 2.

export class UsageError extends Error {
    override name = 'UsageError';
}

export interface OptionSpec {
    type: 'string' | 'boolean';
    short?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface ParsedArgs {
    /** String options hold their last value, boolean options `true`; absent options are absent. */
    values: Record<string, string | true>;
    positionals: string[];
}

export function parseArgs(args: readonly string[], specs: OptionSpecs): ParsedArgs {
    const values: Record<string, string | true> = {};
    const positionals: string[] = [];
    const byShort = new Map(Object.entries(specs).flatMap(([name, spec]) => (spec.short ? [[spec.short, name] as const] : [])));
    for (let i = 0; i < args.length; i++) {
        const arg = args[i]!;
        if (arg === '--') {
            positionals.push(...args.slice(i + 1));
            break;
        }
        if (arg === '-' || !arg.startsWith('-')) {
            positionals.push(arg);
            continue;
        }
        let name: string | undefined;
        let inline: string | undefined;
        if (arg.startsWith('--')) {
            const eq = arg.indexOf('=');
            name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
            inline = eq < 0 ? undefined : arg.slice(eq + 1);
            if (!Object.prototype.hasOwnProperty.call(specs, name)) throw new UsageError(`unknown option --${name}`);
        } else {
            name = arg.length === 2 ? byShort.get(arg.slice(1)) : undefined;
            if (name === undefined) throw new UsageError(`unknown option ${arg}`);
        }
        const spec = specs[name]!;
        if (spec.type === 'boolean') {
            if (inline !== undefined) throw new UsageError(`option --${name} takes no value`);
            values[name] = true;
            continue;
        }
        let value = inline;
        if (value === undefined) {
            const next = args[i + 1];
            if (next === undefined || (next.startsWith('-') && next !== '-')) throw new UsageError(`option --${name} needs a value`);
            value = next;
            i++;
        }
        if (value === '') throw new UsageError(`option --${name} needs a value`);
        values[name] = value;
    }
    return { values, positionals };
}

/** Whether `-h`/`--help` occurs before a `--`: help wins over every other mistake on the line. */
export function wantsHelp(args: readonly string[]): boolean {
    for (const arg of args) {
        if (arg === '--') return false;
        if (arg === '-h' || arg === '--help') return true;
    }
    return false;
}

/** `value` if it is one of `allowed`, else a UsageError naming the choices. */
export function choice<T extends string>(option: string, value: string | true | undefined, allowed: readonly T[], fallback: T): T;
export function choice<T extends string>(option: string, value: string | true | undefined, allowed: readonly T[]): T | undefined;
export function choice<T extends string>(option: string, value: string | true | undefined, allowed: readonly T[], fallback?: T): T | undefined {
    if (value === undefined || value === true) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new UsageError(`--${option} must be one of ${allowed.join(', ')} (got '${value}')`);
}
