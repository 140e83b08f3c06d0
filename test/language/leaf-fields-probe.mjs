// Run by leaf-fields.test.ts as `node --allow-natives-syntax --import ./language/polyfill.mjs
// test/language/leaf-fields-probe.mjs FILE` against the compiled project (out/): opens FILE,
// updates it in place with a token patch, an item splice and a block splice, one after another,
// and prints, as JSON, how each update was made and how many CST leaf positions are not small
// integers (V8's Smi) after it. Natives syntax (%IsSmi) is what can tell: JavaScript cannot.
import * as fs from 'node:fs';
import { Cancellation, EmptyFileSystem, URI } from 'langium';

const { createPciplatServices } = await import('../../out/language/pciplat-module.js');

const file = process.argv[2];
let current = fs.readFileSync(file, 'utf8');
const services = createPciplatServices(EmptyFileSystem);
const factory = services.shared.workspace.LangiumDocumentFactory;
factory.getUpdatedText = async () => current;
const document = factory.fromString(current, URI.file('/mem/probe.pciplat'));

const FIELDS = ['_offset', '_length', '_startLine', '_startColumn', '_endLine', '_endColumn'];
function notSmall(root) {
    let count = 0;
    const stack = [root];
    while (stack.length > 0) {
        const node = stack.pop();
        if (Array.isArray(node.content)) stack.push(...node.content);
        else for (const field of FIELDS) if (!%IsSmi(node[field])) count++;
    }
    return count;
}

/** Replaces the first `find` (after `after`) by `replace`. */
async function edit(find, replace, after = '') {
    const at = current.indexOf(find, current.indexOf(after));
    if (at < 0) throw new Error(`'${find}' not in ${file}`);
    current = current.slice(0, at) + replace + current.slice(at + find.length);
    await factory.update(document, Cancellation.CancellationToken.None);
    return { how: factory.lastReparse, notSmall: notSmall(document.parseResult.value.$cstNode) };
}

const steps = [{ how: 'open', notSmall: notSmall(document.parseResult.value.$cstNode) }];
// A BAR size, inside one token.
steps.push(await edit('size 8M', 'size 16M'));
// A function added to a host bridge's items, on its own line.
steps.push(await edit('    rc-endpoint rcb0 ', '    rc-endpoint added at 00:1f.0 vendor 0x8086 device 0x1572 class 0x020000\n    rc-endpoint rcb0 '));
// A line inside a function's SR-IOV block, which has no item loop: the block is parsed again.
steps.push(await edit('          vf-bar 3 mem64 prefetch size 16K\n', '', 'sriov total-vfs'));
console.log(JSON.stringify(steps));
