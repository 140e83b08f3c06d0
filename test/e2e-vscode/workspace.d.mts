// Types of workspace.mjs for the TypeScript tests that import it.
export declare const REPO: string;
export declare const BROKEN: string;
export declare const EXPECTED_CODES: string[];
export declare function makeWorkspace(target: string): string;
