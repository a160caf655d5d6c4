import type { TransformerShape } from "../../../testModel/TransformerShape.js";

/** The hyperparameters of a generated Qwen2 model, as `qwen2.*` GGUF keys name them. */
export type Qwen2Shape = TransformerShape;

/**
 * Small enough to generate and run in a second, yet with every Qwen2 trait: grouped-query attention
 * (2 query heads per KV head), head_dim = n_embd / n_head (Qwen2's config has no head_dim, and
 * llama.cpp's qwen2 loader sizes attn_q and attn_output as n_embd × n_embd), and Qwen2.5-0.5B's
 * (mxbai-rerank-base-v2's) context length, RoPE base and RMSNorm epsilon.
 */
export const qwen2TinyShape: Qwen2Shape = {
    embeddingLength: 64,
    blockCount: 2,
    headCount: 4,
    headCountKv: 2,
    headDim: 16,
    feedForwardLength: 192,
    contextLength: 32768,
    rmsNormEpsilon: 1e-6,
    ropeFreqBase: 1_000_000
};
