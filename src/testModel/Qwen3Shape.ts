import type { TransformerShape } from "./TransformerShape.js";

/** The hyperparameters of a generated Qwen3 model, as `qwen3.*` GGUF keys name them. */
export type Qwen3Shape = TransformerShape;

/**
 * Small enough to generate and run in a second, yet with every Qwen3 trait: grouped-query
 * attention (2 query heads per KV head), head_dim set apart from n_embd / n_head by its own key,
 * and Qwen3-0.6B's context length, RoPE base and RMSNorm epsilon.
 */
export const qwen3TinyShape: Qwen3Shape = {
    embeddingLength: 64,
    blockCount: 2,
    headCount: 4,
    headCountKv: 2,
    headDim: 16,
    feedForwardLength: 192,
    contextLength: 40960,
    rmsNormEpsilon: 1e-6,
    ropeFreqBase: 1_000_000
};

/**
 * Qwen3-Reranker-0.6B's shape (its config.json, as Qwen3-0.6B's): 28 layers, n_embd 1024, 16 query
 * heads over 8 KV heads of head_dim 128, n_ff 3072; with its 151,669-token tied embedding, about
 * 0.6 billion parameters (2.4 GB of F32 matrices). The desktop bench preset.
 */
export const qwen3RerankerShape: Qwen3Shape = {
    embeddingLength: 1024,
    blockCount: 28,
    headCount: 16,
    headCountKv: 8,
    headDim: 128,
    feedForwardLength: 3072,
    contextLength: 40960,
    rmsNormEpsilon: 1e-6,
    ropeFreqBase: 1_000_000
};
