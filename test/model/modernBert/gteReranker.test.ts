import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker, UnsupportedModelError, type RerankWarning } from "../../../src/index.js";
import { writeModernBertTestModel } from "../../../src/dev/testModel/modernBert/writeModernBertTestModel.js";
import type { AddonModel } from "../../../src/native/AddonTypes.js";
import { InProcessHost } from "../../../src/native/InProcessHost.js";
import type { HfTokenizer } from "../../bert/bertTestModel.js";
import { modernBertGeluTolerance, modernBertTableGeluTolerance } from "../../modernBert/modernBertTolerance.js";
import { ensureModernBertTinyModel, loadModernBertHfTokenizer } from "../../modernBert/modernBertTestModel.js";
import { loadGoldenPairs } from "../../helpers/goldenPairs.js";
import { encode, longestFirstPairInput, modernBertPair } from "../../reference/longestFirstPairInput.js";
import { ModernBertReference } from "../../reference/modernBert/ModernBertReference.js";
import { corpusTexts } from "../../tokenParity/tokenParityCorpus.js";

// One llama.cpp thread, as the bert tests (see bertScores.test.ts).
const cpu = { gpu: false, threads: 1 } as const;
const fixedQuery = "What is the capital of France?";
const fixedPassage = "Paris is the capital and most populous city of France.";
// HF matches the specials' text as added tokens; the library tokenizes user text with special-token parsing off
const specialLiteral = /\[(CLS|SEP|PAD|MASK|UNK)\]/;
const comparable = corpusTexts.map(({ text }) => text).filter((text) => !specialLiteral.test(text));
const longTexts = corpusTexts.filter(({ category, text }) => category === "long-texts" && !specialLiteral.test(text)).map(({ text }) => text);

describe("gte-reranker-modernbert: llama.cpp's BPE (pre-tokenizer modern-bert) against HF's ByteLevel BPE", () => {
    let model: AddonModel;
    let hf: HfTokenizer;
    const tokenized = new Map<string, number[]>();

    beforeAll(async () => {
        const file = await ensureModernBertTinyModel();
        hf = loadModernBertHfTokenizer();
        model = await (await InProcessHost.get(false, "auto")).loadModel(file, 0);
        const ids = await model.tokenize(comparable, false);
        comparable.forEach((text, i) => tokenized.set(text, Array.from(ids[i]!)));
    });
    afterAll(() => model?.dispose());

    it("gives the same ids as HF for every corpus text", () => {
        expect(comparable.length).toBeGreaterThan(250);
        const mismatches = comparable.filter((text) => JSON.stringify(tokenized.get(text)) !== JSON.stringify(encode(hf, text)));
        expect(mismatches).toEqual([]);
        // a real BPE: words merge into tokens, not bytes
        const words = tokenized.get(comparable.find((text) => text.startsWith("The "))!)!;
        expect(words.length).toBeGreaterThan(0);
    });
});

describe.each([undefined, 13])("gte-reranker-modernbert input with maxLength %s", (maxLength) => {
    let reranker: Reranker;
    let hf: HfTokenizer;
    const budget = maxLength ?? 512;
    const warnings: RerankWarning[] = [];

    beforeAll(async () => {
        const model = await ensureModernBertTinyModel();
        hf = loadModernBertHfTokenizer();
        reranker = await Reranker.load({ model, ...cpu, onWarning: (warning) => warnings.push(warning), ...(maxLength !== undefined ? { maxLength } : {}) });
    });
    afterAll(() => reranker?.dispose());

    it("is detected from the GGUF and reads the classifier through rank pooling", () => {
        const description = reranker.describe();
        // the generated file is named as the family, so its mean pooling is taken as the reference's
        expect(warnings.map((warning) => warning.code)).not.toContain("UNVERIFIED_CLASSIFIER_POOLING");
        expect(description.profile).toBe("gte-reranker-modernbert");
        expect(description.scoreHead).toEqual({ kind: "rank-pooling", labels: ["LABEL_0"] });
        expect(description.maxLength).toBe(budget);
    });

    it("builds every corpus pair exactly as the HF fast tokenizer's pair call with truncation=True", async () => {
        const pairs: [string, string][] = [];
        for (const text of comparable) pairs.push([text, fixedPassage], [fixedQuery, text]);
        for (const query of longTexts) for (const passage of longTexts) pairs.push([query, passage]);
        const mismatches: unknown[] = [];
        let cut = 0;
        for (const [query, passage] of pairs) {
            const ours = await reranker.buildInput(query, passage);
            const expected = longestFirstPairInput(hf, query, passage, budget, modernBertPair);
            if (encode(hf, query).length + encode(hf, passage).length + 3 > budget) cut++;
            if (JSON.stringify(ours) !== JSON.stringify(expected)) mismatches.push({ query, passage, ours, expected });
        }
        expect(mismatches).toEqual([]);
        expect(cut).toBeGreaterThan(maxLength === undefined ? 5 : 400);
        if (maxLength === undefined)
            expect(await reranker.buildInput(fixedQuery, fixedPassage)).toEqual(hf.encode(fixedQuery, { text_pair: fixedPassage, add_special_tokens: true }));
    });
});

