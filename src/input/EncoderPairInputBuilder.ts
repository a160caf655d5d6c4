import type { EncoderPairProfile } from "../profiles/ModelProfile.js";
import { concatTokens, type InputBuilder, type TokenLookup } from "./InputBuilder.js";
import { LongestFirstPairInputBuilder } from "./LongestFirstPairInputBuilder.js";
import type { TextRequest } from "./TextTokenizer.js";

/** The ids of the profile's special tokens, as the model's vocabulary numbers them. */
export type EncoderPairSpecialIds = { start: number; pairSeparator: number[]; end: number };

/**
 * The token ids FlagEmbedding's encoder-only reranker (FlagReranker, inference/reranker/
 * encoder_only/base.py) feeds an XLM-RoBERTa cross-encoder:
 *   q = tok(query)[:⌊3/4·maxLength⌋], p = tok(passage)[:maxLength]   (no special tokens)
 *   prepare_for_model(q, p, truncation='only_second', max_length=maxLength)
 *     = <s> q </s></s> p' </s>, p' cut from its end so the whole fits maxLength.
 * As in HF's truncate_sequences, when the cut would have to remove all of p (only possible for a
 * maxLength of about 16 or less) nothing is cut and the input exceeds maxLength.
 */
export class EncoderPairInputBuilder implements InputBuilder {
    readonly maxLength: number;
    readonly queryMaxLength: number;
    readonly maxSequenceLength: number;
    private readonly specialCount: number;

    constructor(
        private readonly ids: EncoderPairSpecialIds,
        maxLength: number
    ) {
        this.maxLength = maxLength;
        this.queryMaxLength = Math.floor((maxLength * 3) / 4);
        this.specialCount = 2 + ids.pairSeparator.length;
        const mayRefuseToCut = this.queryMaxLength + this.specialCount >= maxLength;
        this.maxSequenceLength = mayRefuseToCut ? this.queryMaxLength + maxLength + this.specialCount : maxLength;
    }

    /** Query and passage are tokenized on their own (no special tokens), as FlagReranker does. */
    textsToTokenize(query: string, passage: string): TextRequest[] {
        return [
            { text: query, limit: this.queryMaxLength },
            { text: passage, limit: this.maxLength }
        ];
    }

    build(query: string, passage: string, tokensOf: TokenLookup): Int32Array {
        const queryTokens = tokensOf(query).subarray(0, this.queryMaxLength);
        let passageTokens = tokensOf(passage).subarray(0, this.maxLength);
        const excess = queryTokens.length + passageTokens.length + this.specialCount - this.maxLength;
        if (excess > 0 && passageTokens.length > excess) passageTokens = passageTokens.subarray(0, passageTokens.length - excess);
        return concatTokens([Int32Array.of(this.ids.start), queryTokens, Int32Array.from(this.ids.pairSeparator), passageTokens, Int32Array.of(this.ids.end)]);
    }
}

/** Lets a profile name special tokens by text; for building only its own markers, never user text. */
export type SpecialTokenLookup = (text: string) => number;

export function createEncoderPairInputBuilder(lookup: SpecialTokenLookup, profile: EncoderPairProfile, maxLength: number): InputBuilder {
    const ids = { start: lookup(profile.startToken), pairSeparator: profile.pairSeparator.map(lookup), end: lookup(profile.endToken) };
    return profile.truncation === "longest-first" ? new LongestFirstPairInputBuilder(ids, maxLength) : new EncoderPairInputBuilder(ids, maxLength);
}
