/** The hyperparameters of a generated XLM-RoBERTa model, as `bert.*` GGUF keys name them. */
export type BertShape = {
    readonly embeddingLength: number;
    readonly blockCount: number;
    readonly headCount: number;
    readonly feedForwardLength: number;
    /** bert.context_length: max_position_embeddings less the 2 rows the converter drops. */
    readonly contextLength: number;
    readonly layerNormEpsilon: number;
    /** type_vocab_size: XLM-R has one token type. */
    readonly tokenTypeCount: number;
};

/** XLM-R's layout (post-LayerNorm, 4× FFN, 514 - 2 positions, eps 1e-5) at a width that runs in milliseconds. */
export const bertTinyShape: BertShape = {
    embeddingLength: 64,
    blockCount: 2,
    headCount: 4,
    feedForwardLength: 256,
    contextLength: 512,
    layerNormEpsilon: 1e-5,
    tokenTypeCount: 1
};

/** bge-reranker-v2-m3's layer (XLM-R large: n_embd 1024, 16 heads, n_ff 4096), 2 of its 24: realistic per-token cost for benchmarks. */
export const bertBenchShape: BertShape = { ...bertTinyShape, embeddingLength: 1024, headCount: 16, feedForwardLength: 4096 };

/** jina-reranker-v2-base-multilingual's positions (max_position_embeddings 1026 − 2) on the tiny width. */
export const jinaRerankerV2TinyShape: BertShape = { ...bertTinyShape, contextLength: 1024 };
