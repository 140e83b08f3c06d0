// The platforms in examples/ are the ones users read first and the demo runs: each must build
// (parse, link, language checks) without an error, declare exactly one platform, and every
// SoC file they import must declare a SoC. Warnings are allowed: an example that shows one on
// purpose says so in a comment.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver-types';
import { buildFiles } from './helpers/workspace.js';
import { checkFindings } from './helpers/check.js';

const dir = path.join(__dirname, '..', 'examples');
const platforms = fs.readdirSync(dir).filter((f) => f.endsWith('.pciplat')).sort();
const socDir = path.join(dir, 'soc');
const socs = fs.existsSync(socDir) ? fs.readdirSync(socDir).filter((f) => f.endsWith('.pciplat')).sort() : [];

function errors(diagnostics: Diagnostic[] | undefined): string[] {
    return (diagnostics ?? [])
        .filter((d) => d.severity === 1)
        .map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code ?? ''} ${d.message}`);
}

function topLevelTypes(root: { elements?: { $type: string }[] }): string[] {
    return (root.elements ?? []).map((e) => e.$type);
}

describe('examples/', () => {
    it('has the four example platforms', () => {
        expect(platforms).toEqual(expect.arrayContaining(['arm-server.pciplat', 'embedded-arm.pciplat', 'vfio-desktop.pciplat', 'x86-pvh.pciplat']));
    });

    it.each(platforms)('%s builds without errors and declares one platform', async (file) => {
        const { roots, services, unreadable } = await buildFiles([path.join(dir, file)]);
        expect(unreadable).toEqual([]);
        const document = roots[0]!;
        expect(errors(document.diagnostics)).toEqual([]);
        expect(topLevelTypes(document.parseResult.value).filter((t) => t === 'Platform')).toHaveLength(1);

        // Every file it imports was loaded and builds cleanly too.
        for (const other of services.shared.workspace.LangiumDocuments.all) {
            if (other === document) continue;
            expect(errors(other.diagnostics), other.uri.path).toEqual([]);
        }
    });

    it.each(socs)('soc/%s builds without errors and declares SoCs only', async (file) => {
        const { roots } = await buildFiles([path.join(socDir, file)]);
        const document = roots[0]!;
        expect(errors(document.diagnostics)).toEqual([]);
        const types = topLevelTypes(document.parseResult.value);
        expect(types.length).toBeGreaterThan(0);
        expect(types.every((t) => t === 'Soc')).toBe(true);
    });

    it('imports are used: every platform that imports a SoC file includes one of its SoCs', async () => {
        for (const file of platforms) {
            const { roots } = await buildFiles([path.join(dir, file)]);
            const model = roots[0]!.parseResult.value;
            if (model.imports.length === 0) continue;
            const included = model.elements.flatMap((e) => (e.$type === 'Platform' ? e.socs.map((s) => s.soc.ref?.name) : []));
            expect(included.filter((n) => n !== undefined), file).not.toHaveLength(0);
        }
    });

    // What `pciplat check` says of each example (language, implicit and written scenarios): only
    // what the example says it teaches, in a comment `pciplat reports CODE`, and each of those.
    it.each(platforms)('pciplat check %s reports only what the example says it teaches', async (file) => {
        const text = fs.readFileSync(path.join(dir, file), 'utf8');
        const taught = [...new Set([...text.matchAll(/pciplat reports ([A-Z0-9]+(?:-[A-Z0-9]+)+)/g)].map((m) => m[1]!))].sort();
        const findings = await checkFindings(path.join(dir, file));
        const codes = [...new Set(findings.map((f) => / ([A-Z0-9]+(?:-[A-Z0-9]+)+): /.exec(f)![1]!))].sort();
        expect(findings.filter((f) => !taught.some((code) => f.includes(` ${code}: `)))).toEqual([]);
        expect(codes).toEqual(taught);
    });

    // The platform README shows first checks clean, as users copy it.
    it('the README\'s platform snippets check without findings', async () => {
        const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
        const snippets = [...readme.matchAll(/```\n(platform [\s\S]*?)```/g)].map((m) => m[1]!);
        expect(snippets.length).toBeGreaterThan(0);
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-readme-'));
        try {
            for (const [i, text] of snippets.entries()) {
                const file = path.join(tmp, `snippet${i}.pciplat`);
                fs.writeFileSync(file, text);
                expect(await checkFindings(file), `README snippet ${i + 1}`).toEqual([]);
            }
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });
});
