import type { TestModelWeightType } from "../../../testModel/commonMetadata.js";
import { planRopeDecoderTensors, tensorMakers, uniform } from "../../../testModel/planRopeDecoderTensors.js";
import type { Qwen3TensorSpec as TensorSpec } from "../../../testModel/Qwen3TensorSpec.js";
import type { Qwen2Shape } from "./Qwen2Shape.js";

export type Qwen2TensorOptions = {
    readonly weightType: TestModelWeightType;
    readonly vocabularySize: number;
};

// Spread of the RMSNorm weights around 1.
const normWeightSpread = 0.1;
// Qwen2's q_proj, k_proj and v_proj carry biases (o_proj and the MLP none). Trained Qwen2 models
// have large key biases; these are of the order of the projected values (~1), so that a bias
// llama.cpp dropped or applied twice moves every score visibly.
const attentionBiasSpread = 0.5;
// token_embd ~ embeddingGain/sqrt(n_embd): the tied output projection reads the final norm's
// unit-RMS output, so logits have standard deviation ~embeddingGain (see planQwen3Tensors).
const embeddingGain = 1;
// Multiplies the query projection: without QK-norm, query·key/sqrt(head_dim) of unit-variance
// heads has standard deviation ~1, a near-uniform average over the template's ~90 tokens;
// a gain of 2 sharpens attention the way Qwen3's test model does with its q_norm weights.
const queryGain = 2;

/**
 * The tensors llama.cpp's `qwen2` loader reads, as convert_hf_to_gguf.py (Qwen2Model, the plain
 * TextModel tensor mapping) names and shapes them, with variances that keep every residual branch's
 * output of order 1: a projection reading a normalized (unit-RMS) vector of width n ~ 1/sqrt(n).
 */
export function planQwen2Tensors(shape: Qwen2Shape, options: Qwen2TensorOptions): TensorSpec[] {
    const make = tensorMakers(options.weightType);
    const { embeddingLength: nEmbd, headDim } = shape;
    const nQ = shape.headCount * headDim;
    const nKv = shape.headCountKv * headDim;
    if (nQ !== nEmbd) throw new RangeError(`Qwen2 needs head_count × head_dim = n_embd, got ${shape.headCount} × ${headDim} != ${nEmbd}`);
    const bias = (name: string, width: number) => make.vector(name, width, uniform(0, attentionBiasSpread));
    // No output.weight: Qwen2.5-0.5B and -1.5B, and so mxbai-rerank-base-v2 and -large-v2, tie the
    // output projection to the embeddings (no lm_head in their safetensors), and llama.cpp's qwen2
    // loader then projects through token_embd.
    return planRopeDecoderTensors(shape, make, {
        vocabularySize: options.vocabularySize,
        embeddingGain,
        normWeightSpread,
        attention: (prefix) => [
            make.projection(`${prefix}.attn_q.weight`, nEmbd, nQ, queryGain),
            bias(`${prefix}.attn_q.bias`, nQ),
            make.projection(`${prefix}.attn_k.weight`, nEmbd, nKv),
            bias(`${prefix}.attn_k.bias`, nKv),
            make.projection(`${prefix}.attn_v.weight`, nEmbd, nKv),
            bias(`${prefix}.attn_v.bias`, nKv)
        ]
    });
}
