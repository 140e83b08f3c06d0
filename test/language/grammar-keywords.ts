// Keywords of the pciplat grammar, read from the generated grammar AST.
import { AstUtils, GrammarAST } from 'langium';
import { PciplatGrammar } from '../../language/generated/grammar.js';

export function grammarKeywords(): Set<string> {
    const result = new Set<string>();
    for (const node of AstUtils.streamAllContents(PciplatGrammar())) {
        if (GrammarAST.isKeyword(node)) result.add(node.value);
    }
    return result;
}

export function ruleKeywords(ruleName: string): Set<string> {
    const rule = PciplatGrammar().rules.find((r) => r.name === ruleName);
    if (!rule) throw new Error(`no rule ${ruleName}`);
    return new Set(AstUtils.streamAllContents(rule).filter(GrammarAST.isKeyword).map((k) => k.value));
}
