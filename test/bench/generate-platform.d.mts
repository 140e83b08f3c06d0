// Types of generate-platform.mjs for the TypeScript tests.
export interface GeneratedPlatform {
    text: string;
    /** Functions, SR-IOV VFs included. */
    functions: number;
    names: number;
    references: number;
}

export function generatePlatform(target: number): GeneratedPlatform;
