import { CheckedTensors } from "../CheckedTensors.js";
import { addGatedFeedForward, addSelfAttention, loadDecoderLayerWeights, type DecoderLayerWeights } from "../decoderBlocks.js";
import { RopeDecoderReference } from "../RopeDecoderReference.js";
import { GgufFile } from "../GgufFile.js";
import { OutputHead } from "../OutputHead.js";
import { TransformerConfig } from "../TransformerConfig.js";
import { applyNeoxRope, rmsNorm } from "../transformerMath.js";

/** Qwen3 adds a per-head RMSNorm weight for queries and for keys (QK-norm). */
interface Qwen3LayerWeights extends DecoderLayerWeights {
    qNorm: Float64Array;
    kNorm: Float64Array;
}

/**
 * Float64 Qwen3 forward pass written from the model's definition (HF modeling_qwen3): unscaled
 * embeddings; RMSNorm with the stored weight as is; per-head RMSNorm of queries and keys before
 * NEOX RoPE; grouped-query causal attention scaled by 1/sqrt(head_dim); SwiGLU MLP; final norm
 * and an output projection tied to token_embd unless the file has output.weight. It shares no
 * code with llama.cpp, so tests can hold llama.cpp's logits against it.
 */
export class Qwen3Reference extends RopeDecoderReference<Qwen3LayerWeights> {
    static open(path: string): Qwen3Reference {
        return new Qwen3Reference(GgufFile.open(path));
    }

    constructor(gguf: GgufFile) {
        const config = TransformerConfig.fromGguf(gguf, "qwen3");
        // Qwen3 has one head_dim for queries, keys and values, all of it rotated.
        if (config.valueDim !== config.headDim) throw new Error(`value_length ${config.valueDim} != key_length ${config.headDim}`);
        const { nEmbd, headDim } = config;
        const tensors = new CheckedTensors(gguf);
        super(gguf, config, OutputHead.load(gguf, tensors, config));
        // The converter's Qwen3-Reranker head: llama.cpp applies it only when pooling embeddings,
        // never to the logits this reference computes. Its shape is still checked.
        if (gguf.hasTensor("cls.output.weight")) tensors.checkDims("cls.output.weight", [nEmbd, gguf.tensor("cls.output.weight").dims[1]]);
        for (let l = 0; l < config.nLayer; l++) {
            const name = (suffix: string) => `blk.${l}.${suffix}.weight`;
            this.layers.push({
                ...loadDecoderLayerWeights(tensors, l, config),
                qNorm: tensors.load(name("attn_q_norm"), [headDim]),
                kNorm: tensors.load(name("attn_k_norm"), [headDim])
            });
        }
        tensors.rejectUnused("Qwen3");
    }

    protected runLayer(w: Qwen3LayerWeights, hidden: Float64Array, n: number, firstOutput: number): void {
        const { headDim, rmsEps } = this.config;
        // Qwen3's QK-norm: every query and key head is RMS-normalized on its own, then rotated.
        addSelfAttention(w, hidden, n, firstOutput, this.config, (vector, offset, position, role) => {
            rmsNorm(vector, offset, headDim, role === "query" ? w.qNorm : w.kNorm, rmsEps, vector, offset);
            applyNeoxRope(vector, offset, headDim, position, this.inverseFrequencies);
        });
        addGatedFeedForward(w, hidden, n, firstOutput, this.config, silu);
    }
}

/** x * sigmoid(x): the "silu" hidden_act of Qwen3's MLP. */
export function silu(x: number): number {
    return x / (1 + Math.exp(-x));
}
