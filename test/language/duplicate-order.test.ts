// The first declaration of a duplicated name is the first in the file's import closure (the
// file's own declarations, then its imports'), whatever order the files entered the index in:
// the CLI indexes the named file first, the language server the workspace's files and then each
// edited file again, and the soak found them disagreeing about which declaration references
// mean (`the first declaration is at n1server.pciplat line 16` in the editor, `line 131` in the CLI).
import { describe, expect, it } from 'vitest';
import { buildTexts } from '../helpers/workspace.js';

const FILES = {
    'main.pciplat': `import "lib.pciplat"
platform p {
  arch arm64
  its gits0 at 0x3004_0000
  its gits0 at 0x3005_0000
}
`,
    'lib.pciplat': `platform q {
  arch arm64
  its gits0 at 0x3006_0000
}
`,
};

async function duplicateMessages(roots: string[]) {
    const { roots: docs } = await buildTexts(FILES, roots);
    const main = docs.find((d) => d.uri.path.endsWith('/main.pciplat'))!;
    return (main.diagnostics ?? []).filter((d) => d.code === 'LANG-DUPLICATE-NAME').map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`);
}

describe('LANG-DUPLICATE-NAME across imports', () => {
    it('points at the first declaration of the file itself, whether the file or its import was indexed first', async () => {
        const expected = ['5:7 The name gits0 is declared 3 times; the first declaration is at line 4, and references to gits0 mean that one.'];
        expect(await duplicateMessages(['main.pciplat'])).toEqual(expected);
        expect(await duplicateMessages(['lib.pciplat', 'main.pciplat'])).toEqual(expected);
    });
});
