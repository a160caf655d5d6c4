import type { TransformerShape } from "./TransformerShape.js";

export type TestModelPresetName = "tiny" | "mid" | "bench" | "gemma-2b";

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
    },
    // bge-reranker-v2-gemma's shape (gemma-2b): 18 layers; with a 256,000-token vocabulary (the real
    // one, or the bench's synthetic one of the same size), about 10 GB in F32. For GPU sizing (llm-rerank
    // bench --preset gemma-2b --sweep); the writer generates it chunk by chunk, never holding a tensor,
    // let alone the file, in memory.
    "gemma-2b": {
        ...gemmaDefaults,
        embeddingLength: 2048,
        blockCount: 18,
        headCount: 8,
        headCountKv: 1,
        headDim: 256,
        feedForwardLength: 16384
    }
};
