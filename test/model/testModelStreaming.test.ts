import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { planGemmaTensors } from "../../src/testModel/planGemmaTensors.js";
import { testModelPresets } from "../../src/testModel/TestModelPreset.js";

const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-streaming-"));
const gemmaVocabularySize = 256000;

function writeAndMeasure(preset: string): { bytes: number; maxRss: number } {
    const out = path.join(workDir, `${preset}.gguf`);
    const script = `import { writeTestModel } from ${JSON.stringify(path.resolve("dist/dev/testModel/writeTestModel.js"))};
const written = await writeTestModel({ outPath: ${JSON.stringify(out)}, preset: ${JSON.stringify(preset)} });
process.stdout.write(JSON.stringify({ bytes: written.bytes, maxRss: process.resourceUsage().maxRSS * 1024 }));`;
    try {
        return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }));
    } finally {
        rmSync(out, { force: true });
    }
}

describe("test models are written in chunks", () => {
    it("the gemma-2b preset has bge-reranker-v2-gemma's shape: 18 layers, about 10 GB in F32", () => {
        expect(testModelPresets["gemma-2b"]).toMatchObject({
            blockCount: 18,
            embeddingLength: 2048,
            headCount: 8,
            headCountKv: 1,
            headDim: 256,
            feedForwardLength: 16384
        });
        const tensors = planGemmaTensors(testModelPresets["gemma-2b"], gemmaVocabularySize, { weightType: "f32", weightScale: 1 });
        const bytes = tensors.reduce((sum, tensor) => sum + 4 * tensor.shape.reduce((product, dimension) => product * dimension, 1), 0);
        expect(bytes / 1e9).toBeGreaterThan(9.5);
        expect(bytes / 1e9).toBeLessThan(10.5);
    });

    it("peak memory does not grow with the file: mid (284 MB) needs about what tiny (72 MB) needs", () => {
        const tiny = writeAndMeasure("tiny");
        const mid = writeAndMeasure("mid");
        expect(mid.bytes - tiny.bytes).toBeGreaterThan(200 * 2 ** 20);
        // Holding the file, or any whole tensor of it, would add at least 200 MB here.
        expect(mid.maxRss - tiny.maxRss).toBeLessThan((mid.bytes - tiny.bytes) / 4);
    });
});
