// The incremental side of the equivalence tests: language services whose document factory reads
// each update's text from a map the test edits (as the editor's text documents would be read),
// with the workspace's files opened and built once.
import { EmptyFileSystem, type LangiumDocument, type URI } from 'langium';
import { createPciplatServices } from '../../language/pciplat-module.js';
import type { PciplatDocumentFactory } from '../../language/workspace/incremental-parse.js';

export async function openIncremental(uris: readonly URI[], texts: ReadonlyMap<string, string>): Promise<{ services: ReturnType<typeof createPciplatServices>; factory: PciplatDocumentFactory; documents: LangiumDocument[] }> {
    const services = createPciplatServices(EmptyFileSystem);
    const factory = services.shared.workspace.LangiumDocumentFactory as PciplatDocumentFactory;
    (factory as unknown as { getUpdatedText: (d: LangiumDocument) => Promise<string> }).getUpdatedText = async (d) => texts.get(d.uri.toString())!;
    const documents = uris.map((uri) => {
        const document = factory.fromString(texts.get(uri.toString())!, uri);
        services.shared.workspace.LangiumDocuments.addDocument(document);
        return document;
    });
    await services.shared.workspace.DocumentBuilder.build(documents, { validation: true });
    return { services, factory, documents };
}
