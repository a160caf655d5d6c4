import { describe, expect, it } from "vitest";
import { GgufFile, GgufValueType } from "../../reference/GgufFile.js";
import { Qwen2Reference } from "../../reference/qwen2/Qwen2Reference.js";
import { TinyGgufWriter } from "../../reference/TinyGgufWriter.js";

// One layer, n_embd 4, two query heads of 2 over one KV head, vocabulary of 3. RoPE base 10000 on a
// head of 2 has one frequency, 1: position p turns each (x0, x1) pair by p radians. Every stored
// value is exact in F32, and the RMSNorm epsilon is the smallest normal F32 so that norms of
// unit-RMS vectors are 1 to the last bit.
const nEmbd = 4;
const identity4 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
const ones = (n: number) => Array<number>(n).fill(1);
const zeros = (n: number) => Array<number>(n).fill(0);

type Weights = { q: number[]; qBias: number[]; k: number[]; kBias: number[]; v: number[]; vBias: number[] };

/** A qwen2 GGUF with the given attention weights, attn_output the identity and an MLP whose gate is zero (it adds nothing). */
function qwen2(weights: Weights, omit?: string): GgufFile {
    const writer = new TinyGgufWriter()
        .scalar("general.architecture", GgufValueType.STRING, "qwen2")
        .scalar("qwen2.embedding_length", GgufValueType.UINT32, nEmbd)
        .scalar("qwen2.block_count", GgufValueType.UINT32, 1)
        .scalar("qwen2.feed_forward_length", GgufValueType.UINT32, 2)
        .scalar("qwen2.attention.head_count", GgufValueType.UINT32, 2)
        .scalar("qwen2.attention.head_count_kv", GgufValueType.UINT32, 1)
        .scalar("qwen2.attention.layer_norm_rms_epsilon", GgufValueType.FLOAT32, 1.1754943508222875e-38)
        .scalar("qwen2.rope.freq_base", GgufValueType.FLOAT32, 10000);
    const tensors: [string, number[], number[]][] = [
        // rows: [1,1,1,1], [2,0,0,0], [0,2,0,0]: each of RMS 1
        ["token_embd.weight", [nEmbd, 3], [1, 1, 1, 1, 2, 0, 0, 0, 0, 2, 0, 0]],
        ["output_norm.weight", [nEmbd], ones(nEmbd)],
        ["blk.0.attn_norm.weight", [nEmbd], ones(nEmbd)],
        ["blk.0.attn_q.weight", [nEmbd, 4], weights.q],
        ["blk.0.attn_q.bias", [4], weights.qBias],
        ["blk.0.attn_k.weight", [nEmbd, 2], weights.k],
        ["blk.0.attn_k.bias", [2], weights.kBias],
        ["blk.0.attn_v.weight", [nEmbd, 2], weights.v],
        ["blk.0.attn_v.bias", [2], weights.vBias],
        ["blk.0.attn_output.weight", [4, nEmbd], identity4],
        ["blk.0.ffn_norm.weight", [nEmbd], ones(nEmbd)],
        ["blk.0.ffn_gate.weight", [nEmbd, 2], zeros(8)],
        ["blk.0.ffn_up.weight", [nEmbd, 2], ones(8)],
        ["blk.0.ffn_down.weight", [2, nEmbd], ones(8)]
    ];
    for (const [name, dims, values] of tensors) if (name !== omit) writer.tensorF32(name, dims, values);
    return GgufFile.fromBytes(writer.toBytes());
}

const rms = (x: number[]) => Math.sqrt(x.reduce((sum, v) => sum + v * v, 0) / x.length);
const normalized = (x: number[]) => x.map((v) => v / rms(x));
const closeTo = (actual: ArrayLike<number>, expected: number[]) => expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, 12));

describe("Qwen2Reference against hand computations", () => {
    it("adds the value bias: one token attends to itself, so each head outputs W_v·x + b_v", () => {
        const vBias = [0.5, -0.25];
        const weights = { q: zeros(16), qBias: zeros(4), k: zeros(8), kBias: zeros(2), v: zeros(8), vBias };
        // both query heads read KV head 0: attention output [0.5, -0.25, 0.5, -0.25], through attn_output = I
        const hidden = [1.5, 0.75, 1.5, 0.75];
        closeTo(new Qwen2Reference(qwen2(weights)).lastHidden([0]), normalized(hidden));
        closeTo(new Qwen2Reference(qwen2(weights)).lastLogits([0], [1, 2]), [2 * normalized(hidden)[0]!, 2 * normalized(hidden)[1]!]);
        closeTo(new Qwen2Reference(qwen2(weights), { withoutBiases: true }).lastHidden([0]), [1, 1, 1, 1]);
    });

    it("adds the query and key biases before RoPE, per head, with both query heads on the one KV head", () => {
        // W_q = W_k = 0: queries and keys are their biases, turned by RoPE at their positions
        const qBias = [0.75, -0.5, -1, 0.25];
        const kBias = [1.5, 0.5];
        // v = x[0..1] per position: token 1 gives [2, 0], token 2 gives [0, 2]
        const v = [1, 0, 0, 0, 0, 1, 0, 0];
        const reference = new Qwen2Reference(qwen2({ q: zeros(16), qBias, k: zeros(8), kBias, v, vBias: [0, 0] }));

        const turn = ([x0, x1]: number[], angle: number) => [x0! * Math.cos(angle) - x1! * Math.sin(angle), x0! * Math.sin(angle) + x1! * Math.cos(angle)];
        const dot = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);
        const keys = [turn(kBias, 0), turn(kBias, 1)];
        const head = (h: number) => {
            const query = turn(qBias.slice(2 * h, 2 * h + 2), 1); // the last token is at position 1
            const scores = keys.map((key) => dot(query, key) / Math.sqrt(2));
            const weights = scores.map((score) => Math.exp(score) / (Math.exp(scores[0]!) + Math.exp(scores[1]!)));
            return [2 * weights[0]!, 2 * weights[1]!];
        };
        const hidden = [0, 2, 0, 0].map((x, i) => x + [...head(0), ...head(1)][i]!);
        closeTo(reference.lastHidden([1, 2]), normalized(hidden));
        // the two heads' biases differ, so their attention does: a shared or swapped bias would show
        expect(Math.abs(head(0)[0]! - head(1)[0]!)).toBeGreaterThan(0.1);
    });

    it("refuses a file without a q/k/v bias rather than compute another model", () => {
        const weights = { q: zeros(16), qBias: zeros(4), k: zeros(8), kBias: zeros(2), v: zeros(8), vBias: zeros(2) };
        expect(() => new Qwen2Reference(qwen2(weights, "blk.0.attn_k.bias"))).toThrow(/blk.0.attn_k.bias/);
    });
});
