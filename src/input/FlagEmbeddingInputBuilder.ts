import { UnsupportedModelError } from "../errors/errors.js";
import type { FlagEmbeddingProfile } from "../profiles/ModelProfile.js";
import { concatTokens, type InputBuilder, type PassageWindowing, type TokenLookup } from "./InputBuilder.js";
import type { TextRequest } from "./TextTokenizer.js";

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
    private readonly bosToken: number;
    private readonly profile: FlagEmbeddingProfile;

    /** promptTokens and separatorTokens: the prompt and profile.separator, each tokenized on its own. */
    constructor(bosToken: number, profile: FlagEmbeddingProfile, maxLength: number, promptTokens: Int32Array, separatorTokens: Int32Array) {
        // llama.cpp reports a BOS id in [0, n_vocab) or LLAMA_TOKEN_NULL (-1) when the vocabulary has
        // none (llama-vocab.cpp load(): an out-of-range id is disabled); -1 must never be decoded
        if (!Number.isInteger(bosToken) || bosToken < 0) {
            throw new UnsupportedModelError(`the model has no BOS token, which profile ${profile.name} starts every input with`);
        }
        this.bosToken = bosToken;
        this.profile = profile;
        this.maxLength = maxLength;
        this.queryMaxLength = Math.floor((maxLength * 3) / 4);
        this.promptTokens = promptTokens;
        this.separatorTokens = separatorTokens;
        this.pairMaxLength = maxLength + this.separatorTokens.length + this.promptTokens.length;
        this.maxSequenceLength = this.pairMaxLength + this.separatorTokens.length + this.promptTokens.length;
    }

    /**
     * The passage piece is tok(passagePrefix + passage). build() keeps p of its ids whole when
     * p <= maxLength and the pair's excess, 1 + q + p - maxLength - |prompt|, is not positive.
     */
    readonly windowing: PassageWindowing = {
        lead: () => this.profile.passagePrefix,
        normalize: (text) => text,
        roomTexts: (query) => [{ text: this.profile.queryPrefix + query, limit: this.queryMaxLength }],
        room: (query, tokensOf) => {
            const queryLength = Math.min(tokensOf(this.profile.queryPrefix + query).length, this.queryMaxLength);
            return Math.min(this.maxLength, this.maxLength + this.promptTokens.length - 1 - queryLength);
        }
    };

    textsToTokenize(query: string, passage: string): TextRequest[] {
        return [
            { text: this.profile.queryPrefix + query, limit: this.queryMaxLength },
            { text: this.profile.passagePrefix + passage, limit: this.maxLength }
        ];
    }

    build(query: string, passage: string, tokensOf: TokenLookup): Int32Array {
        const queryTokens = tokensOf(this.profile.queryPrefix + query).subarray(0, this.queryMaxLength);
        const prefix = concatTokens([Int32Array.of(this.bosToken), queryTokens, this.separatorTokens]);
        const passageTokens = tokensOf(this.profile.passagePrefix + passage).subarray(0, this.maxLength);
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
