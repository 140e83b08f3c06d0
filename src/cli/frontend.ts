// The CLI in src/ cannot parse (src/ stays free of Langium): the entry point hands it a loader
// built on the language services (language/cli-entry.ts). This is that contract.
import type { Finding } from '../findings/finding.js';
import type { Platform } from '../model/platform.js';

export interface LoadedInput {
    /** Every file's diagnostics as findings (syntax, linking, language checks, imports). */
    findings: Finding[];
    /** The platforms declared in the requested files, lowered to the core model. */
    platforms: Platform[];
    /** Requested paths that could not be read at all: the CLI exits 2 for these. */
    unreadable: { path: string; detail: string }[];
}

export type Loader = (paths: string[]) => Promise<LoadedInput>;
