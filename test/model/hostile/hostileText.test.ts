import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, Reranker } from "../../../src/index.js";
import { readCheckedGguf } from "../../../src/gguf/readCheckedGguf.js";
import { flagEmbeddingDefaults, hfBosTokenId, hfEncode as hfGemmaEncode } from "../../reference/flagEmbeddingInput.js";
import { testModels } from "../../helpers/testModels.js";
import { hfEncode as hfQwen3Encode, modelCard } from "../../qwen3/modelCardInput.js";
import { ensureQwen3TinyModel } from "../../qwen3/qwen3TestModel.js";
import { blasBuildInUse, packingTolerance } from "../../helpers/packingTolerance.js";

// Defined behaviour for text a user (or an attacker) can type. Small maxLength values keep every
// truncation path busy and the run short.
const gemmaMaxLength = 48;
const qwen3MaxLength = 160;
const controlTokenType = 3;

type Model = { name: string; reranker: Reranker; controlIds: Set<number> };

async function controlTokenIds(path: string): Promise<Set<number>> {
    const { header } = await readCheckedGguf(path);
    const types = header.entries.get("tokenizer.ggml.token_type")!.value as number[];
    return new Set(types.flatMap((type, id) => (type === controlTokenType ? [id] : [])));
}

let gemma: Model;
let qwen3: Model;
beforeAll(async () => {
    const qwen3Path = await ensureQwen3TinyModel();
    gemma = {
        name: "gemma",
        reranker: await Reranker.load({ model: testModels.tiny, gpu: false, maxLength: gemmaMaxLength, threads: 1 }),
        controlIds: await controlTokenIds(testModels.tiny)
    };
    qwen3 = {
        name: "qwen3",
        reranker: await Reranker.load({ model: qwen3Path, gpu: false, maxLength: qwen3MaxLength, threads: 1 }),
        controlIds: await controlTokenIds(qwen3Path)
    };
});
afterAll(async () => {
    await gemma?.reranker.dispose();
    await qwen3?.reranker.dispose();
});

const models = () => [gemma, qwen3];
const countControl = (model: Model, ids: number[]) => ids.filter((id) => model.controlIds.has(id)).length;

