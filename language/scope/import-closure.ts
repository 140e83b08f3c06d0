// The files whose names a document sees: itself and everything it imports, transitively.
import { URI, UriUtils, type LangiumDocument, type LangiumDocuments } from 'langium';
import { isModel, type Model } from '../generated/ast.js';

/** A UTF-16 surrogate without its pair: text can hold one (an editor's buffer, a JS string), a file's UTF-8 cannot. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The URI an `import "path"` statement of `document` names (relative to the document's folder).
 * A lone surrogate in the path is read as U+FFFD, as decoding the path's bytes would give: a URI
 * with one cannot be printed (encodeURIComponent throws "URI malformed", found by the fuzzer), and
 * no file has such a name, so the import is reported as not found.
 */
export function resolveImport(documentUri: URI, path: string): URI {
    return UriUtils.resolvePath(UriUtils.dirname(documentUri), path.replace(LONE_SURROGATE, '\uFFFD'));
}

/** URIs (as strings) of the document and of every loaded document it imports, transitively. */
export function importClosure(document: LangiumDocument, documents: LangiumDocuments): Set<string> {
    const seen = new Set<string>([document.uri.toString()]);
    const queue: LangiumDocument[] = [document];
    while (queue.length > 0) {
        const current = queue.pop()!;
        const root = current.parseResult.value;
        if (!isModel(root)) continue;
        for (const imp of (root as Model).imports) {
            if (!imp.path) continue;
            const target = resolveImport(current.uri, imp.path);
            const key = target.toString();
            if (seen.has(key)) continue;
            const imported = documents.getDocument(target);
            if (!imported) continue; // reported as LANG-IMPORT-NOT-FOUND by the import check
            seen.add(key);
            queue.push(imported);
        }
    }
    return seen;
}

/**
 * The URIs a change to which can change what the names of `document` resolve to: its import
 * closure and every file a document of it imports, loaded or not (a missing file that appears).
 */
export function importReach(document: LangiumDocument, documents: LangiumDocuments): Set<string> {
    const reach = importClosure(document, documents);
    for (const uri of [...reach]) {
        const parsed = URI.parse(uri);
        const root = documents.getDocument(parsed)?.parseResult.value;
        if (!isModel(root)) continue;
        for (const imp of (root as Model).imports) if (imp.path) reach.add(resolveImport(parsed, imp.path).toString());
    }
    return reach;
}
