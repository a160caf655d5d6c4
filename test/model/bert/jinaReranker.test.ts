import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { loadGoldenPairs } from "../../helpers/goldenPairs.js";
import { BertReference } from "../../reference/bert/BertReference.js";
import { encode, longestFirstPairInput } from "../../reference/longestFirstPairInput.js";
import { corpusTexts } from "../../tokenParity/tokenParityCorpus.js";
import { ensureJinaTinyModel, jinaTinyTokenizerDir, loadBertHfTokenizer, type HfTokenizer } from "../../bert/bertTestModel.js";
import { jinaErfGeluTolerance, jinaTableGeluTolerance } from "../../bert/bertTolerance.js";
import { hasXlmrDivergence } from "../../bert/xlmrDivergences.js";

// One llama.cpp thread, as the other bert tests (see bertScores.test.ts).
const cpu = { gpu: false, threads: 1 } as const;
const fixedQuery = "What is the capital of France?";
const fixedPassage = "Paris is the capital and most populous city of France.";
const comparable = corpusTexts.filter(({ text }) => !hasXlmrDivergence(text)).map(({ text }) => text);
const longTexts = corpusTexts.filter(({ category, text }) => category === "long-texts" && !hasXlmrDivergence(text)).map(({ text }) => text);

function corpusPairs(): [string, string][] {
    const pairs: [string, string][] = [];
    for (const text of comparable) pairs.push([text, fixedPassage], [fixedQuery, text]);
    comparable.forEach((text, i) => pairs.push([text, comparable[comparable.length - 1 - i]!]));
    // long against long: both texts over the budget, the case where LongestFirst halves it
    for (const query of longTexts) for (const passage of longTexts) pairs.push([query, passage]);
    return pairs;
}

// 1024 is compute_score's max_length (the tokenizer's model_max_length). LongestFirst's three cases
// at odd and even budgets are pinned against the Rust tokenizers' own table in
// test/unit/longestFirstLengths.test.ts; here the whole path runs on real tokenizations.
describe.each([undefined])("jina-reranker-v2 input with maxLength %s", (maxLength: number | undefined) => {
    let reranker: Reranker;
    let hf: HfTokenizer;
    const budget = maxLength ?? 1024;

    beforeAll(async () => {
        const model = await ensureJinaTinyModel();
        hf = loadBertHfTokenizer(jinaTinyTokenizerDir);
        reranker = await Reranker.load({ model, ...cpu, ...(maxLength !== undefined ? { maxLength } : {}) });
    });
    afterAll(() => reranker?.dispose());

    it("is detected from the GGUF's fused attn_qkv (its name is neutral) and reads the classifier through rank pooling", () => {
        const description = reranker.describe();
        expect(description.profile).toBe("jina-reranker-v2");
        expect(description.scoreHead.kind).toBe("rank-pooling");
        expect(description.maxLength).toBe(budget);
    });

    it("builds every corpus pair exactly as the HF fast tokenizer's pair call with truncation=True", async () => {
        const pairs = corpusPairs();
        expect(pairs.length).toBeGreaterThan(500);
        const mismatches: unknown[] = [];
        let cut = 0;
        let bothCut = 0;
        for (const [query, passage] of pairs) {
            const ours = await reranker.buildInput(query, passage);
            const expected = longestFirstPairInput(hf, query, passage, budget);
            const [queryLength, passageLength] = [query, passage].map((text) => encode(hf, text).length);
            if (queryLength! + passageLength! + 4 > budget) cut++;
            // </s> (id 2) follows the query: fewer ids before it than the query has means it was cut too
            if (expected.indexOf(2) - 1 < queryLength! && expected.length - expected.indexOf(2) - 3 < passageLength!) bothCut++;
            if (JSON.stringify(ours) !== JSON.stringify(expected)) mismatches.push({ query, passage, ours, expected });
            expect(ours.length).toBeLessThanOrEqual(budget);
        }
        expect(mismatches).toEqual([]);
        // the truncation paths are exercised: many pairs are cut, some in both texts
        expect(cut).toBeGreaterThan(maxLength === undefined ? 5 : 500);
        expect(bothCut).toBeGreaterThan(0);
    });

    it("has the HF post-processor's pair layout on uncut pairs", async () => {
        if (maxLength !== undefined) return;
        for (const [query, passage] of [
            [fixedQuery, fixedPassage],
            ["日本語", "Привет мир"]
        ] as const)
            expect(await reranker.buildInput(query, passage)).toEqual(hf.encode(query, { text_pair: passage, add_special_tokens: true }));
    });
});

const scoredPairs: [string, string][] = [
    ...loadGoldenPairs().slice(0, 6),
    ["Привет, как дела?", "Всё хорошо, спасибо!"],
    ["東京の人口は？", "東京都の人口は約1400万人です。"],
    // over 1024 tokens: cut to the full budget
    ["Why do tides happen?", "The tide rises and falls twice a day because of the moon. ".repeat(120)]
];

describe("jina-reranker-v2 on its tiny layout against the float64 reference", () => {
    let reranker: Reranker;
    let reference: BertReference;
    let packed: number[];
    let inputs: number[][];
    let decodes = 0;

    beforeAll(async () => {
        const model = await ensureJinaTinyModel();
        reranker = await Reranker.load({ model, ...cpu });
        reference = BertReference.open(model);
        packed = await reranker.score(scoredPairs, { onUsage: (usage) => (decodes = usage.decodes) });
        inputs = await Promise.all(scoredPairs.map(([query, passage]) => reranker.buildInput(query, passage)));
    });
    afterAll(() => reranker?.dispose());

    it("scores every pair as the reference does, with ggml's GELU and near HF's erf GELU", () => {
        expect(Math.max(...inputs.map((input) => input.length))).toBe(1024);
        expect(decodes).toBeLessThan(scoredPairs.length / 2);
        const tableErrors = inputs.map((input, i) => Math.abs(packed[i]! - reference.logits(input, "ggml-cpu-f16-table")[0]!));
        const erfErrors = inputs.map((input, i) => Math.abs(packed[i]! - reference.logits(input, "erf")[0]!));
        console.log(
            `jina-tiny: max |llama.cpp − reference| ${Math.max(...tableErrors).toExponential(2)} (ggml GELU), ${Math.max(...erfErrors).toExponential(2)} (erf GELU); mean ${(erfErrors.reduce((a, b) => a + b, 0) / erfErrors.length).toExponential(2)}`
        );
        for (const error of tableErrors) expect(error).toBeLessThan(jinaTableGeluTolerance);
        for (const error of erfErrors) expect(error).toBeLessThan(jinaErfGeluTolerance);
        expect(new Set(packed).size).toBe(packed.length);
    });

    it("normalizes with a sigmoid, as compute_score does", async () => {
        const few = scoredPairs.slice(0, 3);
        const [raw, normalized] = [await reranker.score(few), await reranker.score(few, { normalize: true })];
        normalized.forEach((score, i) => expect(score).toBeCloseTo(1 / (1 + Math.exp(-raw[i]!)), 6));
    });
});
