// A coded import failure at a place in one input file. The importer stops at the first one, so
// nothing is written (the command layer reports it as a finding of the IMPORT-* codes).
import type { FindingCode } from '../findings/codes.js';

export type ImportCode = Extract<FindingCode, `IMPORT-${string}`>;

export class ImportError extends Error {
    override name = 'ImportError';
    constructor(
        readonly code: ImportCode,
        readonly file: string,
        /** 1-based; 0 when the whole file is at fault. */
        readonly line: number,
        message: string,
    ) {
        super(message);
    }
}

/** A non-fatal remark about the input (something unknown, something guessed). */
export interface ImportNote {
    code: ImportCode;
    file: string;
    line: number;
    message: string;
}
