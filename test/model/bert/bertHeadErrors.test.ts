import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Reranker, UnsupportedModelError } from "../../../src/index.js";
import { writeBertTestModel } from "../../../src/dev/testModel/bert/writeBertTestModel.js";

const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-bert-heads-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe("bert GGUFs whose head the library cannot read", () => {
    it("refuses an embedding model (no cls.output) before llama.cpp loads it", async () => {
        const file = path.join(workDir, "no-head.gguf");
        await writeBertTestModel({ outPath: file, head: "none" });
        const loading = Reranker.load({ model: file, gpu: false, threads: 1 });
        await expect(loading).rejects.toBeInstanceOf(UnsupportedModelError);
        await expect(loading).rejects.toThrow(/without a classifier head \(cls\.output\.weight\): an embedding model/);
    });

    it("refuses a multi-class classifier, which has no single relevance logit", async () => {
        const file = path.join(workDir, "three-labels.gguf");
        await writeBertTestModel({ outPath: file, head: "three-labels" });
        await expect(Reranker.load({ model: file, gpu: false, threads: 1 })).rejects.toThrow(/3-output classifier/);
    });
});
