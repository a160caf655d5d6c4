import type { GgufFile } from "../GgufFile.js";

/** Qwen3 hyperparameters, read from the `qwen3.*` GGUF keys llama.cpp's converter writes. */
export class Qwen3Config {
    private constructor(
        readonly nEmbd: number,
        readonly nLayer: number,
        readonly nHead: number,
        readonly nHeadKv: number,
        readonly headDim: number,
        readonly nFf: number,
        readonly rmsEps: number,
        readonly ropeBase: number,
        readonly nVocab: number,
    ) {}

    static fromGguf(gguf: GgufFile): Qwen3Config {
        const arch = gguf.string("general.architecture");
        if (arch !== "qwen3") throw new Error(`reference implements architecture "qwen3" only, file is "${arch}"`);
        const key = (name: string) => `qwen3.${name}`;
        const nEmbd = gguf.number(key("embedding_length"));
        const nHead = gguf.number(key("attention.head_count"));
        const headDim = gguf.number(key("attention.key_length"), nEmbd / nHead);
        const valueDim = gguf.number(key("attention.value_length"), headDim);
        // Qwen3 has one head_dim for queries, keys and values, all of it rotated.
        if (valueDim !== headDim) throw new Error(`value_length ${valueDim} != key_length ${headDim}`);
        const ropeDims = gguf.number(key("rope.dimension_count"), headDim);
        if (ropeDims !== headDim) throw new Error(`rope.dimension_count ${ropeDims} != head_dim ${headDim}`);
        const scaling = gguf.get(key("rope.scaling.type"));
        if (scaling !== undefined && scaling !== "none") throw new Error(`RoPE scaling ${String(scaling)} not supported`);
        const nHeadKv = gguf.number(key("attention.head_count_kv"), nHead);
        if (nHead % nHeadKv !== 0) throw new Error(`head_count ${nHead} not a multiple of head_count_kv ${nHeadKv}`);
        if (headDim % 2 !== 0) throw new Error(`head_dim ${headDim} must be even for RoPE`);
        return new Qwen3Config(
            nEmbd,
            gguf.number(key("block_count")),
            nHead,
            nHeadKv,
            headDim,
            gguf.number(key("feed_forward_length")),
            gguf.number(key("attention.layer_norm_rms_epsilon")),
            gguf.number(key("rope.freq_base"), 10000),
            gguf.tensor("token_embd.weight").dims[1],
        );
    }
}
