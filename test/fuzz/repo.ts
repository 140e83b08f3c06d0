// The repository's root, from wherever this module runs (test/fuzz/ under vitest, out/test/fuzz/
// compiled): the nearest directory above with the project's package.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export function repoRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        const pkg = path.join(dir, 'package.json');
        if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'pciplat') return dir;
        if (path.dirname(dir) === dir) throw new Error(`no pciplat package.json above ${from}`);
    }
}

/** The grammar's keywords (quoted literals of language/pciplat.langium). */
export function grammarKeywords(repo: string): string[] {
    const grammar = fs.readFileSync(path.join(repo, 'language', 'pciplat.langium'), 'utf8');
    return [...new Set([...grammar.matchAll(/'([a-z][a-z0-9_-]*)'/g)].map((m) => m[1]!))].sort();
}
