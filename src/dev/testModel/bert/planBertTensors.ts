import { GgmlType } from "../../../gguf/GgmlType.js";
import type { BertShape } from "./BertShape.js";

export type BertTensorSpec = {
    readonly name: string;
    /** ggml order: ne0 (input features of a projection) first. */
    readonly shape: readonly number[];
    readonly type: GgmlType;
    readonly center: number;
    readonly standardDeviation: number;
};

// Spread of LayerNorm weights around 1, and of every bias around 0: biases are non-zero so a
// reference that forgot one would disagree.
const normWeightSpread = 0.1;
const biasSpread = 0.1;
// The classifier's out_proj reads tanh outputs in (-1, 1); this gain spreads the logits over a few
// units, as a trained reranker's are, instead of bunching them near 0.
const outputGain = 4;

/**
 * The tensors llama.cpp's `bert` loader reads for a converted XLMRobertaForSequenceClassification
 * (conversion/bert.py names and shapes), with the RoBERTa classification head: cls (classifier.dense)
 * and cls.output (classifier.out_proj, 1 label). Projections ~ 1/sqrt(inputs), so every branch's
 * output stays of order 1 before its LayerNorm.
 */
export function planBertTensors(
    shape: BertShape,
    vocabularySize: number,
    weightType: "f32" | "f16",
    labels = 1,
    attention: "separate" | "fused-qkv" = "separate"
): BertTensorSpec[] {
    const matrixType = weightType === "f16" ? GgmlType.F16 : GgmlType.F32;
    const { embeddingLength: nEmbd, feedForwardLength: nFf } = shape;
    const matrix = (name: string, inputs: number, outputs: number, gain = 1): BertTensorSpec => ({
        name,
        shape: [inputs, outputs],
        type: matrixType,
        center: 0,
        standardDeviation: gain / Math.sqrt(inputs)
    });
    const vector = (name: string, width: number, center: number, spread: number): BertTensorSpec => ({
        name,
        shape: [width],
        type: GgmlType.F32,
        center,
        standardDeviation: spread
    });
    const norm = (name: string) => [vector(`${name}.weight`, nEmbd, 1, normWeightSpread), vector(`${name}.bias`, nEmbd, 0, biasSpread)];
    const linear = (name: string, inputs: number, outputs: number, gain = 1) => [
        matrix(`${name}.weight`, inputs, outputs, gain),
        vector(`${name}.bias`, outputs, 0, biasSpread)
    ];

    const tensors: BertTensorSpec[] = [
        { ...matrix("token_embd.weight", nEmbd, vocabularySize), standardDeviation: 1 },
        { ...matrix("token_types.weight", nEmbd, shape.tokenTypeCount), standardDeviation: 0.5 },
        { ...matrix("position_embd.weight", nEmbd, shape.contextLength), standardDeviation: 0.5 },
        ...norm("token_embd_norm")
    ];
    for (let block = 0; block < shape.blockCount; block++) {
        const prefix = `blk.${block}`;
        // jina-reranker-v2's flash implementation keeps Q, K and V in one mixer.Wqkv, which the
        // converter writes as attn_qkv: 3·n_embd outputs, Q's rows first, then K's, then V's
        if (attention === "fused-qkv") tensors.push(...linear(`${prefix}.attn_qkv`, nEmbd, 3 * nEmbd, 2));
        else
            tensors.push(
                ...linear(`${prefix}.attn_q`, nEmbd, nEmbd, 2),
                ...linear(`${prefix}.attn_k`, nEmbd, nEmbd, 2),
                ...linear(`${prefix}.attn_v`, nEmbd, nEmbd)
            );
        tensors.push(
            ...linear(`${prefix}.attn_output`, nEmbd, nEmbd),
            ...norm(`${prefix}.attn_output_norm`),
            ...linear(`${prefix}.ffn_up`, nEmbd, nFf, 2),
            ...linear(`${prefix}.ffn_down`, nFf, nEmbd),
            ...norm(`${prefix}.layer_output_norm`)
        );
    }
    // labels 0: no classification head, as an embedding model (XLMRobertaModel) converts
    if (labels > 0) tensors.push(...linear("cls", nEmbd, nEmbd, 2), ...linear("cls.output", nEmbd, labels, outputGain));
    return tensors;
}
