/**
 * How a model family turns (query, passage) into tokens and a score. The prompt is part of the
 * model: scoring with another prompt than the one it was trained with silently ruins the scores,
 * so it lives here, next to the format, and not in application code.
 */
type ProfileBase = {
    name: string;
    description: string;
    /** llama.cpp architectures (general.architecture) this profile serves. */
    architectures: string[];
    /** tokenizer.ggml.model values the input builder was written for ("llama" is SentencePiece, "gpt2" BPE). */
    tokenizerModels?: string[];
    /** tokenizer.ggml.pre values it was written for; a file without one counts as "default". */
    tokenizerPre?: string[];
    /** Lower-case fragments of general.name / general.basename that identify the family. */
    nameHints: string[];
    /**
     * Tensor names whose presence identifies the family among profiles of one architecture when no
     * name hint matches (jina-reranker-v2's fused blk.0.attn_qkv.weight in a bert file).
     */
    tensorHints?: string[];
    /** The prompt (FlagEmbedding) or instruction (Qwen3-Reranker) the model was trained with. */
    prompt: string;
    /** Token budget; what it bounds is format-specific. */
    maxLength: number;
    /**
     * "logit": the raw logit of token at the last position (FlagEmbedding's yes_loc).
     * "softmax": exp(l[token]) / (exp(l[token]) + exp(l[against])), a probability.
     * "rank": the classifier head llama.cpp's rank pooling applies (cls.output), its raw logit.
     */
    score: { kind: "logit"; token: string } | { kind: "softmax"; token: string; against: string } | { kind: "rank" };
    /** What `normalize: true` applies to a score. */
    normalize: "sigmoid" | "none";
};

/** FlagEmbedding's decoder-only reranker format (bge-reranker-v2-gemma). */
export type FlagEmbeddingProfile = ProfileBase & {
    format: "flag-embedding";
    queryPrefix: string;
    passagePrefix: string;
    separator: string;
};

/**
 * A chat template around one user message (Qwen3-Reranker). The template's own markers are parsed
 * as special tokens; the user's instruction, query and document never are.
 */
export type ChatTemplateProfile = ProfileBase & {
    format: "chat-template";
    templatePrefix: string;
    /** With {instruction}, {query} and {document}, in that order; {document} ends it. */
    userTemplate: string;
    templateSuffix: string;
    /** Unicode normalization the HF tokenizer applies before BPE (Qwen2's is NFC); llama.cpp applies none. */
    textNormalization?: "NFC";
};

/**
 * A cross-encoder's sentence pair (FlagEmbedding's encoder-only FlagReranker on XLM-RoBERTa):
 * startToken + query + pairSeparator + passage + endToken, the special tokens named by their text.
 */
export type EncoderPairProfile = ProfileBase & {
    format: "encoder-pair";
    startToken: string;
    pairSeparator: string[];
    endToken: string;
    /**
     * How a pair longer than maxLength is cut. "flag-reranker" (default): FlagEmbedding's
     * FlagReranker, the query capped at ⌊¾·maxLength⌋ and the passage cut from its end (HF
     * only_second). "longest-first": one HF fast-tokenizer call on the pair with truncation=True
     * (the Rust tokenizers' LongestFirst), as jina-reranker-v2's compute_score and
     * sentence-transformers' CrossEncoder do.
     */
    truncation?: "flag-reranker" | "longest-first";
};

export type ModelProfile = FlagEmbeddingProfile | ChatTemplateProfile | EncoderPairProfile;
