import { concatTokens, type InputBuilder, type TokenLookup } from "./InputBuilder.js";
import type { EncoderPairSpecialIds } from "./EncoderPairInputBuilder.js";
import type { TextRequest } from "./TextTokenizer.js";

/**
 * The token ids one Hugging Face fast-tokenizer call gives a cross-encoder for a pair,
 * `tokenizer(query, passage, truncation=True, max_length=maxLength)`: what jina-reranker-v2's
 * compute_score (modeling_xlm_roberta.py) and sentence-transformers' CrossEncoder feed the model.
 * The layout is start + query + pairSeparator + passage + end (XLM-R's post-processor); truncation
 * is the Rust tokenizers' LongestFirst (tokenizers/src/utils/truncation.rs) over the budget left
 * after the special tokens, m = maxLength − specials, with n1 the shorter text's length:
 *   n1 + n2 ≤ m                 → nothing is cut;
 *   n1 ≤ m and n1 + max(n1, m − n1) ≤ m → the longer text keeps m − n1;
 *   otherwise                   → the shorter keeps ⌊m/2⌋ and the longer ⌊m/2⌋ + m mod 2;
 * every cut from the text's end. (transformers' Python "slow" tokenizers cut one token at a time
 * and differ by one token at odd budgets; these models ship tokenizer.json, i.e. the fast path.)
 */
export class LongestFirstPairInputBuilder implements InputBuilder {
    readonly maxLength: number;
    readonly maxSequenceLength: number;
    private readonly budget: number;

    constructor(
        private readonly ids: EncoderPairSpecialIds,
        maxLength: number
    ) {
        const specialCount = 2 + ids.pairSeparator.length;
        this.maxLength = maxLength;
        this.budget = Math.max(0, maxLength - specialCount);
        this.maxSequenceLength = Math.max(maxLength, specialCount);
    }

    // Whole texts: when both exceed the budget, which one is the shorter decides who keeps the odd
    // token, and that needs both full lengths.
    textsToTokenize(query: string, passage: string): TextRequest[] {
        return [{ text: query }, { text: passage }];
    }

    build(query: string, passage: string, tokensOf: TokenLookup): Int32Array {
        const first = tokensOf(query);
        const second = tokensOf(passage);
        const [keepFirst, keepSecond] = longestFirstLengths(first.length, second.length, this.budget);
        return concatTokens([
            Int32Array.of(this.ids.start),
            first.subarray(0, keepFirst),
            Int32Array.from(this.ids.pairSeparator),
            second.subarray(0, keepSecond),
            Int32Array.of(this.ids.end)
        ]);
    }
}

/** How many ids of each text LongestFirst keeps within `budget` (see the class comment). */
export function longestFirstLengths(firstLength: number, secondLength: number, budget: number): [number, number] {
    if (firstLength + secondLength <= budget) return [firstLength, secondLength];
    const swapped = firstLength > secondLength;
    let shorter = Math.min(firstLength, secondLength);
    let longer = shorter > budget ? shorter : Math.max(shorter, budget - shorter);
    if (shorter + longer > budget) {
        shorter = Math.floor(budget / 2);
        longer = shorter + (budget % 2);
    }
    return swapped ? [longer, shorter] : [shorter, longer];
}
