import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AddonModel } from "../../../src/native/AddonTypes.js";
import { InProcessHost } from "../../../src/native/InProcessHost.js";
import { corpusTexts } from "../../tokenParity/tokenParityCorpus.js";
import { ensureBertTinyModel, loadBertHfTokenizer, type HfTokenizer } from "../../bert/bertTestModel.js";
import { hasXlmrDivergence, xlmrDivergences } from "../../bert/xlmrDivergences.js";

// llama.cpp's t5 (UGM) tokenizer, reached through the addon as the library reaches it, against the
// HF tokenizers' Unigram (the @lenml JS port) over the same generated vocabulary.
describe("bert-tiny: llama.cpp's Unigram tokenization against HF's", () => {
    let model: AddonModel;
    let hf: HfTokenizer;
    const words = "The quick brown fox jumps over the lazy dog, Привет мир, 東京都の天気".split(" ");
    // Every text a test reads, tokenized in one native job up front (tokenize is async).
    const tokenized = new Map<string, number[]>();
    const llama = (text: string) => tokenized.get(text)!;
    const huggingFace = (text: string) => hf.encode(text, { add_special_tokens: false });

    beforeAll(async () => {
        const path = await ensureBertTinyModel();
        const backend = await InProcessHost.get(false, "auto");
        model = await backend.loadModel(path, 0);
        hf = loadBertHfTokenizer();
        const texts = [...new Set([...words, "a\u2581", ...corpusTexts.map(({ text }) => text)])];
        const ids = await model.tokenize(texts, false);
        texts.forEach((text, i) => tokenized.set(text, Array.from(ids[i]!)));
    });
    afterAll(() => model?.dispose());

    it("tokenizes multilingual text into several pieces a word, not characters (the vocabulary is non-trivial)", () => {
        const ids = words.flatMap((word) => llama(word));
        expect(ids.length).toBeGreaterThan(words.length);
        expect(ids.length).toBeLessThan([...words.join("")].length * 0.8);
        expect(model.describe().vocabularySize).toBeGreaterThan(3000);
    });

    it("gives the same ids as HF for every corpus text without a known divergence", () => {
        const comparable = corpusTexts.filter(({ text }) => !hasXlmrDivergence(text));
        expect(comparable.length).toBeGreaterThan(250);
        const mismatches = comparable.filter(({ text }) => JSON.stringify(llama(text)) !== JSON.stringify(huggingFace(text)));
        expect(mismatches).toEqual([]);
    });

    it("differs on a trailing space by exactly HF's final ▁ token", () => {
        const lowerBlock = llama("a\u2581")[1];
        const affected = corpusTexts.filter(({ text }) => xlmrDivergences.trailingSpace(text) && !xlmrDivergences.specialLiteral(text));
        expect(affected.length).toBeGreaterThan(5);
        for (const { text } of affected) expect(huggingFace(text)).toEqual([...llama(text), lowerBlock]);
    });

    it("differs on a leading ▁ character by exactly llama.cpp's extra ▁ token", () => {
        const lowerBlock = llama("a\u2581")[1];
        const affected = corpusTexts.filter(({ text }) => xlmrDivergences.leadingLowerBlock(text));
        expect(affected.length).toBeGreaterThan(1);
        for (const { text } of affected) expect(llama(text)).toEqual([lowerBlock, ...huggingFace(text)]);
    });

    it("keeps special-token text as characters where HF maps it to the special ids", () => {
        const affected = corpusTexts.filter(({ text }) => xlmrDivergences.specialLiteral(text));
        expect(affected.length).toBeGreaterThan(5);
        for (const { text } of affected) {
            expect(llama(text).some((id) => id <= 3)).toBe(false);
            expect(huggingFace(text).some((id) => id <= 3 || id === model.describe().vocabularySize - 1)).toBe(true);
        }
    });
});