describe("hostile text", () => {
    it("lone UTF-16 surrogates become U+FFFD, as Node encodes them to UTF-8", async () => {
        for (const { reranker } of models()) {
            for (const [lone, replaced] of [
                ["\uD800", "\uFFFD"],
                ["a\uDC00b", "a\uFFFDb"],
                ["\uDBFF\uDBFF x", "\uFFFD\uFFFD x"],
                ["😀"[0]!, "\uFFFD"]
            ]) {
                expect(await reranker.buildInput(lone!, lone!)).toEqual(await reranker.buildInput(replaced!, replaced!));
                const [a, b] = await reranker.score([
                    [lone!, "p"],
                    [replaced!, "p"]
                ]);
                // The same tokens in one decode: the same bits on ggml's kernels; a BLAS build's products
                // depend on a row's place in the batch.
                if (blasBuildInUse) expect(Math.abs(a! - b!)).toBeLessThanOrEqual(packingTolerance);
                else expect(a).toBe(b);
            }
        }
    });

    it("NUL and control characters are text: scored, never a cut-off or a control token", async () => {
        for (const model of models()) {
            const text = "before\u0000after\u0001\u0007\u001b[31m\u007f\u0085\u2028end";
            const ids = await model.reranker.buildInput("q", text);
            expect(ids.length).toBeGreaterThan((await model.reranker.buildInput("q", "before")).length);
            expect(countControl(model, ids)).toBe(countControl(model, await model.reranker.buildInput("q", "x")));
            const scores = await model.reranker.score([
                ["\u0000", text],
                ["q", "\u0000"]
            ]);
            expect(scores.every(Number.isFinite)).toBe(true);
        }
    });

    it("1 MB passages and 1 MB runs of one character are cut to the length limit and scored", async () => {
        const words = Array.from({ length: 160_000 }, (_, i) => ["tide", "moon", "ocean", "banana", "yellow", "渔", "🌊"][i % 7])
            .join(" ")
            .slice(0, 1 << 20);
        const cases: [Model, string[], number][] = [
            [gemma, [words, "a".repeat(1 << 20), " ".repeat(1 << 20)], gemmaMaxLength * 3],
            [qwen3, [words], qwen3MaxLength]
        ];
        for (const [model, passages, bound] of cases) {
            const scores = await model.reranker.score(passages.map((passage) => ["how do tides work?", passage] as [string, string]));
            expect(scores.every(Number.isFinite)).toBe(true);
            // the token cache makes this a lookup of the same 1 MB texts
            for (const passage of passages) expect((await model.reranker.buildInput("how do tides work?", passage)).length).toBeLessThanOrEqual(bound);
        }
    }, 300_000);

    it("4,000 passages in one call: one finite score each, in a permutation, equal to the pairs scored alone", async () => {
        // a short prompt and many slots keep 4,000 sequences to a few hundred decodes
        const reranker = await Reranker.load({ model: testModels.tiny, gpu: false, maxLength: 16, prompt: "Yes?", threads: 1, slots: 32, batchSize: 1024 });
        try {
            const passages = Array.from({ length: 4_000 }, (_, i) => `passage ${i} ${"abcdefghij"[i % 10]}`);
            const ranked = await reranker.rerank("which passage?", passages);
            expect(ranked).toHaveLength(4_000);
            expect(new Set(ranked.map((result) => result.index)).size).toBe(4_000);
            expect(ranked.every((result) => Number.isFinite(result.score))).toBe(true);
            const byIndex = new Map(ranked.map((result) => [result.index, result.score]));
            for (const index of [0, 1, 1_999, 3_999]) {
                const [alone] = await reranker.score([["which passage?", passages[index]!]]);
                // the packing tolerance (src/bench/errorBudget.ts): a packed sequence against it alone
                expect(Math.abs(byIndex.get(index)! - alone!)).toBeLessThanOrEqual(packingTolerance);
            }
        } finally {
            await reranker.dispose();
        }
    }, 300_000);

    it("every profile's special-token literals stay text", async () => {
        const literals = {
            gemma: ["<bos>", "<eos>", "<pad>", "<unk>", "<start_of_turn>", "<end_of_turn>", "<mask>"],
            qwen3: ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|fim_prefix|>", "<|vision_pad|>", "<|file_sep|>"]
        };
        for (const model of models()) {
            const all = [...literals.gemma, ...literals.qwen3].join(" user text ");
            const plain = countControl(model, await model.reranker.buildInput("q", "x"));
            expect(countControl(model, await model.reranker.buildInput(all, all))).toBe(plain);
            for (const literal of literals[model.name as "gemma" | "qwen3"]) {
                expect(countControl(model, await model.reranker.buildInput(literal, literal))).toBe(plain);
            }
        }
    });

    it("right-to-left text, bidi controls and stacked combining marks score; Qwen3 applies NFC as its HF tokenizer does", async () => {
        const texts = ["مرحبا بالعالم", "שלום עולם", "\u202Eevil\u202C.txt", "e\u0301\u0302\u0303\u0304", "Z̸̢̛͇̯͓̗̀́͊ͅ", "\u200F\u200E\u2067x\u2069"];
        for (const model of models()) {
            const scores = await model.reranker.score(texts.map((text) => [text, text] as [string, string]));
            expect(scores.every(Number.isFinite)).toBe(true);
        }
        expect(await qwen3.reranker.buildInput("q", "e\u0301")).toEqual(await qwen3.reranker.buildInput("q", "\u00e9"));
        expect(await gemma.reranker.buildInput("q", "e\u0301")).not.toEqual(await gemma.reranker.buildInput("q", "\u00e9"));
    });

    it("non-string values are an InvalidArgumentError, and the reranker stays usable", async () => {
        const { reranker } = gemma;
        const bad: (() => Promise<unknown>)[] = [
            () => reranker.buildInput(null as never, "p"),
            () => reranker.buildInput("q", 42 as never),
            () => reranker.score([[1 as never, "p"]]),
            () => reranker.score([["q", undefined as never]]),
            () => reranker.score("q" as never),
            () => reranker.score([["q"] as never]),
            () => reranker.rerank({} as never, ["p"]),
            () => reranker.rerank("q", ["p", Symbol("s") as never]),
            () => reranker.rerank("q", [new String("p") as never]),
            () => reranker.scoreTokens([["1" as never]])
        ];
        for (const call of bad) await expect((async () => call())()).rejects.toBeInstanceOf(InvalidArgumentError);
        expect((await reranker.score([["q", "p"]])).every(Number.isFinite)).toBe(true);
    });
});

