import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { testModels } from "../../helpers/testModels.js";
import { flagEmbeddingDefaults, flagEmbeddingInput } from "../../reference/flagEmbeddingInput.js";
import { corpusTexts, hasKnownDivergence, knownDivergences } from "../../tokenParity/tokenParityCorpus.js";

const fixedQuery = "What is the capital of France?";
const fixedPassage = "Paris is the capital and most populous city of France.";
const comparable = corpusTexts.filter(({ text }) => !hasKnownDivergence(text)).map(({ text }) => text);
const longTexts = corpusTexts.filter(({ category }) => category === "long-texts").map(({ text }) => text);

/** Every comparable text as query and as passage, texts paired with each other, long texts all ways. */
function corpusPairs(): [string, string][] {
    const pairs: [string, string][] = [];
    for (const text of comparable) pairs.push([text, fixedPassage], [fixedQuery, text]);
    comparable.forEach((text, i) => pairs.push([text, comparable[comparable.length - 1 - i]!]));
    for (const query of longTexts) for (const passage of longTexts) pairs.push([query, passage]);
    return pairs;
}

describe("the corpus", () => {
    it("has at least 200 texts, none twice", () => {
        expect(corpusTexts.length).toBeGreaterThanOrEqual(200);
        expect(new Set(corpusTexts.map(({ text }) => text)).size).toBe(corpusTexts.length);
    });

    // The comparison below skips texts with a known divergence; pinning the skipped set to
    // categories chosen by hand keeps a new divergence from being skipped silently.
    it.each(knownDivergences)("puts exactly the texts that $category affects in that category", ({ category, affects }) => {
        const affected = corpusTexts.filter(({ text }) => affects(text));
        expect(affected).toEqual(corpusTexts.filter((entry) => entry.category === category));
        expect(affected.length).toBeGreaterThan(0);
    });

    it("leaves most of the corpus in the comparison", () => {
        expect(comparable.length).toBe(
            corpusTexts.length - knownDivergences.reduce((sum, { category }) => sum + corpusTexts.filter((e) => e.category === category).length, 0)
        );
        expect(comparable).toContain(fixedQuery);
        expect(comparable).toContain(fixedPassage);
    });
});

// 512 is the default; the small limits cut most corpus texts somewhere inside, often within a
// multi-token character or a run of whitespace.
describe.each([undefined, 48, 13])("buildInput with maxLength %s", (maxLength) => {
    let reranker: Reranker;

    beforeAll(async () => {
        reranker = await Reranker.load({ model: testModels.tiny, gpu: false, ...(maxLength !== undefined ? { maxLength } : {}) });
    });
    afterAll(() => reranker.dispose());

    it("uses FlagEmbedding's prompt and maxLength unless told otherwise", () => {
        expect(reranker.describe().prompt).toBe(flagEmbeddingDefaults.prompt);
        expect(reranker.describe().maxLength).toBe(maxLength ?? flagEmbeddingDefaults.maxLength);
    });

    it("builds every corpus pair exactly as FlagEmbedding with the HF tokenizer", async () => {
        const settings = { maxLength: maxLength ?? flagEmbeddingDefaults.maxLength, prompt: flagEmbeddingDefaults.prompt };
        const pairs = corpusPairs();
        const built = await Promise.all(pairs.map(([query, passage]) => reranker.buildInput(query, passage)));
        const mismatches = pairs.flatMap(([query, passage], i) => {
            const ours = built[i]!;
            const expected = flagEmbeddingInput(query, passage, settings);
            return sameIds(ours, expected) ? [] : [{ query, passage, ours, expected }];
        });
        expect(mismatches).toEqual([]);
    });
});

function sameIds(a: readonly number[], b: readonly number[]): boolean {
    return a.length === b.length && a.every((id, i) => id === b[i]);
}
