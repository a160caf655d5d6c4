/** Turns a (query, passage) pair into the token ids a profile's model was trained on. */
export interface InputBuilder {
    /** The budget the profile's truncation works to. */
    readonly maxLength: number;
    /** The longest sequence build() can return: the KV cells each slot needs. */
    readonly maxSequenceLength: number;
    /** The texts build() looks up for this pair: tokenized beforehand, off the main thread. */
    textsToTokenize(query: string, passage: string): string[];
    /** The pair's token ids, from the ids of textsToTokenize(query, passage). */
    build(query: string, passage: string, tokensOf: TokenLookup): Int32Array;
}

/** The token ids of a text that textsToTokenize listed. */
export type TokenLookup = (text: string) => Int32Array;

export function concatTokens(parts: ArrayLike<number>[]): Int32Array {
    const result = new Int32Array(parts.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of parts) {
        result.set(part, offset);
        offset += part.length;
    }
    return result;
}
