import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { InvalidModelFileError, ModelNotFoundError, Reranker } from "../../src/index.js";
import { loadGoldenPairs } from "../helpers/goldenPairs.js";
import { referenceTolerance } from "../helpers/referenceTolerance.js";
import { testModels } from "../helpers/testModels.js";
import { writeTestLora } from "../helpers/writeTestLora.js";
import { writeMiniGemma } from "../helpers/writeMiniGemma.js";
import { GemmaReference } from "../reference/GemmaReference.js";
import { mergeLora } from "../reference/mergeLora.js";

const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-lora-"));
const adapterPath = path.join(workDir, "adapter.gguf");
const pairs = loadGoldenPairs().slice(0, 12);

describe("LoRA adapters", () => {
    let base: number[];
    let adapted: number[];
    let halfAdapted: number[];
    let inputs: number[][];
    let yesId: number;

    beforeAll(async () => {
        await writeTestLora(adapterPath, { embedding: 64, feedForward: 256, layers: 2 });
        const plain = await Reranker.load({ model: testModels.tiny, gpu: false });
        base = await plain.score(pairs);
        inputs = await Promise.all(pairs.map(([query, passage]) => plain.buildInput(query, passage)));
        yesId = plain.describe().scoreTokens[0]!.id;
        await plain.dispose();
        const withAdapter = await Reranker.load({ model: testModels.tiny, gpu: false, lora: adapterPath });
        adapted = await withAdapter.score(pairs);
        await withAdapter.dispose();
        const withHalf = await Reranker.load({ model: testModels.tiny, gpu: false, lora: adapterPath, loraScale: 0.5 });
        halfAdapted = await withHalf.score(pairs);
        await withHalf.dispose();
    });

    it("changes the scores", () => {
        const changes = adapted.map((score, i) => Math.abs(score - base[i]!));
        expect(Math.max(...changes)).toBeGreaterThan(20 * referenceTolerance);
    });

    it.each([
        ["scale 1", 1, () => adapted],
        ["scale 0.5", 0.5, () => halfAdapted]
    ])("changes them exactly as the reference with the adapter merged predicts (%s)", (_name, scale, scores) => {
        const reference = GemmaReference.open(testModels.tiny);
        mergeLora(reference, adapterPath, scale);
        const expected = inputs.map((tokens) => reference.lastLogits(tokens, [yesId])[0]!);
        scores().forEach((score, i) => expect(Math.abs(score - expected[i]!)).toBeLessThanOrEqual(referenceTolerance));
    });

    it("reports a missing or mismatched adapter with a typed error", async () => {
        await expect(Reranker.load({ model: testModels.tiny, gpu: false, lora: path.join(workDir, "none.gguf") })).rejects.toBeInstanceOf(ModelNotFoundError);
        const notAnAdapter = path.join(workDir, "model-not-adapter.gguf");
        await writeMiniGemma(notAnAdapter);
        await expect(Reranker.load({ model: testModels.tiny, gpu: false, lora: notAnAdapter })).rejects.toThrow(/not a LoRA adapter/);
        await expect(Reranker.load({ model: testModels.tiny, gpu: false, lora: notAnAdapter })).rejects.toBeInstanceOf(InvalidModelFileError);
        await expect(Reranker.load({ model: adapterPath, gpu: false })).rejects.toThrow(/is a LoRA adapter, not a model/);
    });
});
