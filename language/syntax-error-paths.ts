// Every "no viable alternative" and "expected at least one" syntax error makes Chevrotain walk the
// grammar again for the token sequences each alternative could start with, only to word the
// message. Here that walk costs about 7 ms per error, so a file of broken lines went superlinear
// in practice: fuzz input 99,085 (3,035 `kvm { host-driver }` lines, each a syntax error) took
// 28.6 s of CPU to check. The sequences depend only on the grammar and the place in it (rule and
// occurrence), never on the input, so they are worked out once per place and parser and reused
// (Chevrotain's own source marks this as a place to cache). Messages are unchanged.
import { EarlyExitException, NoViableAltException, type IParserErrorMessageProvider, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import type { LangiumParser } from 'langium';

/** The parts of Chevrotain's parser (Langium's `wrapper`) that raise the two syntax errors. */
interface RaisingParser {
    getCurrRuleFullName(): string;
    LA(howMuch: number): IToken;
    SAVE_ERROR(error: IRecognitionException): IRecognitionException;
    maxLookahead: number;
    errorMessageProvider: IParserErrorMessageProvider;
    raiseNoAltException(occurrence: number, errMsgTypes: string | undefined): never;
    raiseEarlyExitException(occurrence: number, prodType: unknown, userDefinedErrMsg: string | undefined): never;
}

type Paths = TokenType[][][];

/** The tokens Chevrotain's messages quote: the next `maxLookahead` ones. */
function lookahead(parser: RaisingParser): IToken[] {
    const tokens: IToken[] = [];
    for (let i = 1; i <= parser.maxLookahead; i++) tokens.push(parser.LA(i));
    return tokens;
}

/**
 * Runs Chevrotain's own raise once for a place, with a message provider that records the paths it
 * was given, so the first error at each place is exactly Chevrotain's.
 */
function recordingFirst(parser: RaisingParser, record: (provider: IParserErrorMessageProvider, keep: (paths: Paths) => void) => IParserErrorMessageProvider, keep: (paths: Paths) => void, raise: () => never): never {
    const provider = parser.errorMessageProvider;
    parser.errorMessageProvider = record(provider, keep);
    try {
        return raise();
    } finally {
        parser.errorMessageProvider = provider;
    }
}

/** Makes the parser compute each place's expected token sequences once (see the top of this file). */
export function cacheSyntaxErrorPaths(langiumParser: LangiumParser): void {
    const parser = (langiumParser as unknown as { wrapper: RaisingParser }).wrapper;
    const raiseNoAlt = parser.raiseNoAltException;
    const raiseEarlyExit = parser.raiseEarlyExitException;
    const altPaths = new Map<string, Paths>();
    const iterationPaths = new Map<string, TokenType[][]>();

    parser.raiseNoAltException = function (this: RaisingParser, occurrence, errMsgTypes) {
        const ruleName = this.getCurrRuleFullName();
        const key = `${ruleName}#${occurrence}`;
        const paths = altPaths.get(key);
        if (paths === undefined) {
            return recordingFirst(
                this,
                (provider, keep) => Object.assign(Object.create(provider) as IParserErrorMessageProvider, {
                    buildNoViableAltMessage(options: Parameters<IParserErrorMessageProvider['buildNoViableAltMessage']>[0]) {
                        keep(options.expectedPathsPerAlt);
                        return provider.buildNoViableAltMessage(options);
                    },
                }),
                (found) => altPaths.set(key, found),
                () => raiseNoAlt.call(this, occurrence, errMsgTypes),
            );
        }
        const previous = this.LA(0);
        const message = this.errorMessageProvider.buildNoViableAltMessage({ expectedPathsPerAlt: paths, actual: lookahead(this), previous, customUserDescription: errMsgTypes, ruleName });
        throw this.SAVE_ERROR(new NoViableAltException(message, this.LA(1), previous));
    };

    parser.raiseEarlyExitException = function (this: RaisingParser, occurrence, prodType, userDefinedErrMsg) {
        const ruleName = this.getCurrRuleFullName();
        const key = `${ruleName}#${String(prodType)}#${occurrence}`;
        const paths = iterationPaths.get(key);
        if (paths === undefined) {
            return recordingFirst(
                this,
                (provider, keep) => Object.assign(Object.create(provider) as IParserErrorMessageProvider, {
                    buildEarlyExitMessage(options: Parameters<IParserErrorMessageProvider['buildEarlyExitMessage']>[0]) {
                        keep([options.expectedIterationPaths]);
                        return provider.buildEarlyExitMessage(options);
                    },
                }),
                (found) => iterationPaths.set(key, found[0]!),
                () => raiseEarlyExit.call(this, occurrence, prodType, userDefinedErrMsg),
            );
        }
        const previous = this.LA(0);
        const message = this.errorMessageProvider.buildEarlyExitMessage({ expectedIterationPaths: paths, actual: lookahead(this), previous, customUserDescription: userDefinedErrMsg, ruleName });
        throw this.SAVE_ERROR(new EarlyExitException(message, this.LA(1), previous));
    };
}