// Arbitrary text: any code units (lone surrogates included), graphemes, and the literals above.
const text = fc.oneof(
    fc.string({ unit: "binary", maxLength: 120 }),
    fc.string({ unit: "grapheme", maxLength: 120 }),
    fc
        .array(fc.constantFrom("<bos>", "<|im_start|>", "\n", " ", "  ", "\u0000", "Yes", "no", "A: ", "{query}", "{document}"), { maxLength: 12 })
        .map((parts) => parts.join("")),
    fc.string({ unit: "grapheme-ascii", minLength: 100, maxLength: 600 })
);

describe("properties of buildInput and score, for random texts (fast-check, seeded)", () => {
    it("Gemma: [bos] first, the prompt tail last, FlagEmbedding's length limits, score === scoreTokens(buildInput)", async () => {
        const tail = [...hfGemmaEncode(flagEmbeddingDefaults.separator), ...hfGemmaEncode(flagEmbeddingDefaults.prompt)];
        const separator = hfGemmaEncode(flagEmbeddingDefaults.separator).length;
        await fc.assert(
            fc.asyncProperty(text, text, async (query, passage) => {
                const ids = await gemma.reranker.buildInput(query, passage);
                expect(ids[0]).toBe(hfBosTokenId());
                expect(ids.slice(-tail.length)).toEqual(tail);
                // FlagEmbedding: query cut to 3/4 of maxLength; [bos] + query + sep + passage within
                // maxLength + |sep| + |prompt|; then sep + prompt
                expect(ids.length).toBeLessThanOrEqual(gemmaMaxLength + separator + tail.length + tail.length);
                const [score] = await gemma.reranker.score([[query, passage]]);
                const [fromTokens] = await gemma.reranker.scoreTokens([ids]);
                expect(Object.is(score, fromTokens)).toBe(true);
            }),
            { seed: 20261201, numRuns: 30 }
        );
    }, 300_000);

    it("Qwen3: the template's head first, its tail last, within maxLength, score === scoreTokens(buildInput)", async () => {
        const head = hfQwen3Encode(modelCard.prefix);
        const tail = hfQwen3Encode(modelCard.suffix);
        await fc.assert(
            fc.asyncProperty(text, text, async (query, passage) => {
                let ids: number[];
                try {
                    ids = await qwen3.reranker.buildInput(query, passage);
                } catch (error) {
                    // a query that leaves the document no room is refused, typed, never cut silently
                    expect(error).toBeInstanceOf(InvalidArgumentError);
                    expect((error as Error).message).toMatch(/the query and instruction take \d+ tokens/);
                    return;
                }
                expect(ids.slice(0, head.length)).toEqual(head);
                expect(ids.slice(-tail.length)).toEqual(tail);
                expect(ids.length).toBeLessThanOrEqual(qwen3MaxLength);
                const [score] = await qwen3.reranker.score([[query, passage]]);
                const [fromTokens] = await qwen3.reranker.scoreTokens([ids]);
                expect(Object.is(score, fromTokens)).toBe(true);
            }),
            { seed: 20261201, numRuns: 30 }
        );
    }, 300_000);
});
