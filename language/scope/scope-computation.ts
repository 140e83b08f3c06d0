// Every named declaration is visible by its name to every file that imports its file: names
// form one flat namespace per import closure (like device-tree labels). So every named node is
// exported, and no local (nested) scopes are computed at all.
import { AstUtils, Cancellation, MultiMap, interruptAndCheck, type AstNode, type AstNodeDescription, type AstNodeDescriptionProvider, type LangiumCoreServices, type LangiumDocument, type LocalSymbols, type NameProvider } from 'langium';

export class PciplatScopeComputation {
    private readonly nameProvider: NameProvider;
    private readonly descriptions: AstNodeDescriptionProvider;

    constructor(services: LangiumCoreServices) {
        this.nameProvider = services.references.NameProvider;
        this.descriptions = services.workspace.AstNodeDescriptionProvider;
    }

    async collectExportedSymbols(document: LangiumDocument, cancelToken = Cancellation.CancellationToken.None): Promise<AstNodeDescription[]> {
        const exports: AstNodeDescription[] = [];
        let visited = 0;
        for (const node of AstUtils.streamAllContents(document.parseResult.value)) {
            if (++visited % 10_000 === 0) await interruptAndCheck(cancelToken);
            const name = this.nameProvider.getName(node);
            if (name) exports.push(this.descriptions.createDescription(node, name, document));
        }
        return exports;
    }

    async collectLocalSymbols(_document: LangiumDocument): Promise<LocalSymbols> {
        return new MultiMap<AstNode, AstNodeDescription>();
    }
}
