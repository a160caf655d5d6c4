import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../src/index.js";
import { checkVocabulary } from "../../src/gguf/checkVocabulary.js";
import { inspectModelFile } from "../../src/gguf/inspectModelFile.js";
import { benchWords } from "../../src/bench/benchWords.js";
import { getProfile } from "../../src/profiles/loadProfiles.js";
import { benchModelPath, ensureBenchModel, planBenchModel } from "../../src/testModel/benchModel.js";
import { SentencePieceTokenType } from "../../src/testModel/SentencePieceTokenType.js";
import { gemmaVocabularySize, syntheticGemmaVocabulary } from "../../src/testModel/syntheticGemmaVocabulary.js";
import { planGemmaModel, writeGemmaModel } from "../../src/testModel/writeGemmaModel.js";

// The bench generates its models where llm-rerank is installed, without the tokenizer devDependency:
// a synthetic vocabulary of Gemma's size that the library's checks and llama.cpp accept.
const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-bench-model-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const vocabulary = syntheticGemmaVocabulary();
const gemma = getProfile("bge-reranker-v2-gemma");

describe("the synthetic Gemma vocabulary", () => {
    it("has Gemma's size and special tokens at Gemma's ids", () => {
        expect(vocabulary.tokens).toHaveLength(gemmaVocabularySize);
        expect(vocabulary.scores).toHaveLength(gemmaVocabularySize);
        expect(vocabulary.tokenTypes).toHaveLength(gemmaVocabularySize);
        const at = (id: number) => vocabulary.tokens[id];
        expect([at(vocabulary.paddingTokenId), at(vocabulary.eosTokenId), at(vocabulary.bosTokenId), at(vocabulary.unknownTokenId)]).toEqual([
            "<pad>",
            "<eos>",
            "<bos>",
            "<unk>"
        ]);
        expect([vocabulary.paddingTokenId, vocabulary.eosTokenId, vocabulary.bosTokenId, vocabulary.unknownTokenId]).toEqual([0, 1, 2, 3]);
        expect(at(vocabulary.endOfTurnTokenId)).toBe("<end_of_turn>");
        expect(vocabulary.addBosToken).toBe(true);
        expect(vocabulary.addEosToken).toBe(false);
    });

    it("passes the library's vocabulary checks: unique tokens and all 256 byte tokens", () => {
        expect(() => checkVocabulary("synthetic", "llama", vocabulary.tokens)).not.toThrow();
        const bytes = vocabulary.tokens.filter((_, id) => vocabulary.tokenTypes[id] === SentencePieceTokenType.byte);
        expect(bytes).toHaveLength(256);
    });

    it("holds the profile's score token and every word of the prompt and of the bench's texts, with and without a leading space", () => {
        const tokens = new Set(vocabulary.tokens);
        expect(gemma.score).toEqual({ kind: "logit", token: "Yes" });
        expect(tokens.has("Yes")).toBe(true);
        for (const word of [...gemma.prompt.match(/[A-Za-z]+/g)!, ...benchWords]) {
            expect(tokens.has(word), word).toBe(true);
            expect(tokens.has(`\u2581${word}`), word).toBe(true);
        }
    });

    it("is the same every time", () => {
        const again = syntheticGemmaVocabulary();
        expect(again.tokens.join("\n")).toBe(vocabulary.tokens.join("\n"));
        expect(Buffer.from(again.scores.buffer).equals(Buffer.from(vocabulary.scores.buffer))).toBe(true);
        expect(Buffer.from(again.tokenTypes.buffer).equals(Buffer.from(vocabulary.tokenTypes.buffer))).toBe(true);
    });
});

