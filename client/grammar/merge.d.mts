// Types of merge.mjs for the TypeScript tests that import it.
export declare function mergeGrammar<G extends object>(generated: G, extra: object): G & { patterns: { name?: string; match?: string; include?: string; captures?: Record<string, { name: string }> }[] };
