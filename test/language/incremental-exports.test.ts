// The exports kept across in-place updates (language/scope/scope-computation.ts) are in the order
// a full computation gives: a walk of the tree, which is not the text's order. Here a `reserved`
// region is written after the x86 example's `scenario vnf_up`: it is one of the platform's items,
// which the walk visits before the platform's Xen domains and scenarios. Entries made again were
// put back by text offset, so before that region (found by the random-edit test at 5,000 edits,
// step 505, after it had copied a `reserved` line below the scenario).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cancellation, EmptyFileSystem, URI } from 'langium';
import { describe, expect, it } from 'vitest';
import { createPciplatServices } from '../../language/pciplat-module.js';
import type { PciplatDocumentFactory } from '../../language/workspace/incremental-parse.js';

const example = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'x86-pvh.pciplat'), 'utf8');
// The platform's last line is its closing brace.
const base = `${example.trimEnd().slice(0, -1)}  reserved late at 0x7800_0000 size 1M kind reserved\n}\n`;

describe('exports after in-place updates', () => {
    it('stay in walk order when an entry written before a later item is made again', async () => {
        const incremental = createPciplatServices(EmptyFileSystem);
        const fresh = createPciplatServices(EmptyFileSystem);
        const factory = incremental.shared.workspace.LangiumDocumentFactory as PciplatDocumentFactory;
        const uri = URI.file('/mem/x86-pvh.pciplat');
        let current = base;
        (factory as unknown as { getUpdatedText: () => Promise<string> }).getUpdatedText = async () => current;
        const document = factory.fromString(base, uri);
        const names = async (services: typeof incremental, text: string | undefined) => {
            const doc = text === undefined ? document : services.shared.workspace.LangiumDocumentFactory.fromString(text, uri);
            return (await services.Pciplat.references.ScopeComputation.collectExportedSymbols(doc)).map((d) => `${d.name} ${d.path}`);
        };
        const before = await names(incremental, undefined);
        // The order the walk gives: the region (an item) before the scenario written before it.
        const region = 'late /elements@0/items@13';
        const scenario = 'vnf_up /elements@0/scenarios@0';
        expect(before.filter((entry) => entry === region || entry === scenario)).toEqual([region, scenario]);
        // In the text it is the other way round.
        expect([...base.matchAll(/^ {2}(scenario vnf_up|reserved late)/gm)].map((m) => m[1])).toEqual(['scenario vnf_up', 'reserved late']);
        const edits: Array<[string, string, string]> = [
            // The scenario's name, patched in its token.
            ['scenario vnf_up', 'scenario vnf_upx', 'token'],
            // A step added inside the scenario: its block parsed again.
            ['    destroy vnf\n', '    destroy vnf\n    start vnf\n', 'block'],
            // The Xen domain's name.
            ['domain vnf {', 'domain vnfx {', 'token'],
        ];
        for (const [find, replace, how] of edits) {
            expect(current).toContain(find);
            current = current.replace(find, replace);
            await factory.update(document, Cancellation.CancellationToken.None);
            expect(factory.lastReparse).toBe(how);
            expect({ find, exports: await names(incremental, undefined) }).toEqual({ find, exports: await names(fresh, current) });
        }
    });
});
