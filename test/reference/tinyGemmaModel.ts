import { GgufValueType } from "./GgufFile.js";
import { TinyGgufWriter } from "./TinyGgufWriter.js";

/** Shape of a hand-built Gemma GGUF for the self-test; tiny enough to reason about. */
export interface TinyGemmaShape {
    nVocab: number;
    nEmbd: number;
    nLayer: number;
    nHead: number;
    nHeadKv: number;
    headDim: number;
    nFf: number;
    rmsEps?: number;
    ropeBase?: number;
}

export interface TinyTensor {
    dims: number[];
    values: Float64Array;
}

/** Tensor names and ggml dims of a Gemma model, in llama.cpp's naming. */
export function gemmaTensorDims(shape: TinyGemmaShape): Map<string, number[]> {
    const { nVocab, nEmbd, nHead, nHeadKv, headDim, nFf } = shape;
    const dims = new Map<string, number[]>([
        ["token_embd.weight", [nEmbd, nVocab]],
        ["output_norm.weight", [nEmbd]]
    ]);
    for (let l = 0; l < shape.nLayer; l++) {
        dims.set(`blk.${l}.attn_norm.weight`, [nEmbd]);
        dims.set(`blk.${l}.attn_q.weight`, [nEmbd, nHead * headDim]);
        dims.set(`blk.${l}.attn_k.weight`, [nEmbd, nHeadKv * headDim]);
        dims.set(`blk.${l}.attn_v.weight`, [nEmbd, nHeadKv * headDim]);
        dims.set(`blk.${l}.attn_output.weight`, [nHead * headDim, nEmbd]);
        dims.set(`blk.${l}.ffn_norm.weight`, [nEmbd]);
        dims.set(`blk.${l}.ffn_gate.weight`, [nEmbd, nFf]);
        dims.set(`blk.${l}.ffn_up.weight`, [nEmbd, nFf]);
        dims.set(`blk.${l}.ffn_down.weight`, [nFf, nEmbd]);
    }
    return dims;
}

/**
 * Seeded weights quantised to multiples of 1/256 so they are exact in F32 and
 * F16 alike; norms are around 1 (the stored weight includes Gemma's +1).
 */
export function randomGemmaTensors(shape: TinyGemmaShape, seed: number): Map<string, TinyTensor> {
    const random = mulberry32(seed);
    const tensors = new Map<string, TinyTensor>();
    for (const [name, dims] of gemmaTensorDims(shape)) {
        const count = dims.reduce((a, b) => a * b, 1);
        const values = new Float64Array(count);
        const isNorm = dims.length === 1;
        const spread = isNorm ? 0.25 : 1 / Math.sqrt(dims[0]);
        for (let i = 0; i < count; i++) {
            const centred = (isNorm ? 1 : 0) + (random() * 2 - 1) * spread;
            values[i] = Math.round(centred * 256) / 256;
        }
        tensors.set(name, { dims, values });
    }
    return tensors;
}

export function writeGemmaGguf(shape: TinyGemmaShape, tensors: Map<string, TinyTensor>, storage: "f32" | "f16" = "f32"): Uint8Array {
    const writer = new TinyGgufWriter()
        .scalar("general.architecture", GgufValueType.STRING, "gemma")
        .scalar("gemma.embedding_length", GgufValueType.UINT32, shape.nEmbd)
        .scalar("gemma.block_count", GgufValueType.UINT32, shape.nLayer)
        .scalar("gemma.feed_forward_length", GgufValueType.UINT32, shape.nFf)
        .scalar("gemma.attention.head_count", GgufValueType.UINT32, shape.nHead)
        .scalar("gemma.attention.head_count_kv", GgufValueType.UINT32, shape.nHeadKv)
        .scalar("gemma.attention.key_length", GgufValueType.UINT32, shape.headDim)
        .scalar("gemma.attention.value_length", GgufValueType.UINT32, shape.headDim)
        .scalar("gemma.attention.layer_norm_rms_epsilon", GgufValueType.FLOAT32, shape.rmsEps ?? 1e-6)
        .scalar("gemma.rope.freq_base", GgufValueType.FLOAT32, shape.ropeBase ?? 10000);
    for (const [name, { dims, values }] of tensors) {
        if (storage === "f16") writer.tensorF16(name, dims, values);
        else writer.tensorF32(name, dims, values);
    }
    return writer.toBytes();
}

export function mulberry32(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
