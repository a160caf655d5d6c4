import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { benchWords } from "../../src/bench/benchWords.js";
import { loadInstrumentedReranker } from "../../src/bench/loadInstrumentedReranker.js";
import type { DesktopBenchReport } from "../../src/bench/desktop/runDesktopBench.js";
import { qwen3TinyShape } from "../../src/testModel/Qwen3Shape.js";
import { qwen3RerankerVocabularySize, syntheticQwen3Vocabulary } from "../../src/testModel/syntheticQwen3Vocabulary.js";
import { writeQwen3Model } from "../../src/testModel/writeQwen3Model.js";

// `bench --preset desktop` generates a Qwen3-Reranker-0.6B shaped model with a synthetic
// vocabulary (the Qwen3 tokenizer package is a devDependency). Here: the tiny Qwen3 shape with that
// vocabulary, in Q8_0 as the writer quantizes it, through llama.cpp's own tokenizer and the preset's plumbing.
const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-desktop-bench-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
const vocabulary = syntheticQwen3Vocabulary();
const modelPath = (weightType: "q8_0") => path.join(workDir, `tiny-qwen3-synthetic-${weightType}.gguf`);

beforeAll(async () => {
    for (const weightType of ["q8_0"] as const)
        await writeQwen3Model(
            {
                outPath: modelPath(weightType),
                shape: qwen3TinyShape,
                name: "llm-rerank test Qwen3-Reranker tiny synthetic",
                preset: "qwen3-tiny-synthetic",
                seed: 42,
                weightType,
                rerankHead: true
            },
            vocabulary
        );
}, 60_000);

describe("the synthetic Qwen3 vocabulary", () => {
    it("has Qwen3-Reranker's size and Qwen3's added tokens at their ids", () => {
        expect(vocabulary.tokens).toHaveLength(qwen3RerankerVocabularySize);
        expect(vocabulary.tokens[151643]).toBe("<|endoftext|>");
        expect(vocabulary.tokens[151645]).toBe("<|im_end|>");
        expect(vocabulary.tokens[151668]).toBe("</think>");
        expect(vocabulary.tokens[vocabulary.eosTokenId]).toBe("<|im_end|>");
    });

    it("tokenizes as llama.cpp reads it: bench words after a space, and yes and no, are one token each", async () => {
        const { reranker, recorder } = await loadInstrumentedReranker({ model: modelPath("q8_0"), gpu: false, threads: 1 });
        try {
            expect(reranker.profile.name).toBe("qwen3-reranker");
            const texts = ["yes", "no", ...benchWords.flatMap((word) => [` ${word}`, ` ${word[0]!.toUpperCase()}${word.slice(1)}`])];
            const tokenized = await recorder.model.tokenize(texts, false);
            const longer = texts.filter((_, i) => tokenized[i]!.length !== 1);
            expect(longer).toEqual([]);
            // anything else still tokenizes, byte by byte where no merge covers it
            const [unknown] = await recorder.model.tokenize(["Zürich ☃"], false);
            expect(unknown!.length).toBeGreaterThan(2);
        } finally {
            await reranker.dispose();
        }
    });
});

describe("bench --preset desktop", () => {
    it("runs every row on the same chunks and reports what each did", () => {
        const jsonPath = path.join(workDir, "desktop.json");
        execFileSync(
            process.execPath,
            [
                "dist/cli/cli.js",
                "bench",
                "--preset",
                "desktop",
                "--model",
                modelPath("q8_0"),
                "--passages",
                "2",
                "--passage-tokens",
                "20-40",
                "--rows",
                "in-process,peer-4",
                "--threads",
                "1",
                "--sgemm-peak",
                "100",
                "--json",
                jsonPath
            ],
            { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", timeout: 120_000 }
        );
        const report = JSON.parse(readFileSync(jsonPath, "utf8")) as DesktopBenchReport;
        expect(report.rows.map((row) => row.kind)).toEqual(["in-process", "peer-4"]);
        const { workload } = report;
        expect(workload.passageTokenCounts).toHaveLength(2);
        // the library evaluates the shared template-and-query prefix once, node-llama-cpp once per pair
        expect(workload.tokensEvaluated).toBeLessThan(workload.tokensWithoutSharing);
        for (const row of report.rows) {
            expect(row.scores).toHaveLength(2);
            for (const score of row.scores) expect(score > 0 && score < 1).toBe(true);
            expect(row.peakRssBytes).toBeGreaterThan(0);
            expect(Number.isFinite(row.gflopsPerSecond)).toBe(true);
        }
        const [inProcess] = report.rows;
        expect(inProcess!.setup).toMatch(/slots, batch \d+, ubatch \d+, maxLength 256/);
        expect(report.sgemmPeak).toEqual({ gflops: 100, source: "--sgemm-peak" });
    }, 150_000);

    it("refuses --weights with --model before loading anything", () => {
        let failed = "";
        try {
            execFileSync(process.execPath, ["dist/cli/cli.js", "bench", "--preset", "desktop", "--model", modelPath("q8_0"), "--weights", "bf16"], {
                stdio: ["ignore", "ignore", "pipe"],
                encoding: "utf8"
            });
        } catch (error) {
            failed = String((error as { stderr?: string }).stderr);
        }
        expect(failed).toMatch(/--weights picks a generated model/);
    });
});
