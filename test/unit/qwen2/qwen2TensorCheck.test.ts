import { describe, expect, it } from "vitest";
import { InvalidModelFileError } from "../../../src/errors/errors.js";
import { checkTransformerTensors } from "../../../src/gguf/checkTransformerTensors.js";
import type { GgufTensorInfo } from "../../../src/gguf/readGgufHeader.js";

// A Qwen2.5-0.5B-like layout shrunk: n_embd 8, 2 heads of 4 over 1 KV head, one layer
const metadata = { embedding_length: 8, block_count: 1, feed_forward_length: 12, attention: { head_count: 2, head_count_kv: 1 } };
const vocabulary = 10;

function tensors(overrides: Record<string, number[] | undefined> = {}): GgufTensorInfo[] {
    const shapes: Record<string, number[] | undefined> = {
        "token_embd.weight": [8, vocabulary],
        "output_norm.weight": [8],
        "blk.0.attn_norm.weight": [8],
        "blk.0.attn_q.weight": [8, 8],
        "blk.0.attn_q.bias": [8],
        "blk.0.attn_k.weight": [8, 4],
        "blk.0.attn_k.bias": [4],
        "blk.0.attn_v.weight": [8, 4],
        "blk.0.attn_v.bias": [4],
        "blk.0.attn_output.weight": [8, 8],
        "blk.0.ffn_norm.weight": [8],
        "blk.0.ffn_gate.weight": [8, 12],
        "blk.0.ffn_up.weight": [8, 12],
        "blk.0.ffn_down.weight": [12, 8],
        ...overrides
    };
    return Object.entries(shapes)
        .filter((entry): entry is [string, number[]] => entry[1] !== undefined)
        .map(([name, dimensions]) => ({ name, dimensions, ggmlType: 0, offset: 0 }));
}

const check =
    (list: GgufTensorInfo[], hparams: Record<string, unknown> = metadata) =>
    () =>
        checkTransformerTensors("model.gguf", "qwen2", hparams, list, vocabulary);

describe("checkTransformerTensors for qwen2 (mxbai-rerank-v2)", () => {
    it("accepts the converter's layout, tied or with an output.weight of its own", () => {
        expect(check(tensors())).not.toThrow();
        expect(check(tensors({ "output.weight": [8, vocabulary] }))).not.toThrow();
    });

    it("accepts a file without the biases, as qwen2.cpp loads them as optional tensors", () => {
        expect(check(tensors({ "blk.0.attn_q.bias": undefined, "blk.0.attn_k.bias": undefined, "blk.0.attn_v.bias": undefined }))).not.toThrow();
    });

    it("refuses a key bias sized for all query heads instead of the KV heads", () => {
        expect(check(tensors({ "blk.0.attn_k.bias": [8] }))).toThrow(
            new InvalidModelFileError("model.gguf", "tensor blk.0.attn_k.bias has shape [8], expected [4]")
        );
    });

    it("still requires the weights of every projection", () => {
        expect(check(tensors({ "blk.0.attn_v.weight": undefined }))).toThrow(new InvalidModelFileError("model.gguf", "tensor blk.0.attn_v.weight is missing"));
    });

    it("refuses a rope.dimension_count other than the head size (qwen2.cpp: GGML_ASSERT(n_embd_head == n_rot))", () => {
        expect(check(tensors(), { ...metadata, rope: { dimension_count: 2 } })).toThrow(/qwen2.rope.dimension_count 2 differs from the head size 4/);
    });
});
