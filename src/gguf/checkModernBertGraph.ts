import { UnsupportedModelError } from "../errors/errors.js";
import type { GgufTensorInfo } from "./readGgufHeader.js";

/**
 * hidden_activation values whose GLU llama.cpp builds as HF does (act(Wi's first half) · second
 * half): llm_ffn_op_type_from_string maps "gelu" to GEGLU and "silu"/"swish" to SWIGLU. It maps
 * "relu" to a plain RELU, which has no gate and half the inputs ffn_down expects, and any other
 * name silently to GEGLU.
 */
const servedActivations = ["gelu", "silu", "swish"];

/**
 * What llama.cpp's modern-bert graph (src/models/modern-bert.cpp) leaves out of HF's ModernBERT,
 * checked before llama.cpp sees the file: it reads no bias on attention, MLP or LayerNorms
 * (attention_bias, mlp_bias and norm_bias false, as in gte-reranker-modernbert-base), so a file
 * with one is refused by its loader or computed without it; and its FFN must be a GLU it builds.
 * The head is checked with the rank head (readRankHead).
 */
export function checkModernBertGraph(path: string, hparams: Record<string, unknown>, tensors: readonly GgufTensorInfo[]): void {
    const biases = tensors
        .map((tensor) => tensor.name)
        .filter((name) => (name.endsWith(".bias") && name.startsWith("blk.")) || /^(token_embd_norm|output_norm|cls\.norm)\.bias$/.test(name));
    if (biases.length > 0)
        throw new UnsupportedModelError(
            `${path} is a ModernBERT with biases in its layers (${biases.slice(0, 3).join(", ")}${biases.length > 3 ? ", ..." : ""}: attention_bias, mlp_bias or norm_bias true); llama.cpp's modern-bert graph has none, so it would not compute this model`
        );
    const activation = hparams.hidden_activation;
    if (activation !== undefined && !servedActivations.includes(String(activation)))
        throw new UnsupportedModelError(
            `${path} is a ModernBERT with hidden_activation "${String(activation)}"; llama.cpp builds ModernBERT's gated FFN only for ${servedActivations.map((name) => `"${name}"`).join(", ")} (it reads "relu" as an ungated ReLU and any other name as GELU)`
        );
}
