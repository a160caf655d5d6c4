import { GgmlType } from "../gguf/GgmlType.js";
import { matrixGgmlType, type TestModelWeightType } from "./commonMetadata.js";
import type { Qwen3TensorSpec as TensorSpec, UniformValues } from "./Qwen3TensorSpec.js";
import type { TransformerShape } from "./TransformerShape.js";

export const uniform = (center: number, standardDeviation: number): UniformValues => ({ kind: "uniform", center, standardDeviation });

/** How a decoder's tensors are made: matrices in the file's type, 1-D tensors in F32 (as the converter keeps them). */
export type TensorMakers = {
    matrixType: GgmlType;
    /** A projection reading a unit-RMS vector of width `inputs`: values ~ gain/sqrt(inputs). */
    projection: (name: string, inputs: number, outputs: number, gain?: number) => TensorSpec;
    vector: (name: string, width: number, values: UniformValues) => TensorSpec;
};

export function tensorMakers(weightType: TestModelWeightType): TensorMakers {
    const matrixType = matrixGgmlType(weightType);
    return {
        matrixType,
        projection: (name, inputs, outputs, gain = 1) => ({ name, shape: [inputs, outputs], type: matrixType, values: uniform(0, gain / Math.sqrt(inputs)) }),
        vector: (name, width, values) => ({ name, shape: [width], type: GgmlType.F32, values })
    };
}

/**
 * The tensors every llama.cpp RoPE decoder of the Qwen family reads, in convert_hf_to_gguf.py's
 * order: token_embd ~ embeddingGain/sqrt(n_embd) (the tied output projection reads the final
 * norm's unit-RMS output, so logits have standard deviation ~embeddingGain), then per block
 * attn_norm, the architecture's own query/key/value tensors (`attention`), attn_output, ffn_norm
 * and the gated FFN, then output_norm. No output.weight: the output is tied to token_embd.
 */
export function planRopeDecoderTensors(
    shape: TransformerShape,
    make: TensorMakers,
    options: { vocabularySize: number; embeddingGain: number; normWeightSpread: number; attention: (prefix: string) => TensorSpec[] }
): TensorSpec[] {
    const { embeddingLength: nEmbd, feedForwardLength: nFf } = shape;
    const nQ = shape.headCount * shape.headDim;
    const norm = (name: string, width: number) => make.vector(name, width, uniform(1, options.normWeightSpread));
    const tensors: TensorSpec[] = [
        {
            name: "token_embd.weight",
            shape: [nEmbd, options.vocabularySize],
            type: make.matrixType,
            values: uniform(0, options.embeddingGain / Math.sqrt(nEmbd))
        }
    ];
    for (let block = 0; block < shape.blockCount; block++) {
        const prefix = `blk.${block}`;
        tensors.push(
            norm(`${prefix}.attn_norm.weight`, nEmbd),
            ...options.attention(prefix),
            make.projection(`${prefix}.attn_output.weight`, nQ, nEmbd),
            norm(`${prefix}.ffn_norm.weight`, nEmbd),
            make.projection(`${prefix}.ffn_gate.weight`, nEmbd, nFf),
            make.projection(`${prefix}.ffn_up.weight`, nEmbd, nFf),
            make.projection(`${prefix}.ffn_down.weight`, nFf, nEmbd)
        );
    }
    tensors.push(norm("output_norm.weight", nEmbd));
    return tensors;
}