describe("a model written with it", () => {
    const modelPath = path.join(workDir, "tiny-synthetic.gguf");
    let written: { bytes: number };

    beforeAll(async () => {
        written = await writeGemmaModel({ outPath: modelPath, preset: "tiny" }, vocabulary);
    });

    it("is exactly as large as planned", () => {
        expect(written.bytes).toBe(statSync(modelPath).size);
        expect(planGemmaModel({ outPath: modelPath, preset: "tiny" }, vocabulary).plannedByteLength()).toBe(written.bytes);
    });

    it("passes the GGUF checks and is detected as bge-reranker-v2-gemma's family", async () => {
        const summary = await inspectModelFile(modelPath);
        expect(summary.architecture).toBe("gemma");
        expect(summary.tokenizer).toEqual({ model: "llama", pre: "default" });
    });

    it("loads, tokenizes the prompt's and the bench's words whole, and scores (numbers that mean nothing)", async () => {
        const reranker = await Reranker.load({ model: modelPath, gpu: false, threads: 1 });
        try {
            const description = reranker.describe();
            expect(description.profile).toBe("bge-reranker-v2-gemma");
            expect(description.scoreTokens).toEqual([{ text: "Yes", id: vocabulary.tokens.indexOf("Yes") }]);
            const passage = benchWords.slice(0, 40).join(" ");
            const input = await reranker.buildInput("what is the tide", passage);
            const byteTokens = input.filter((id) => vocabulary.tokenTypes[id] === SentencePieceTokenType.byte);
            expect(byteTokens).toEqual([]);
            // one token a word, as English mostly is with the real vocabulary: bounded well below one a letter
            expect(input.length).toBeLessThan(passage.length / 2);
            const ranked = await reranker.rerank("how do tides work?", ["The moon pulls on the oceans.", "Bananas are yellow."]);
            expect(ranked).toHaveLength(2);
            for (const { score } of ranked) expect(Number.isFinite(score)).toBe(true);
        } finally {
            await reranker.dispose();
        }
    });
});

describe("the bench's generated models", () => {
    it("are named by preset, seed and weight type, in the folder given", () => {
        const named = benchModelPath(workDir, { preset: "gemma-2b", seed: 42, weightType: "f32" });
        expect(path.dirname(named)).toBe(workDir);
        expect(path.basename(named)).toBe("llm-rerank-bench-gemma-2b-seed42-f32.gguf");
        expect(benchModelPath(workDir, { preset: "bench", seed: 42, weightType: "bf16" })).not.toBe(
            benchModelPath(workDir, { preset: "bench", seed: 42, weightType: "f32" })
        );
        expect(benchModelPath(workDir, { preset: "bench", seed: 7, weightType: "f32" })).not.toBe(
            benchModelPath(workDir, { preset: "bench", seed: 42, weightType: "f32" })
        );
    });

    it("are planned at their real size without writing anything: bench about 3 GB, gemma-2b about 10 GB in F32", () => {
        const bench = planBenchModel(workDir, { preset: "bench", seed: 42, weightType: "f32" });
        const gemma2b = planBenchModel(workDir, { preset: "gemma-2b", seed: 42, weightType: "f32" });
        const gemma2bBf16 = planBenchModel(workDir, { preset: "gemma-2b", seed: 42, weightType: "bf16" });
        expect(bench.bytes / 1e9).toBeGreaterThan(2.9);
        expect(bench.bytes / 1e9).toBeLessThan(3.1);
        expect(gemma2b.bytes / 1e9).toBeGreaterThan(9.5);
        expect(gemma2b.bytes / 1e9).toBeLessThan(10.5);
        expect(gemma2bBf16.bytes).toBeLessThan(gemma2b.bytes / 1.9);
        expect([bench.exists, gemma2b.exists, existsSync(bench.path), existsSync(gemma2b.path)]).toEqual([false, false, false, false]);
    });

    it("are reused when the cache folder already holds them", async () => {
        const spec = { preset: "gemma-2b", seed: 42, weightType: "f32" } as const;
        // a stand-in: a real one is 10 GB; ensureBenchModel must not even look inside
        writeFileSync(benchModelPath(workDir, spec), "");
        let generating = false;
        const found = await ensureBenchModel(workDir, spec, () => {
            generating = true;
        });
        expect(found).toEqual({ path: benchModelPath(workDir, spec), generated: false });
        expect(generating).toBe(false);
    });
});
