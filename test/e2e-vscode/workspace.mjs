// The test workspace of the extension tests: a copy of examples/ plus arm-server-broken.pciplat, a
// copy of examples/arm-server.pciplat with two deliberate errors so that the Problems panel has
// something to show:
//   - PCI-BAR-INDEX   (language check): the management NIC's I/O BAR gets index 9;
//   - PCI-BAR-OVERLAP (simulation):     the boot disk gets a second firmware-assigned BAR inside BAR 0.
// Generated from the example at test time, so it follows the example; a substitution that no
// longer applies is an error naming it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BROKEN = 'arm-server-broken.pciplat';

const SUBSTITUTIONS = [
    { code: 'PCI-BAR-INDEX', from: 'bar 2 io size 64', to: 'bar 9 io size 64   // deliberate error: BAR 9 does not exist' },
    {
        code: 'PCI-BAR-OVERLAP',
        from: 'bar 0 mem64 size 16K at 0x5800_0000',
        to: 'bar 0 mem64 size 16K at 0x5800_0000\n        bar 2 mem32 size 8K at 0x5800_2000      // deliberate error: inside BAR 0\n       ',
    },
];

/** The codes the broken copy must produce. */
export const EXPECTED_CODES = SUBSTITUTIONS.map((s) => s.code);

/** Copies examples/ into `target` (created) and writes the broken copy; returns the target. */
export function makeWorkspace(target) {
    fs.mkdirSync(target, { recursive: true });
    fs.cpSync(path.join(REPO, 'examples'), target, { recursive: true });
    let text = fs.readFileSync(path.join(REPO, 'examples', 'arm-server.pciplat'), 'utf8');
    for (const s of SUBSTITUTIONS) {
        if (!text.includes(s.from)) throw new Error(`examples/arm-server.pciplat no longer contains "${s.from}": update test/e2e-vscode/workspace.mjs`);
        text = text.replace(s.from, s.to);
    }
    fs.writeFileSync(path.join(target, BROKEN), `// A copy of arm-server.pciplat with deliberate errors (test/e2e-vscode/workspace.mjs).\n${text}`);
    return target;
}