const scoredPairs: [string, string][] = [
    ...loadGoldenPairs().slice(0, 6),
    ["Why do tides happen?", "The tide rises and falls twice a day because of the moon. ".repeat(12)],
    ["Why do tides happen?", "The tide rises and falls twice a day because of the moon. ".repeat(60)]
];

describe("gte-reranker-modernbert on its tiny layout against the float64 ModernBERT reference", () => {
    it("scores every pair as the reference does, with ggml's GELU and near HF's erf GELU", async () => {
        const model = await ensureModernBertTinyModel();
        const reranker = await Reranker.load({ model, ...cpu });
        try {
            const reference = ModernBertReference.open(model);
            let decodes = 0;
            const scores = await reranker.score(scoredPairs, { onUsage: (usage) => (decodes = usage.decodes) });
            // packed: several sequences share one encode, each pooled over its own tokens and
            // windowed by its own positions
            expect(decodes).toBeLessThan(scoredPairs.length / 2);
            const inputs = await Promise.all(scoredPairs.map(([query, passage]) => reranker.buildInput(query, passage)));
            // past the sliding window (a token sees 64 on either side), up to the whole budget
            expect(inputs.filter((input) => input.length > 129).length).toBeGreaterThan(1);
            expect(Math.max(...inputs.map((input) => input.length))).toBe(512);
            const tableErrors = inputs.map((input, i) => Math.abs(scores[i]! - reference.logits(input, "ggml-cpu-f16-table")[0]!));
            const erfErrors = inputs.map((input, i) => Math.abs(scores[i]! - reference.logits(input, "erf")[0]!));
            console.log(
                `modern-bert-tiny: max |llama.cpp − reference| ${Math.max(...tableErrors).toExponential(2)} (ggml GELU), ${Math.max(...erfErrors).toExponential(2)} (erf GELU); mean ${(erfErrors.reduce((a, b) => a + b, 0) / erfErrors.length).toExponential(2)}`
            );
            for (const error of tableErrors) expect(error).toBeLessThan(modernBertTableGeluTolerance);
            for (const error of erfErrors) expect(error).toBeLessThan(modernBertGeluTolerance);
            expect(new Set(scores).size).toBe(scores.length);
            const [normalized] = await reranker.score(scoredPairs.slice(0, 1), { normalize: true });
            const [raw] = await reranker.score(scoredPairs.slice(0, 1));
            expect(normalized).toBeCloseTo(1 / (1 + Math.exp(-raw!)), 6);
        } finally {
            await reranker.dispose();
        }
    });
});

describe("ModernBERT GGUFs llama.cpp's graph does not compute as HF", () => {
    const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-modern-bert-"));
    afterAll(() => rmSync(workDir, { recursive: true, force: true }));

    it("warns that a ModernBERT classifier not named as gte-reranker-modernbert may pool otherwise than llama.cpp", async () => {
        const file = path.join(workDir, "unnamed.gguf");
        await writeModernBertTestModel({ outPath: file, name: "some modernbert classifier" });
        const warnings: RerankWarning[] = [];
        const reranker = await Reranker.load({ model: file, ...cpu, onWarning: (warning) => warnings.push(warning) });
        try {
            expect(reranker.describe().profile).toBe("gte-reranker-modernbert");
            expect(warnings.find((warning) => warning.code === "UNVERIFIED_CLASSIFIER_POOLING")?.message).toMatch(/classifier_pooling "mean"/);
        } finally {
            await reranker.dispose();
        }
    });

    it.each([
        ["none" as const, undefined, /ModernBERT model without a classifier head \(cls\.output\.weight\): an embedding model/],
        ["head-bias" as const, undefined, /dense bias \(cls\.bias, classifier_bias true\)/],
        ["layer-bias" as const, undefined, /biases in its layers \(blk\.0\.attn_output\.bias/],
        ["classifier" as const, "relu", /hidden_activation "relu"/]
    ])("refuses a file with head %s and activation %s before llama.cpp loads it", async (head, hiddenActivation, message) => {
        const file = path.join(workDir, `${head}-${hiddenActivation ?? "gelu"}.gguf`);
        await writeModernBertTestModel({ outPath: file, head, ...(hiddenActivation ? { hiddenActivation } : {}) });
        const loading = Reranker.load({ model: file, ...cpu });
        await expect(loading).rejects.toBeInstanceOf(UnsupportedModelError);
        await expect(loading).rejects.toThrow(message);
    });
});
