// Turning the document URIs that findings carry (`file:///...`) into what users see: a path
// relative to the working directory with forward slashes (text and JSON), or a relative URI
// reference (SARIF).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

function fsPathOf(uri: string): string | undefined {
    if (!uri.startsWith('file:')) return undefined;
    try {
        return fileURLToPath(uri);
    } catch {
        return undefined;
    }
}

function slashes(p: string): string {
    return p.split(path.sep).join('/');
}

/** The path relative to `cwd` (`../` when outside it; absolute on another drive); other URIs unchanged. */
export function displayPath(uri: string, cwd: string): string {
    const fsPath = fsPathOf(uri);
    if (fsPath === undefined) return uri;
    const rel = path.relative(cwd, fsPath);
    if (rel === '') return slashes(path.basename(fsPath));
    return slashes(path.isAbsolute(rel) ? fsPath : rel);
}

/**
 * For SARIF `artifactLocation.uri`: a relative URI reference (percent-encoded segments) for files
 * below `cwd`, the absolute `file:` URI for files outside it and for other URIs.
 */
export function artifactUri(uri: string, cwd: string): string {
    const fsPath = fsPathOf(uri);
    if (fsPath === undefined) return uri;
    const rel = path.relative(cwd, fsPath);
    if (rel === '' || path.isAbsolute(rel) || rel === '..' || rel.startsWith(`..${path.sep}`)) return uri;
    return rel.split(path.sep).map(encodeURIComponent).join('/');
}
