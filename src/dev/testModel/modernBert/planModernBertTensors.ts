import { GgmlType } from "../../../gguf/GgmlType.js";
import type { ModernBertShape } from "./ModernBertShape.js";

export type ModernBertTensorSpec = {
    readonly name: string;
    /** ggml order: ne0 (input features of a projection) first. */
    readonly shape: readonly number[];
    readonly type: GgmlType;
    readonly center: number;
    readonly standardDeviation: number;
};

/** What a generated file leaves out or adds, to test the library's refusals. */
export type ModernBertHeadVariant = "classifier" | "none" | "head-bias" | "layer-bias";

const normWeightSpread = 0.1;
const biasSpread = 0.1;
// The classifier reads a LayerNorm's output (order 1 per feature); this gain spreads the logits
// over a few units, as a trained reranker's are.
const outputGain = 1;

/**
 * The tensors llama.cpp's modern-bert loader reads for a converted ModernBertForSequenceClassification
 * (gguf-py tensor_mapping names): no biases anywhere but the classifier's (attention_bias,
 * mlp_bias, norm_bias and classifier_bias are false in gte-reranker-modernbert-base), no
 * attn_norm in layer 0 (HF's nn.Identity), ffn_up of 2·n_ff outputs (Wi: GLU input, then gate), and
 * the head: cls (head.dense), cls.norm (head.norm), cls.output (+ bias, the classifier).
 * "head-bias" adds cls.bias (classifier_bias true), which llama.cpp's loader never reads;
 * "layer-bias" adds blk.0.attn_output.bias (attention_bias true), which its graph never adds.
 */
export function planModernBertTensors(
    shape: ModernBertShape,
    vocabularySize: number,
    weightType: "f32" | "f16",
    head: ModernBertHeadVariant = "classifier"
): ModernBertTensorSpec[] {
    const matrixType = weightType === "f16" ? GgmlType.F16 : GgmlType.F32;
    const { embeddingLength: nEmbd, feedForwardLength: nFf } = shape;
    const matrix = (name: string, inputs: number, outputs: number, gain = 1): ModernBertTensorSpec => ({
        name,
        shape: [inputs, outputs],
        type: matrixType,
        center: 0,
        standardDeviation: gain / Math.sqrt(inputs)
    });
    const vector = (name: string, width: number, center: number, spread: number): ModernBertTensorSpec => ({
        name,
        shape: [width],
        type: GgmlType.F32,
        center,
        standardDeviation: spread
    });
    const norm = (name: string) => vector(`${name}.weight`, nEmbd, 1, normWeightSpread);
    const tensors: ModernBertTensorSpec[] = [{ ...matrix("token_embd.weight", nEmbd, vocabularySize), standardDeviation: 1 }, norm("token_embd_norm")];
    for (let block = 0; block < shape.blockCount; block++) {
        const prefix = `blk.${block}`;
        if (block > 0) tensors.push(norm(`${prefix}.attn_norm`));
        tensors.push(
            matrix(`${prefix}.attn_qkv.weight`, nEmbd, 3 * nEmbd, 2),
            matrix(`${prefix}.attn_output.weight`, nEmbd, nEmbd),
            norm(`${prefix}.ffn_norm`),
            matrix(`${prefix}.ffn_up.weight`, nEmbd, 2 * nFf, 2),
            matrix(`${prefix}.ffn_down.weight`, nFf, nEmbd)
        );
    }
    if (head === "layer-bias") tensors.push(vector("blk.0.attn_output.bias", nEmbd, 0, biasSpread));
    tensors.push(norm("output_norm"));
    if (head === "none") return tensors;
    tensors.push(matrix("cls.weight", nEmbd, nEmbd, 2));
    if (head === "head-bias") tensors.push(vector("cls.bias", nEmbd, 0, biasSpread));
    tensors.push(norm("cls.norm"), matrix("cls.output.weight", nEmbd, 1, outputGain), vector("cls.output.bias", 1, 0, biasSpread));
    return tensors;
}
