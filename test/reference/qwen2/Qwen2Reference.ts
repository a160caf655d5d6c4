import { CheckedTensors } from "../CheckedTensors.js";
import { addGatedFeedForward, addSelfAttention, loadDecoderLayerWeights, type DecoderLayerWeights } from "../decoderBlocks.js";
import { RopeDecoderReference } from "../RopeDecoderReference.js";
import { GgufFile } from "../GgufFile.js";
import { OutputHead } from "../OutputHead.js";
import { silu } from "../qwen3/Qwen3Reference.js";
import { TransformerConfig } from "../TransformerConfig.js";
import { applyNeoxRope } from "../transformerMath.js";

/** Qwen2's attention projections q, k and v carry biases. */
interface Qwen2LayerWeights extends DecoderLayerWeights {
    qBias: Float64Array;
    kBias: Float64Array;
    vBias: Float64Array;
}

export type Qwen2ReferenceOptions = {
    /**
     * Compute as if the q/k/v biases were zero: another model than the file's, which tests use to
     * show that the biases move the scores by far more than the tolerance.
     */
    readonly withoutBiases?: boolean;
};

/**
 * Float64 Qwen2 forward pass written from the model's definition (HF modeling_qwen2, Qwen2ForCausalLM):
 * unscaled embeddings; RMSNorm with the stored weight as is; q, k and v projections with biases,
 * no QK-norm; NEOX RoPE over the whole head; grouped-query causal attention scaled by
 * 1/sqrt(head_dim), head_dim = hidden_size / num_attention_heads; SwiGLU MLP without biases; final
 * norm and an output projection tied to token_embd unless the file has output.weight. It reads the
 * GGUF with its own reader and shares no code with llama.cpp, so tests can hold llama.cpp's logits
 * against it.
 */
export class Qwen2Reference extends RopeDecoderReference<Qwen2LayerWeights> {
    static open(path: string, options: Qwen2ReferenceOptions = {}): Qwen2Reference {
        return new Qwen2Reference(GgufFile.open(path), options);
    }

    constructor(gguf: GgufFile, options: Qwen2ReferenceOptions = {}) {
        const config = TransformerConfig.fromGguf(gguf, "qwen2");
        const { nEmbd, nHead, nHeadKv, headDim } = config;
        // Qwen2 has no head_dim of its own: queries, keys and values are n_embd / n_head wide.
        if (headDim * nHead !== nEmbd) throw new Error(`key_length ${headDim} × head_count ${nHead} != n_embd ${nEmbd}`);
        if (config.valueDim !== headDim) throw new Error(`value_length ${config.valueDim} != key_length ${headDim}`);
        const tensors = new CheckedTensors(gguf);
        super(gguf, config, OutputHead.load(gguf, tensors, config));
        for (let l = 0; l < config.nLayer; l++) {
            const bias = (suffix: string, width: number) => {
                const values = tensors.load(`blk.${l}.${suffix}.bias`, [width]);
                return options.withoutBiases === true ? values.fill(0) : values;
            };
            this.layers.push({
                ...loadDecoderLayerWeights(tensors, l, config),
                qBias: bias("attn_q", nHead * headDim),
                kBias: bias("attn_k", nHeadKv * headDim),
                vBias: bias("attn_v", nHeadKv * headDim)
            });
        }
        tensors.rejectUnused("Qwen2");
    }

    protected runLayer(w: Qwen2LayerWeights, hidden: Float64Array, n: number, firstOutput: number): void {
        const { headDim } = this.config;
        // the biases are added by addSelfAttention, before RoPE rotates each query and key head
        addSelfAttention(w, hidden, n, firstOutput, this.config, (vector, offset, position) =>
            applyNeoxRope(vector, offset, headDim, position, this.inverseFrequencies)
        );
        addGatedFeedForward(w, hidden, n, firstOutput, this.config, silu);
    }
}
