/**
 * Where llama.cpp's UGM tokenizer (SentencePiece's algorithm) and HF's fast XLM-R tokenizer part
 * ways on the same Unigram vocabulary, each with the exact difference it makes:
 * - a text ending in a space: SentencePiece's remove_extra_whitespaces drops trailing spaces; HF's
 *   " {2,}" → " " normalizer keeps one, which Metaspace turns into a final "▁" token;
 * - a text starting with "▁" (U+2581) itself: llama.cpp prepends its "▁" before it anyway; HF's
 *   Metaspace prepends only when the text does not already start with "▁";
 * - the special tokens' text (<s> </s> <pad> <unk> <mask>): HF matches them as added tokens; the
 *   library tokenizes user text with special-token parsing off, so they stay characters.
 */
export const xlmrSpecialLiterals = ["<s>", "</s>", "<pad>", "<unk>", "<mask>"] as const;

export const xlmrDivergences = {
    trailingSpace: (text: string) => text.endsWith(" "),
    leadingLowerBlock: (text: string) => text.startsWith("\u2581"),
    specialLiteral: (text: string) => xlmrSpecialLiterals.some((literal) => text.includes(literal))
} as const;

export function hasXlmrDivergence(text: string): boolean {
    return Object.values(xlmrDivergences).some((affects) => affects(text));
}
