import type { TransformerShape } from "./TransformerShape.js";

export type TestModelPresetName = "tiny" | "mid" | "bench";

/** The Gemma 1 hyperparameters a test model is generated from. */
export type GemmaShape = TransformerShape;

const gemmaDefaults = {
    contextLength: 8192,
    rmsNormEpsilon: 1e-6,
    ropeFreqBase: 10000
} as const;

export const testModelPresets: Readonly<Record<TestModelPresetName, GemmaShape>> = {
    // fast to write and to run: unit tests
    tiny: {
        ...gemmaDefaults,
        embeddingLength: 64,
        blockCount: 2,
        headCount: 4,
        headCountKv: 1,
        headDim: 16,
        feedForwardLength: 256
    },
    // grouped-query attention (2 query heads per KV head) and a wider head, still small
    mid: {
        ...gemmaDefaults,
        embeddingLength: 256,
        blockCount: 4,
        headCount: 4,
        headCountKv: 2,
        headDim: 64,
        feedForwardLength: 1024
    },
    // gemma-2b layer width (multi-query, head_dim 256, n_ff 16384) with only 2 layers: realistic per-token cost for benchmarks
    bench: {
        ...gemmaDefaults,
        embeddingLength: 2048,
        blockCount: 2,
        headCount: 8,
        headCountKv: 1,
        headDim: 256,
        feedForwardLength: 16384
    }
};
