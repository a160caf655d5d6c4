import type { TransformerShape } from "../../../testModel/TransformerShape.js";

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
