// Source locations of imported objects: the input file and line they came from (the model's
// SourceLoc is 0-based; import sources count lines from 1).
import type { SourceLoc } from '../model/source.js';

export function importLoc(file: string, line: number): SourceLoc {
    const l = Math.max(0, line - 1);
    return { uri: file, start: { line: l, character: 0 }, end: { line: l, character: 0 } };
}

/** Comments the writer prints before (or after) an object: where it came from, what is unknown. */
export type Comments = Map<object, string[]>;

export function addComment(comments: Comments, object: object, text: string): void {
    const list = comments.get(object);
    if (list) list.push(text);
    else comments.set(object, [text]);
}
