import type { FlagEmbeddingProfile } from "../profiles/ModelProfile.js";
import { concatTokens, type InputBuilder, type TokenizeFunction } from "./InputBuilder.js";

/**
 * Builds the token ids FlagEmbedding's decoder-only reranker feeds the model:
 *   [bos] + tok(queryPrefix + query)[:⌊3/4·maxLength⌋]
 *   + tok(sep) + tok(passagePrefix + passage)[:maxLength]   (cut further, on this side only, so the
 *                                                            pair fits maxLength + |sep| + |prompt|)
 *   + tok(sep) + tok(prompt)
 * Each piece is tokenized on its own, as FlagEmbedding does, so a piece boundary is always a token
 * boundary.
 */
export class FlagEmbeddingInputBuilder implements InputBuilder {
    readonly maxLength: number;
    readonly queryMaxLength: number;
    readonly promptTokens: Int32Array;
    readonly separatorTokens: Int32Array;
    /** FlagEmbedding's encode_max_length: the cap on [bos] + query + sep + passage. */
    readonly pairMaxLength: number;
    /** The longest input build() can return. */
    readonly maxSequenceLength: number;
    private readonly tokenize: TokenizeFunction;
    private readonly bosToken: number;
    private readonly profile: FlagEmbeddingProfile;

    constructor(tokenize: TokenizeFunction, bosToken: number, profile: FlagEmbeddingProfile, maxLength: number, prompt: string) {
        this.tokenize = tokenize;
        this.bosToken = bosToken;
        this.profile = profile;
        this.maxLength = maxLength;
        this.queryMaxLength = Math.floor((maxLength * 3) / 4);
        this.promptTokens = tokenize(prompt);
        this.separatorTokens = tokenize(profile.separator);
        this.pairMaxLength = maxLength + this.separatorTokens.length + this.promptTokens.length;
        this.maxSequenceLength = this.pairMaxLength + this.separatorTokens.length + this.promptTokens.length;
    }

    build(query: string, passage: string): Int32Array {
        const queryTokens = this.tokenize(this.profile.queryPrefix + query).subarray(0, this.queryMaxLength);
        const prefix = concatTokens([Int32Array.of(this.bosToken), queryTokens, this.separatorTokens]);
        const passageTokens = this.tokenize(this.profile.passagePrefix + passage).subarray(0, this.maxLength);
        const firstLength = prefix.length - this.separatorTokens.length;
        const secondLength = this.separatorTokens.length + passageTokens.length;
        const excess = firstLength + secondLength - this.pairMaxLength;
        // HF's 'only_second' truncation cuts the passage side from its end. It would refuse (and keep
        // everything) if the cut had to remove the whole second part; with the query capped at
        // 3/4 of maxLength that cannot happen.
        const keptPassage = excess > 0 && excess < secondLength ? passageTokens.subarray(0, passageTokens.length - excess) : passageTokens;
        return concatTokens([prefix, keptPassage, this.separatorTokens, this.promptTokens]);
    }
}
