// Where a model object came from. The core treats it as opaque data it carries into findings;
// only printers turn it into `file:line:col`. Lines and columns are 0-based (as in LSP).

export interface SourcePosition {
    line: number;
    character: number;
}

export interface SourceLoc {
    /** The document URI (`file:///...`). */
    uri: string;
    start: SourcePosition;
    end: SourcePosition;
}
