// Lowering never throws on a partial AST (fuzz reproducer lower-crash-kvm-host-driver-without-
// device: `kvm { host-driver }` made it throw): every example, cut short at many points and with
// single tokens removed, as a user mid-edit has it, lowers and simulates without a throw or an
// ENGINE-INTERNAL finding.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lowerModel } from '../../language/lower/lower-platform.js';
import { simulate } from '../../src/engine/simulate.js';
import { buildTexts } from '../helpers/workspace.js';

const dir = path.join(__dirname, '..', '..', 'examples');
const examples = fs.readdirSync(dir).filter((f) => f.endsWith('.pciplat')).sort();
const CUTS = 6;

/** The text cut at CUTS points, and with the token after each cut point removed. */
function partials(text: string): string[] {
    const out: string[] = [];
    for (let i = 1; i <= CUTS; i++) {
        const at = Math.floor((text.length * i) / (CUTS + 1));
        out.push(text.slice(0, at));
        const rest = text.slice(at).replace(/^\s*\S+/, '');
        out.push(text.slice(0, at) + rest);
    }
    return out;
}

describe('lowering partial ASTs', () => {
    for (const file of examples) {
        it(`${file}: every cut and every dropped token lowers and simulates`, async () => {
            const text = fs.readFileSync(path.join(dir, file), 'utf8');
            for (const partial of partials(text)) {
                const { roots } = await buildTexts({ [file]: partial });
                const platforms = lowerModel(roots[0]!.parseResult.value);
                for (const platform of platforms) {
                    const internal = simulate(platform).findings.filter((f) => f.code === 'ENGINE-INTERNAL');
                    expect(internal.map((f) => f.message)).toEqual([]);
                }
            }
        });
    }
});
