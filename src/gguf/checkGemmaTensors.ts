import type { GgufTensorInfo } from "node-llama-cpp";
import { InvalidModelFileError } from "../errors/errors.js";

function positiveInteger(path: string, hparams: Record<string, unknown>, key: string, fallback?: number): number {
    const value = hparams[key] ?? fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
        throw new InvalidModelFileError(path, `gemma.${key} must be a positive integer, found ${String(value)}`);
    }
    return value;
}

/**
 * The shapes llama.cpp's gemma graph expects, derived from the hyper-parameters. llama.cpp checks
 * shapes too, but zero or inconsistent head counts reach integer divisions first.
 */
export function checkGemmaTensors(path: string, hparams: Record<string, unknown>, tensors: GgufTensorInfo[], vocabularySize: number): void {
    const attention = (hparams.attention ?? {}) as Record<string, unknown>;
    const embedding = positiveInteger(path, hparams, "embedding_length");
    const layers = positiveInteger(path, hparams, "block_count");
    const feedForward = positiveInteger(path, hparams, "feed_forward_length");
    const heads = positiveInteger(path, attention, "head_count");
    const kvHeads = positiveInteger(path, attention, "head_count_kv", heads);
    const headDim = positiveInteger(path, attention, "key_length", embedding / heads);
    if (heads % kvHeads !== 0) throw new InvalidModelFileError(path, `head_count ${heads} is not a multiple of head_count_kv ${kvHeads}`);

    const expected = new Map<string, number[]>([
        ["token_embd.weight", [embedding, vocabularySize]],
        ["output_norm.weight", [embedding]]
    ]);
    for (let layer = 0; layer < layers; layer++) {
        const block = `blk.${layer}.`;
        expected.set(`${block}attn_norm.weight`, [embedding]);
        expected.set(`${block}attn_q.weight`, [embedding, heads * headDim]);
        expected.set(`${block}attn_k.weight`, [embedding, kvHeads * headDim]);
        expected.set(`${block}attn_v.weight`, [embedding, kvHeads * headDim]);
        expected.set(`${block}attn_output.weight`, [heads * headDim, embedding]);
        expected.set(`${block}ffn_norm.weight`, [embedding]);
        expected.set(`${block}ffn_gate.weight`, [embedding, feedForward]);
        expected.set(`${block}ffn_up.weight`, [embedding, feedForward]);
        expected.set(`${block}ffn_down.weight`, [feedForward, embedding]);
    }
    const byName = new Map(tensors.map((tensor) => [tensor.name, tensor.dimensions.map(Number)]));
    for (const [name, shape] of expected) {
        const actual = byName.get(name);
        if (!actual) throw new InvalidModelFileError(path, `tensor ${name} is missing`);
        if (actual.length !== shape.length || actual.some((dimension, i) => dimension !== shape[i])) {
            throw new InvalidModelFileError(path, `tensor ${name} has shape [${actual.join(", ")}], expected [${shape.join(", ")}]`);
        }
    }
}
