import type { ModelFileSummary } from "../gguf/inspectModelFile.js";

/**
 * Where a text may be cut so that its two sides tokenize independently:
 *
 *     tok(text) = tok(text[0, c)) ++ tok(text[c, end))      for every split point c
 *
 * A split point is a single ASCII space between two ASCII letters ("…word word…"), c the index of
 * the space: the right side starts with " word". Why no token can straddle it, per family:
 *
 * - SentencePiece BPE as llama.cpp runs it (tokenizer model "llama": Gemma). There is no
 *   pre-tokenization; spaces become "▁" and adjacent symbols merge, highest score first, only where
 *   the merged text is itself a vocabulary token. No token of the vocabulary contains an ASCII
 *   letter followed by "▁" or " " (checked on the file at load, else there is no rule), so no
 *   merge ever joins the letter at c-1 to the "▁" at c: both sides' merges are independent, and
 *   the priority order within each side (score, then position) is the same alone as together.
 *   USER_DEFINED tokens that llama.cpp partitions out first (Gemma's runs of 2–31 spaces, "\n"
 *   runs, HTML tags) are vocabulary tokens too, so none spans a letter and a space either; the
 *   library's own split of 32+ space runs (splitLongSpaceRuns) never reaches a single space.
 * - Byte-level BPE with Qwen2's pre-tokenizer (tokenizer model "gpt2", pre "qwen2"). Merges never
 *   cross a pre-token. In the pre-tokenizer's regex a letter run is matched by
 *   `[^\r\n\p{L}\p{N}]?\p{L}+` (or ends a contraction such as "'s"); no alternative can take a
 *   letter and a following space together, so the pre-token holding c-1 ends at c, and " word" at
 *   c begins the next one. The regex has no lookbehind and its one lookahead, `\s+(?!\S)`, matches
 *   whitespace only, so every pre-token left of c is the same whether the text ends at c or not,
 *   and every pre-token right of c is the same whether the text starts at c or not. As a check on
 *   the file, no token contains an ASCII letter followed by "Ġ" (a byte-level space) or " ".
 *
 * Other tokenizers get no rule (texts are then tokenized whole): Unigram ("t5": XLM-R) normalizes
 * through a precompiled character map matched longest-first over bytes and collapses whitespace
 * runs, so whether a cut changes the normalized prefix depends on a trie this module cannot read
 * from the vocabulary; WordPiece and other pre-tokenizers are not in use by any profile.
 *
 * Besides the split points, a token never covers more than `maxTokenChars` UTF-16 code units of
 * the text: a SentencePiece token's text maps to the input 1:1 ("▁" for " "), a byte-level token's
 * text has one character per UTF-8 byte (never fewer than the UTF-16 units of those bytes), and a
 * byte-fallback token covers less than one character.
 */
export type TextSplitRule = {
    family: "sentencepiece-bpe" | "byte-level-bpe";
    /** The longest token text of the vocabulary, in UTF-16 code units (at least 2). */
    maxTokenChars: number;
};

const space = 0x20;

function isAsciiLetter(code: number): boolean {
    return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** The rule for the file's tokenizer, or why there is none. */
export function textSplitRuleFor(summary: Pick<ModelFileSummary, "tokenizer" | "tokens">): { rule: TextSplitRule } | { rule: undefined; reason: string } {
    const { model, pre } = summary.tokenizer;
    let family: TextSplitRule["family"];
    let joinsLetterToSpace: RegExp;
    if (model === "llama") {
        family = "sentencepiece-bpe";
        joinsLetterToSpace = /[A-Za-z][ \u2581]/;
    } else if (model === "gpt2" && pre === "qwen2") {
        family = "byte-level-bpe";
        joinsLetterToSpace = /[A-Za-z][ \u0120]/;
    } else {
        return { rule: undefined, reason: `no split rule is proven for tokenizer ${model}${pre ? ` (pre-tokenizer ${pre})` : ""}` };
    }
    let maxTokenChars = 2;
    for (const token of summary.tokens) {
        if (joinsLetterToSpace.test(token)) return { rule: undefined, reason: `token ${JSON.stringify(token)} joins a letter to a space` };
        if (token.length > maxTokenChars) maxTokenChars = token.length;
    }
    return { rule: { family, maxTokenChars } };
}

/** Whether text may be split at c (see TextSplitRule): text[c] is a space between two ASCII letters. */
export function isSplitPoint(text: string, c: number): boolean {
    return c > 0 && c + 1 < text.length && text.charCodeAt(c) === space && isAsciiLetter(text.charCodeAt(c - 1)) && isAsciiLetter(text.charCodeAt(c + 1));
}

/** The first split point at or after `from`, or undefined. */
export function nextSplitPoint(text: string, from: number): number | undefined {
    for (let c = text.indexOf(" ", Math.max(1, from)); c !== -1; c = text.indexOf(" ", c + 1)) {
        if (isSplitPoint(text, c)) return c;
    }
    return undefined;
}
