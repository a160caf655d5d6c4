import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NonFiniteScoreError, PromptMismatchError, Reranker, type RerankWarning } from "../../src/index.js";
import { testModels } from "../helpers/testModels.js";

const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-precision-"));
const cli = path.resolve("dist/cli/cli.js");

async function loadCollectingWarnings(options: Parameters<typeof Reranker.load>[0]) {
    const warnings: RerankWarning[] = [];
    // SLOWER_LLAMA_BUILD depends on the machine (a local BLAS build, and which file this process loaded
    // first), not on what these tests judge.
    const reranker = await Reranker.load({ gpu: false, ...options, onWarning: (warning) => warning.code !== "SLOWER_LLAMA_BUILD" && warnings.push(warning) });
    return { reranker, warnings };
}

describe("precision guards", () => {
    it("warns about F16 weights, and not about F32 ones", async () => {
        const f16 = await loadCollectingWarnings({ model: testModels.tinyF16 });
        expect(f16.warnings.map((w) => w.code)).toEqual(["LOW_PRECISION_WEIGHTS"]);
        expect(f16.warnings[0]!.message).toMatch(/F16/);
        expect(f16.reranker.describe().model.weightType).toBe("F16");
        await f16.reranker.dispose();
        const f32 = await loadCollectingWarnings({ model: testModels.tiny });
        expect(f32.warnings).toEqual([]);
        expect(f32.reranker.describe()).toMatchObject({ kvType: "f32", flashAttention: false, model: { weightType: "F32" } });
        await f32.reranker.dispose();
    });

    it("warns when the KV cache is F16", async () => {
        const { reranker, warnings } = await loadCollectingWarnings({ model: testModels.tiny, kvType: "f16" });
        expect(warnings.map((w) => w.code)).toEqual(["F16_KV_CACHE"]);
        await reranker.dispose();
    });

    it("turns a non-finite logit into NonFiniteScoreError naming the pair, and stays usable", async () => {
        const { reranker } = await loadCollectingWarnings({ model: testModels.tinyOverflow });
        const error = await reranker
            .score([
                ["q", "a passage"],
                ["q", "another passage"]
            ])
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NonFiniteScoreError);
        expect((error as NonFiniteScoreError).message).toMatch(
            /non-finite score \((NaN|-?Infinity)\) for pair [01]; profile bge-reranker-v2-gemma, weights F16, KV cache F32/
        );
        expect([0, 1]).toContain((error as NonFiniteScoreError).pairIndex);
        await expect(reranker.rerank("q", ["p"])).rejects.toBeInstanceOf(NonFiniteScoreError);
        await expect(reranker.scoreTokens([await reranker.buildInput("q", "p")])).rejects.toThrow(/for sequence 0/);
        await reranker.dispose();
        const healthy = await Reranker.load({ model: testModels.tiny, gpu: false });
        expect((await healthy.score([["q", "p"]])).every(Number.isFinite)).toBe(true);
        await healthy.dispose();
    });
});

describe("prompt consistency", () => {
    const model = path.join(workDir, "recorded.gguf");
    const trainedPrompt = "Does passage B answer query A? Reply 'Yes' or 'No'.";

    it("uses, checks and enforces the prompt recorded next to the model", async () => {
        copyFileSync(testModels.tiny, model);
        execFileSync(process.execPath, [cli, "profile", "--model", model, "--prompt", trainedPrompt], { stdio: "pipe" });
        expect(JSON.parse(readFileSync(model.replace(/\.gguf$/, ".rerank.json"), "utf8"))).toEqual({ profile: "bge-reranker-v2-gemma", prompt: trainedPrompt });

        const recorded = await loadCollectingWarnings({ model });
        expect(recorded.warnings).toEqual([]);
        expect(recorded.reranker.describe().prompt).toBe(trainedPrompt);
        expect((await recorded.reranker.buildInput("q", "p")).length).toBeGreaterThan(0);
        await recorded.reranker.dispose();

        const mismatched = await loadCollectingWarnings({ model, prompt: "Another prompt." });
        expect(mismatched.warnings.map((w) => w.code)).toEqual(["PROMPT_MISMATCH"]);
        expect(mismatched.warnings[0]!.message).toContain(JSON.stringify(trainedPrompt));
        expect(mismatched.warnings[0]!.message).toContain(JSON.stringify("Another prompt."));
        await mismatched.reranker.dispose();

        await expect(Reranker.load({ model, gpu: false, prompt: "Another prompt.", strict: true })).rejects.toBeInstanceOf(PromptMismatchError);
    });

    it("export-train writes FlagEmbedding's fine-tune format and records its prompt", () => {
        const judgments = path.join(workDir, "judgments.jsonl");
        const out = path.join(workDir, "train.jsonl");
        const exportModel = path.join(workDir, "export.gguf");
        writeFileSync(
            judgments,
            [
                { query: "q1", passage: "good", label: 1 },
                { query: "q1", passage: "bad", label: 0 },
                { query: "q2", passage: "meh", label: false },
                { query: "q1", passage: "also good", relevant: true }
            ]
                .map((j) => JSON.stringify(j))
                .join("\n")
        );
        execFileSync(process.execPath, [cli, "export-train", "--judgments", judgments, "--out", out, "--prompt", trainedPrompt, "--model", exportModel], {
            stdio: "pipe"
        });
        const lines = readFileSync(out, "utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line));
        expect(lines).toEqual([{ query: "q1", pos: ["good", "also good"], neg: ["bad"], prompt: trainedPrompt }]);
        expect(existsSync(exportModel.replace(/\.gguf$/, ".rerank.json"))).toBe(true);
    });
});
