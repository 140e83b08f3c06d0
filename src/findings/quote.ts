// Messages name the objects and numbers involved, but a token can be huge (a 1 MB number
// literal from a fuzzer, a name pasted a thousand times): a message quotes at most a short
// prefix of it and says how long it is, so the output stays bounded whatever the input.

/** Longest token quoted whole; a longer one is quoted by its first QUOTED_PREFIX characters. */
export const MAX_QUOTED_TOKEN = 40;
export const QUOTED_PREFIX = 24;

/** `text` itself when short, else its first characters, an ellipsis and its length. */
export function quoteToken(text: string): string {
    if (text.length <= MAX_QUOTED_TOKEN) return text;
    return `${text.slice(0, QUOTED_PREFIX)}… (${text.length} characters)`;
}

const LONG_TOKEN = new RegExp(`[^\\s'"\`]{${MAX_QUOTED_TOKEN + 1},}`, 'g');

/** `message` with every run of more than MAX_QUOTED_TOKEN characters other than blanks and quotes shortened by quoteToken. */
export function boundTokens(message: string): string {
    return message.length <= MAX_QUOTED_TOKEN ? message : message.replace(LONG_TOKEN, (token) => quoteToken(token));
}
