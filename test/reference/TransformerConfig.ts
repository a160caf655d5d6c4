import type { GgufFile } from "./GgufFile.js";

/**
 * The hyperparameters of a Gemma-1 or Qwen3 file, read from the `<architecture>.*` GGUF keys
 * llama.cpp's converter writes: both name and default them alike. Each reference checks on top
 * what its own architecture demands.
 */
export class TransformerConfig {
    private constructor(
        readonly nEmbd: number,
        readonly nLayer: number,
        readonly nHead: number,
        readonly nHeadKv: number,
        readonly headDim: number,
        readonly valueDim: number,
        readonly nFf: number,
        readonly rmsEps: number,
        readonly ropeBase: number,
        readonly nVocab: number
    ) {}

    static fromGguf(gguf: GgufFile, architecture: string): TransformerConfig {
        const arch = gguf.string("general.architecture");
        if (arch !== architecture) throw new Error(`reference implements architecture "${architecture}" only, file is "${arch}"`);
        const key = (name: string) => `${architecture}.${name}`;
        const nEmbd = gguf.number(key("embedding_length"));
        const nHead = gguf.number(key("attention.head_count"));
        const headDim = gguf.number(key("attention.key_length"), nEmbd / nHead);
        const ropeDims = gguf.number(key("rope.dimension_count"), headDim);
        // Both rotate the whole head; a partial rotary width would be a different model.
        if (ropeDims !== headDim) throw new Error(`rope.dimension_count ${ropeDims} != head_dim ${headDim}`);
        const scaling = gguf.get(key("rope.scaling.type"));
        if (scaling !== undefined && scaling !== "none") throw new Error(`RoPE scaling ${String(scaling)} not supported`);
        const nHeadKv = gguf.number(key("attention.head_count_kv"), nHead);
        if (nHead % nHeadKv !== 0) throw new Error(`head_count ${nHead} not a multiple of head_count_kv ${nHeadKv}`);
        if (headDim % 2 !== 0) throw new Error(`head_dim ${headDim} must be even for RoPE`);
        return new TransformerConfig(
            nEmbd,
            gguf.number(key("block_count")),
            nHead,
            nHeadKv,
            headDim,
            gguf.number(key("attention.value_length"), headDim),
            gguf.number(key("feed_forward_length")),
            gguf.number(key("attention.layer_norm_rms_epsilon")),
            gguf.number(key("rope.freq_base"), 10000),
            gguf.tensor("token_embd.weight").dims[1]
        );
    }
}
