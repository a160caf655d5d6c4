/** A SentencePiece Unigram vocabulary laid out as XLM-RoBERTa's: specials at 0–3, pieces, <mask> last. */
export type UnigramVocabulary = {
    /** Piece texts; "▁" (U+2581) stands for a space. */
    readonly pieces: readonly string[];
    /** Log-probability of each piece; 0 for the special tokens, as the converter writes them. */
    readonly scores: Float32Array;
    /** llama.cpp's llama_token_type per piece (1 normal, 2 unknown, 3 control). */
    readonly tokenTypes: Int32Array;
    readonly bosTokenId: number;
    readonly paddingTokenId: number;
    readonly eosTokenId: number;
    readonly unknownTokenId: number;
    readonly maskTokenId: number;
};

/** XLM-R's fairseq-aligned special tokens, in id order. */
export const xlmRobertaSpecialTokens = ["<s>", "<pad>", "</s>", "<unk>"] as const;
export const xlmRobertaMaskToken = "<mask>";
