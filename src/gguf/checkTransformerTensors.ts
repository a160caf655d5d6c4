import { InvalidModelFileError } from "../errors/errors.js";
import { checkAttentionHeads } from "./checkHyperparameters.js";
import type { GgufTensorInfo } from "./readGgufHeader.js";

function positiveInteger(path: string, architecture: string, hparams: Record<string, unknown>, key: string, fallback?: number): number {
    const value = hparams[key] ?? fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
        throw new InvalidModelFileError(path, `${architecture}.${key} must be a positive integer, found ${String(value)}`);
    }
    return value;
}

/**
 * Architectures whose graphs the library checks tensor by tensor, all decoder-only transformers:
 * the tensors each layer has beyond the common ones (names after `blk.N.`), and those llama.cpp
 * loads when present (checked then).
 */
type LayerTensors = (headDim: number, heads: number, kvHeads: number) => { required: [string, number[]][]; optional: [string, number[]][] };
const extraLayerTensors: Record<string, LayerTensors> = {
    gemma: () => ({ required: [], optional: [] }),
    // qwen2.cpp loads q/k/v biases as optional; Qwen2 models (mxbai-rerank-v2) have them
    qwen2: (headDim, heads, kvHeads) => ({
        required: [],
        optional: [
            ["attn_q.bias", [heads * headDim]],
            ["attn_k.bias", [kvHeads * headDim]],
            ["attn_v.bias", [kvHeads * headDim]]
        ]
    }),
    // Qwen3 normalizes each head's queries and keys.
    qwen3: (headDim) => ({
        required: [
            ["attn_q_norm.weight", [headDim]],
            ["attn_k_norm.weight", [headDim]]
        ],
        optional: []
    })
};

export function isCheckedArchitecture(architecture: string): boolean {
    return architecture in extraLayerTensors;
}

/**
 * The shapes llama.cpp's graph for the architecture expects, derived from the hyper-parameters.
 * llama.cpp checks shapes too, but zero or inconsistent head counts reach integer divisions first.
 */
export function checkTransformerTensors(
    path: string,
    architecture: string,
    metadata: Record<string, unknown>,
    tensors: readonly GgufTensorInfo[],
    vocabularySize: number
): void {
    const extras = extraLayerTensors[architecture];
    if (!extras) return;
    const attention = (metadata.attention ?? {}) as Record<string, unknown>;
    const at = (key: string, fallback?: number) => positiveInteger(path, architecture, metadata, key, fallback);
    const embedding = at("embedding_length");
    const layers = at("block_count");
    const feedForward = at("feed_forward_length");
    const heads = positiveInteger(path, architecture, attention, "head_count");
    const kvHeads = positiveInteger(path, architecture, attention, "head_count_kv", heads);
    const headDim = positiveInteger(path, architecture, attention, "key_length", embedding / heads);
    if (heads % kvHeads !== 0) throw new InvalidModelFileError(path, `head_count ${heads} is not a multiple of head_count_kv ${kvHeads}`);
    checkAttentionHeads(path, architecture, metadata, headDim);

    const expected = new Map<string, number[]>([
        ["token_embd.weight", [embedding, vocabularySize]],
        ["output_norm.weight", [embedding]]
    ]);
    const byName = new Map(tensors.map((tensor) => [tensor.name, tensor.dimensions.map(Number)]));
    const optional = new Map<string, number[]>(byName.has("output.weight") ? [["output.weight", [embedding, vocabularySize]]] : []);
    const extra = extras(headDim, heads, kvHeads);
    for (let layer = 0; layer < layers; layer++) {
        const block = `blk.${layer}.`;
        const layerTensors: [string, number[]][] = [
            ["attn_norm.weight", [embedding]],
            ["attn_q.weight", [embedding, heads * headDim]],
            ["attn_k.weight", [embedding, kvHeads * headDim]],
            ["attn_v.weight", [embedding, kvHeads * headDim]],
            ["attn_output.weight", [heads * headDim, embedding]],
            ["ffn_norm.weight", [embedding]],
            ["ffn_gate.weight", [embedding, feedForward]],
            ["ffn_up.weight", [embedding, feedForward]],
            ["ffn_down.weight", [feedForward, embedding]],
            ...extra.required
        ];
        for (const [name, shape] of layerTensors) expected.set(`${block}${name}`, shape);
        for (const [name, shape] of extra.optional) if (byName.has(`${block}${name}`)) optional.set(`${block}${name}`, shape);
    }
    for (const [name, shape] of [...expected, ...optional]) {
        const actual = byName.get(name);
        if (!actual) throw new InvalidModelFileError(path, `tensor ${name} is missing`);
        if (actual.length !== shape.length || actual.some((dimension, i) => dimension !== shape[i])) {
            throw new InvalidModelFileError(path, `tensor ${name} has shape [${actual.join(", ")}], expected [${shape.join(", ")}]`);
        }
    }
}
