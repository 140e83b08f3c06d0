// Types of generate-platform.mjs for the TypeScript tests.
export interface GeneratedPlatform {
    text: string;
    /** Functions, SR-IOV VFs included. */
    functions: number;
    names: number;
    references: number;
    /** With `soc`: the SoC file (soc.pciplat) the platform imports. */
    socText?: string;
}

export function generatePlatform(target: number, options?: { soc?: boolean; rootPortsPerBridge?: number }): GeneratedPlatform;
