import type { TextRequest } from "./TextTokenizer.js";

/** Turns a (query, passage) pair into the token ids a profile's model was trained on. */
export interface InputBuilder {
    /** The budget the profile's truncation works to. */
    readonly maxLength: number;
    /** The longest sequence build() can return: the KV cells each slot needs. */
    readonly maxSequenceLength: number;
    /**
     * The texts build() looks up for this pair, tokenized beforehand, off the main thread; each with
     * the number of leading ids build() reads at most. build() must give the same result for a text
     * given all its ids or only a prefix of them longer than that limit (TextTokenizer.tokenizeAll
     * stops there): it may read the ids below the limit and compare the count with numbers up to
     * the limit, nothing more.
     */
    textsToTokenize(query: string, passage: string): TextRequest[];
    /** The pair's token ids, from the ids of textsToTokenize(query, passage). */
    build(query: string, passage: string, tokensOf: TokenLookup): Int32Array;
    /** What overflow "max-window" needs to cut passages into windows; absent where it cannot (see PassageWindower). */
    readonly windowing?: PassageWindowing;
}

/**
 * Where a builder puts the passage, for cutting it into windows that build() keeps whole: the
 * passage's tokens are those of normalize(lead(query) + passage), one text tokenized in one piece,
 * and build() keeps all of them when they are at most room(query) many.
 */
export interface PassageWindowing {
    lead(query: string): string;
    normalize(text: string): string;
    /** The texts room() looks up, with their limits. */
    roomTexts(query: string): TextRequest[];
    room(query: string, tokensOf: TokenLookup): number;
}

/**
 * The token ids of a text that textsToTokenize listed: all of them, or (isPartial) a prefix of them
 * longer than the text's limit.
 */
export type TokenLookup = ((text: string) => Int32Array) & { isPartial?: (text: string) => boolean };

export function concatTokens(parts: ArrayLike<number>[]): Int32Array {
    const result = new Int32Array(parts.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of parts) {
        result.set(part, offset);
        offset += part.length;
    }
    return result;
}
