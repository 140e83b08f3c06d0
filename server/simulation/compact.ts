// Compact copies of what a simulation worker sends back, for the result store. Structured cloning
// gives every received object its own copies: each `'mem64'`, `'smmu0'` or document URI string,
// each small bigint (`0n`, `3n`), each `loc` of the 7 VFs of one PF, each key set to `undefined`
// (7 of a function result's 20 fields, as a rule). At 10k functions that is ~0.4 KiB per function
// of the ~1.9 the stored result takes on the server thread. The compactor shares equal strings,
// bigints below SMALL_BIGINT and equal locations within one run, copies arrays to their exact
// length (structured cloning leaves spare room in each), and leaves out keys whose value
// is undefined (no reader tells them from absent ones: `f.rom === undefined` either way). Each
// plain object is rebuilt by an object literal of its own keys, made once per set of keys: V8 then
// lays it out with exactly that many in-object fields (an object grown key by key from `{}` gets a
// separate, larger property store, which costs more than the copies saved). Objects other than
// plain objects and arrays (none today) are kept as they are.

/** Bigints below this are shared (bus, device, function numbers, BAR indexes, small IDs). */
const SMALL_BIGINT = 4096n;

interface Loc {
    uri: string;
    start: { line: number; character: number };
    end: { line: number; character: number };
}

function isLoc(value: Record<string, unknown>): value is Loc & Record<string, unknown> {
    const { uri, start, end } = value as Partial<Loc>;
    return typeof uri === 'string' && typeof start === 'object' && start !== null && typeof end === 'object' && end !== null && Object.keys(value).length === 3;
}

type Build = (values: unknown[]) => Record<string, unknown>;

/** Object literal builders by key list (`\0`-joined); the engine's result types have a few dozen. */
const builders = new Map<string, Build>();
const MAX_BUILDERS = 1000;

function builder(keys: string[]): Build | undefined {
    const signature = keys.join('\0');
    let build = builders.get(signature);
    if (!build && builders.size < MAX_BUILDERS) {
        // The keys are quoted by JSON.stringify: any string is a valid property name that way.
        build = new Function('v', `return { ${keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ')} };`) as Build;
        builders.set(signature, build);
    }
    return build;
}

export class Compactor {
    private readonly strings = new Map<string, string>();
    private readonly bigints: bigint[] = [];
    private readonly locs = new Map<string, Loc>();

    /** A compact copy of `value`. */
    value<T>(value: T): T {
        return this.any(value) as T;
    }

    private string(s: string): string {
        const known = this.strings.get(s);
        if (known !== undefined) return known;
        this.strings.set(s, s);
        return s;
    }

    private any(value: unknown): unknown {
        switch (typeof value) {
            case 'string':
                return this.string(value);
            case 'bigint': {
                if (value < 0n || value >= SMALL_BIGINT) return value;
                const index = Number(value);
                return (this.bigints[index] ??= value);
            }
            case 'object': {
                if (value === null) return value;
                // A new array of exactly its length: a received array's store has room for more
                // (a one-element array cost 118 bytes more as received than copied, Node 20).
                if (Array.isArray(value)) return value.map((element) => this.any(element));
                if (Object.getPrototypeOf(value) !== Object.prototype) return value;
                const object = value as Record<string, unknown>;
                if (isLoc(object)) return this.loc(object);
                const keys: string[] = [];
                const values: unknown[] = [];
                for (const key in object) {
                    const field = object[key];
                    if (field === undefined || key === '__proto__') continue;
                    keys.push(key);
                    values.push(this.any(field));
                }
                const build = builder(keys);
                if (build) return build(values);
                const out: Record<string, unknown> = {};
                keys.forEach((key, i) => (out[key] = values[i]));
                return out;
            }
            default:
                return value;
        }
    }

    private loc(loc: Loc): Loc {
        const key = `${loc.start.line}:${loc.start.character}:${loc.end.line}:${loc.end.character}:${loc.uri}`;
        let known = this.locs.get(key);
        if (!known) {
            known = { uri: this.string(loc.uri), start: { line: loc.start.line, character: loc.start.character }, end: { line: loc.end.line, character: loc.end.character } };
            this.locs.set(key, known);
        }
        return known;
    }
}
