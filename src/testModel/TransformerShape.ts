/**
 * The hyperparameters a generated decoder-only model (Gemma 1 or Qwen3) is written from, as the
 * `<architecture>.*` GGUF keys name them. headDim stands apart because Qwen3's need not be
 * embeddingLength / headCount; Gemma's is written to its own key too.
 */
export type TransformerShape = {
    readonly embeddingLength: number;
    readonly blockCount: number;
    readonly headCount: number;
    readonly headCountKv: number;
    readonly headDim: number;
    readonly feedForwardLength: number;
    readonly contextLength: number;
    readonly rmsNormEpsilon: number;
    readonly ropeFreqBase: number;
};
