import { GgmlType } from "../gguf/GgmlType.js";
import { matrixGgmlType, type TestModelWeightType } from "./commonMetadata.js";
import type { GemmaShape } from "./TestModelPreset.js";

/** One tensor of a test model and the distribution its seeded values are drawn from. */
export type TestTensorSpec = {
    readonly name: string;
    /** ggml order: ne0 (input features of a projection) first. */
    readonly shape: readonly number[];
    readonly type: GgmlType;
    readonly center: number;
    readonly standardDeviation: number;
};

export type TestWeightOptions = {
    readonly weightType: TestModelWeightType;
    readonly weightScale: number;
};

// Sharpens attention (query·key logits of standard deviation ~2 instead of ~1), so the
// last position's state depends on a few specific earlier tokens rather than on a
// near-uniform average that washes out the differences between inputs.
const queryGain = 2;
// Spread of the RMSNorm weights around 1 (stored with Gemma's +1 already folded in).
const normWeightSpread = 0.1;

/**
 * The tensors llama.cpp's `gemma` loader requires, with variances chosen so that every
 * residual branch adds an order-1 contribution to an order-1 residual stream:
 * - token_embd ~ 1/sqrt(n_embd): the graph multiplies embeddings by sqrt(n_embd), giving
 *   unit-RMS inputs, and the tied output projection gives logits of standard deviation ~1
 *   (the final RMSNorm output has unit RMS), so logit differences are order 1.
 * - projections reading a normalized (unit-RMS) vector of width n ~ 1/sqrt(n): unit outputs.
 * weightScale multiplies all projection matrices (not the embeddings or norms): the
 * RMSNorms undo most of it, but intermediate activations grow like weightScale^2..3,
 * which is how tests provoke F16 overflow.
 */
export function planGemmaTensors(shape: GemmaShape, vocabularySize: number, options: TestWeightOptions): TestTensorSpec[] {
    const matrixType = matrixGgmlType(options.weightType);
    const { embeddingLength: nEmbd, feedForwardLength: nFf, headDim } = shape;
    const nQ = shape.headCount * headDim;
    const nKv = shape.headCountKv * headDim;
    const projection = (name: string, inputs: number, outputs: number, gain: number = 1): TestTensorSpec => ({
        name,
        shape: [inputs, outputs],
        type: matrixType,
        center: 0,
        standardDeviation: (options.weightScale * gain) / Math.sqrt(inputs)
    });
    // norms stay F32 in F16 and BF16 models too, as llama.cpp's converters keep 1-D tensors in F32
    const norm = (name: string): TestTensorSpec => ({
        name,
        shape: [nEmbd],
        type: GgmlType.F32,
        center: 1,
        standardDeviation: normWeightSpread
    });

    const tensors: TestTensorSpec[] = [
        {
            name: "token_embd.weight",
            shape: [nEmbd, vocabularySize],
            type: matrixType,
            center: 0,
            standardDeviation: 1 / Math.sqrt(nEmbd)
        }
    ];

    for (let block = 0; block < shape.blockCount; block++) {
        const prefix = `blk.${block}`;
        tensors.push(
            norm(`${prefix}.attn_norm.weight`),
            projection(`${prefix}.attn_q.weight`, nEmbd, nQ, queryGain),
            projection(`${prefix}.attn_k.weight`, nEmbd, nKv),
            projection(`${prefix}.attn_v.weight`, nEmbd, nKv),
            projection(`${prefix}.attn_output.weight`, nQ, nEmbd),
            norm(`${prefix}.ffn_norm.weight`),
            projection(`${prefix}.ffn_gate.weight`, nEmbd, nFf),
            projection(`${prefix}.ffn_up.weight`, nEmbd, nFf),
            projection(`${prefix}.ffn_down.weight`, nFf, nEmbd)
        );
    }

    // no output.weight: Gemma ties the output projection to token_embd
    tensors.push(norm("output_norm.weight"));
    return tensors;
}
