// The reference index (what `find references` and the relinking of importers read): Langium's
// own descriptions, made from the document's list of linked references (in the tree's order, as
// the linker keeps it: language/scope/linker.ts) rather than by walking the whole tree again
// (over 100k nodes at 10k functions, for about a thousand references).
import { DefaultReferenceDescriptionProvider, isReference, type AstNode, type LangiumDocument, type ReferenceDescription, type ReferenceInfo } from 'langium';

export class PciplatReferenceDescriptionProvider extends DefaultReferenceDescriptionProvider {
    override async createDescriptions(document: LangiumDocument): Promise<ReferenceDescription[]> {
        const descriptions: ReferenceDescription[] = [];
        for (const reference of document.references) {
            if (reference.error || !isReference(reference)) continue;
            const container = (reference as unknown as { node: AstNode }).node;
            const property = (reference as unknown as { property: string }).property;
            const info: ReferenceInfo = { reference, container, property };
            descriptions.push(...this.createInfoDescriptions(info));
        }
        return descriptions;
    }
}
