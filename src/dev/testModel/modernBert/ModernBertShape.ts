/** The hyperparameters of a generated ModernBERT sequence classifier, as `modern-bert.*` GGUF keys name them. */
export type ModernBertShape = {
    readonly embeddingLength: number;
    readonly blockCount: number;
    readonly headCount: number;
    /** intermediate_size: Wi (ffn_up) has twice as many outputs, the GLU's input and gate halves. */
    readonly feedForwardLength: number;
    /** max_position_embeddings: RoPE has no table, so it costs nothing. */
    readonly contextLength: number;
    readonly layerNormEpsilon: number;
    /** local_attention: the whole window; a token sees those within half of it on either side. */
    readonly slidingWindow: number;
    /** global_attn_every_n_layers: layers 0, n, 2n, ... attend globally. */
    readonly slidingWindowPattern: number;
    /** global_rope_theta and local_rope_theta. */
    readonly ropeFreqBase: number;
    readonly ropeFreqBaseSwa: number;
};

/**
 * gte-reranker-modernbert-base's layout (local_attention 128, a global layer every 3, thetas 160,000
 * and 10,000, eps 1e-5, 8192 positions) at a width that runs in milliseconds; 4 layers, so both
 * kinds of layer appear and layer 3 is global again.
 */
export const modernBertTinyShape: ModernBertShape = {
    embeddingLength: 64,
    blockCount: 4,
    headCount: 4,
    feedForwardLength: 96,
    contextLength: 8192,
    layerNormEpsilon: 1e-5,
    slidingWindow: 128,
    slidingWindowPattern: 3,
    ropeFreqBase: 160_000,
    ropeFreqBaseSwa: 10_000
};
