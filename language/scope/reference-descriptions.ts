// The reference index (what `find references` and the relinking of importers read): Langium's
// own descriptions, with the walk yielding every CHECK_EVERY nodes instead of awaiting once per
// node (over 100k awaits per keystroke at 10k functions).
import { AstUtils, Cancellation, DefaultReferenceDescriptionProvider, interruptAndCheck, type LangiumDocument, type ReferenceDescription } from 'langium';
import { CHECK_EVERY } from './linker.js';

export class PciplatReferenceDescriptionProvider extends DefaultReferenceDescriptionProvider {
    override async createDescriptions(document: LangiumDocument, cancelToken = Cancellation.CancellationToken.None): Promise<ReferenceDescription[]> {
        const descriptions: ReferenceDescription[] = [];
        let visited = 0;
        for (const node of AstUtils.streamAst(document.parseResult.value)) {
            if (++visited % CHECK_EVERY === 0) await interruptAndCheck(cancelToken);
            AstUtils.streamReferences(node).forEach((refInfo) => {
                if (!refInfo.reference.error) descriptions.push(...this.createInfoDescriptions(refInfo));
            });
        }
        return descriptions;
    }
}
