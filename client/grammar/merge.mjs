// Builds the shipped TextMate grammar from Langium's generated one
// (client/syntaxes/pciplat.tmLanguage.json, `npm run langium:generate`) and the hand-written
// additions in pciplat.tmLanguage.extra.json. The generated file is never edited, so a grammar
// change only needs a regeneration; keywords stay Langium's list.
//
// What the merge does:
//  - Langium's keyword rule uses \b, which treats `-` as a boundary: the `io` of a name `nic-io`
//    would be coloured as a keyword. Its boundaries become (?<![\w-]) and (?![\w-]).
//  - Each keyword group of the extra file becomes its own rule (a finer scope) before the generic
//    keyword rule; a word of a group that Langium does not know is an error.
//  - The extra patterns (declarations, PCI addresses, numbers, ...) go after comments and strings
//    and before keywords.

const KEYWORD_RULE = /^\\b\((.*)\)\\b$/;

function escapeWord(word) {
    return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The merged grammar (a new object); throws with a one-line message on an inconsistency. */
export function mergeGrammar(generated, extra) {
    const grammar = structuredClone(generated);
    const patterns = grammar.patterns ?? [];
    const keywordIndex = patterns.findIndex((p) => typeof p.match === 'string' && KEYWORD_RULE.test(p.match) && /^keyword\./.test(p.name ?? ''));
    if (keywordIndex < 0) throw new Error("the generated grammar has no keyword rule of the form \\b(a|b)\\b; update client/grammar/merge.mjs");
    const keywordRule = patterns[keywordIndex];
    const keywords = new Set(KEYWORD_RULE.exec(keywordRule.match)[1].split('|').map((k) => k.replace(/\\(.)/g, '$1')));
    const alternation = (words) =>
        [...words]
            .sort((a, b) => b.length - a.length || a.localeCompare(b))
            .map(escapeWord)
            .join('|');
    const bounded = (words) => `(?<![\\w-])(${alternation(words)})(?![\\w-])`;

    const groups = (extra.keywordGroups ?? []).map((group) => {
        const unknown = group.words.filter((w) => !keywords.has(w));
        if (unknown.length > 0) throw new Error(`${group.name}: not keywords of the grammar: ${unknown.join(', ')}`);
        return { name: group.name, match: bounded(group.words) };
    });
    const generic = { ...keywordRule, match: bounded(keywords) };
    const before = patterns.slice(0, keywordIndex);
    const after = patterns.slice(keywordIndex + 1);
    // Comments and strings first (they may contain anything), then the additions, then keywords.
    const isCommentOrString = (p) => p.include === '#comments' || /^(comment|string)\./.test(p.name ?? '');
    const early = [...before, ...after].filter(isCommentOrString);
    const rest = [...before, ...after].filter((p) => !isCommentOrString(p));
    grammar.patterns = [...early, ...(extra.patterns ?? []), ...groups, generic, ...rest];
    grammar.repository = { ...(grammar.repository ?? {}), ...(extra.repository ?? {}) };
    // TextMate's fileTypes are extensions without the dot.
    if (Array.isArray(grammar.fileTypes)) grammar.fileTypes = grammar.fileTypes.map((t) => t.replace(/^\./, ''));
    return grammar;
}
