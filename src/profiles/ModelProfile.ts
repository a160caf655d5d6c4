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
     * "logit-difference": l[token] - l[against] (mxbai-rerank-v2's score; its sigmoid is the softmax).
     * "rank": the classifier head llama.cpp's rank pooling applies (cls.output), its raw logit.
     */
    score:
        | { kind: "logit"; token: string }
        | { kind: "softmax"; token: string; against: string }
        | { kind: "logit-difference"; token: string; against: string }
        | { kind: "rank" };
    /** What `normalize: true` applies to a score. */
    normalize: "sigmoid" | "none";
    /** With normalize "sigmoid": the normalized score is sigmoid(score / temperature) (zerank's 5). Default 1. */
    temperature?: number;
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

/**
 * Any causal-LM reranker, described as data (docs/profiles.md): a template with {query},
 * {document} and optionally {instruction}, how it is tokenized and cut, and which logits score it.
 * Built-in profiles and users' profile files alike; TemplateInputBuilder builds its input.
 */
export type TemplateProfile = ProfileBase & {
    format: "template";
    /**
     * The input, as one string or as parts. The template's own text is parsed for the model's
     * control tokens (<|im_start|>, <bos>); the texts put in for {query}, {document} and
     * {instruction} never are.
     */
    template: string | string[];
    /**
     * "joined": the parts are concatenated and the whole is tokenized as one text, as HF's
     * tokenizer(formatted) does (only control tokens separate pieces). "parts": each part is
     * tokenized on its own and the ids are concatenated (FlagEmbedding, mxbai-rerank, the
     * Qwen3-Reranker card's prefix + tokenizer(message) + suffix).
     */
    tokenize: "joined" | "parts";
    /** Start the input with the model's BOS token (FlagEmbedding's [bos]). Default false. */
    bos?: boolean;
    /**
     * What {instruction} stands for when the instruction is not empty, itself holding
     * {instruction}; an empty instruction then puts in nothing (mxbai-rerank's optional
     * "instruction: …\n"). Without it {instruction} is the instruction as it is.
     */
    instructionTemplate?: string;
    truncation: TemplateTruncation;
    /** Unicode normalization the HF tokenizer applies before BPE (Qwen2's is NFC); llama.cpp applies none. */
    textNormalization?: "NFC";
    /** Strip whitespace from both ends of the query and the document, as Python's str.strip() does. */
    stripWhitespace?: boolean;
    /** Cut the query and the document to this many characters (Unicode code points, as Python slices) first. */
    maxCharacters?: { query?: number; document?: number };
};

/**
 * How a template's input is kept within maxLength. The part holding {document} (in "joined"
 * mode: the run of text between control tokens that holds it) must end with {document}; it is cut
 * from its end, first to maxLength tokens, then to fit `budget`.
 */
export type TemplateTruncation = {
    /**
     * The part holding {query} (it must end with {query} and not hold {document}) is cut to
     * ⌊queryShare·maxLength⌋ tokens (FlagEmbedding's and mxbai's 3/4). Without it the query is
     * never cut, and a query that leaves no room for the document is an error.
     */
    queryShare?: number;
    /**
     * "input": the whole input, BOS and template included, fits maxLength (Qwen3-Reranker's card).
     * "query-to-document": BOS and the parts from the query's through the document's fit
     *   maxLength (mxbai's prepare_for_model(query, sep + document, max_length)).
     * "query-to-document+tail": the same, with maxLength raised by the tokens after the
     *   document's part (FlagEmbedding's encode_max_length = max_length + len(sep) + len(prompt)).
     */
    budget: "input" | "query-to-document" | "query-to-document+tail";
};

export type ModelProfile = FlagEmbeddingProfile | ChatTemplateProfile | EncoderPairProfile | TemplateProfile;
