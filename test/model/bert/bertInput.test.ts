import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { flagRerankerInput } from "../../reference/flagRerankerInput.js";
import { corpusTexts } from "../../tokenParity/tokenParityCorpus.js";
import { ensureBertTinyModel, loadBertHfTokenizer, type HfTokenizer } from "../../bert/bertTestModel.js";
import { hasXlmrDivergence } from "../../bert/xlmrDivergences.js";

const fixedQuery = "What is the capital of France?";
const fixedPassage = "Paris is the capital and most populous city of France.";
const hf: HfTokenizer = loadBertHfTokenizer();
const comparable = corpusTexts.filter(({ text }) => !hasXlmrDivergence(text)).map(({ text }) => text);
const longTexts = corpusTexts.filter(({ category, text }) => category === "long-texts" && !hasXlmrDivergence(text)).map(({ text }) => text);

function corpusPairs(): [string, string][] {
    const pairs: [string, string][] = [];
    for (const text of comparable) pairs.push([text, fixedPassage], [fixedQuery, text]);
    comparable.forEach((text, i) => pairs.push([text, comparable[comparable.length - 1 - i]!]));
    for (const query of longTexts) for (const passage of longTexts) pairs.push([query, passage]);
    return pairs;
}

// 512 is FlagReranker's default; 48 cuts most texts; at 13 the query cap (9) plus the 4 special
// tokens can fill maxLength, and HF's only_second truncation then cannot cut and keeps everything.
describe.each([undefined, 48, 13])("bge-reranker-v2-m3 input with maxLength %s", (maxLength) => {
    let reranker: Reranker;

    beforeAll(async () => {
        reranker = await Reranker.load({ model: await ensureBertTinyModel(), gpu: false, threads: 1, ...(maxLength !== undefined ? { maxLength } : {}) });
    });
    afterAll(() => reranker?.dispose());

    it("is detected from the GGUF and reads the classifier through rank pooling", () => {
        const description = reranker.describe();
        expect(description.profile).toBe("bge-reranker-v2-m3");
        expect(description.scoreHead.kind).toBe("rank-pooling");
        expect(description.maxLength).toBe(maxLength ?? 512);
    });

    it("builds every corpus pair exactly as FlagReranker with the HF tokenizer", async () => {
        const pairs = corpusPairs();
        expect(pairs.length).toBeGreaterThan(500);
        const mismatches: unknown[] = [];
        let cut = 0;
        let uncut = 0;
        for (const [query, passage] of pairs) {
            const ours = await reranker.buildInput(query, passage);
            const expected = flagRerankerInput(hf, query, passage, maxLength ?? 512);
            if (expected.length === (maxLength ?? 512)) cut++;
            if (expected.length > (maxLength ?? 512)) uncut++;
            if (JSON.stringify(ours) !== JSON.stringify(expected)) mismatches.push({ query, passage, ours, expected });
        }
        expect(mismatches).toEqual([]);
        // the truncation edge is exercised: many inputs end exactly at maxLength
        if (maxLength !== undefined) expect(cut).toBeGreaterThan(50);
        // and so is HF's refusal to cut when the passage cannot give up enough
        expect(uncut > 0).toBe(maxLength === 13);
    });

    it("has the HF post-processor's pair layout on untruncated pairs", async () => {
        if (maxLength !== undefined) return;
        for (const [query, passage] of [
            [fixedQuery, fixedPassage],
            ["日本語", "Привет мир"]
        ] as const)
            expect(await reranker.buildInput(query, passage)).toEqual(hf.encode(query, { text_pair: passage, add_special_tokens: true }));
    });
});
