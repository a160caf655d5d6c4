import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { loadGoldenPairs } from "../../helpers/goldenPairs.js";
import { BertReference } from "../../reference/bert/BertReference.js";
import { ensureBertTinyModel } from "../../bert/bertTestModel.js";
import { bertErfGeluTolerance, bertPackedTolerance, bertTableGeluTolerance } from "../../bert/bertTolerance.js";

// One llama.cpp thread: on a shared, oversubscribed CPU ggml's spinning thread barrier turns each
// encode into a second of waiting; the arithmetic is the same.
const cpu = { gpu: false, threads: 1 } as const;

const pairs: [string, string][] = [...loadGoldenPairs(), ["Привет, как дела?", "Всё хорошо, спасибо!"], ["東京の人口は？", "東京都の人口は約1400万人です。"]];

describe("bge-reranker-v2-m3 on bert-tiny against the float64 XLM-R reference", () => {
    let reranker: Reranker;
    let packedDecodes = 0;
    let reference: BertReference;
    let packed: number[];
    let inputs: number[][];

    beforeAll(async () => {
        const model = await ensureBertTinyModel();
        reranker = await Reranker.load({ model, ...cpu });
        reference = BertReference.open(model);
        packed = await reranker.score(pairs, { onUsage: (usage) => (packedDecodes = usage.decodes) });
        inputs = await Promise.all(pairs.map(([query, passage]) => reranker.buildInput(query, passage)));
    });
    afterAll(() => reranker?.dispose());

    it("packs many pairs into one encode call", () => {
        expect(packedDecodes).toBeLessThan(pairs.length / 2);
        expect(Math.max(...inputs.map((input) => input.length))).toBe(512);
    });

    it("scores every pair as the reference with ggml's CPU GELU does, and near HF's erf GELU", () => {
        const tableErrors = inputs.map((input, i) => Math.abs(packed[i]! - reference.logits(input, "ggml-cpu-f16-table")[0]!));
        const erfErrors = inputs.map((input, i) => Math.abs(packed[i]! - reference.logits(input, "erf")[0]!));
        console.log(
            `bert-tiny: max |llama.cpp − reference| ${Math.max(...tableErrors).toExponential(2)} (ggml GELU), ${Math.max(...erfErrors).toExponential(2)} (erf GELU); mean ${(erfErrors.reduce((a, b) => a + b, 0) / erfErrors.length).toExponential(2)}`
        );
        for (const error of tableErrors) expect(error).toBeLessThan(bertTableGeluTolerance);
        for (const error of erfErrors) expect(error).toBeLessThan(bertErfGeluTolerance);
    });

    it("gives spread, distinct raw logits (no sigmoid) and sigmoid-normalized ones on request", async () => {
        expect(new Set(packed).size).toBe(packed.length);
        expect(Math.max(...packed) - Math.min(...packed)).toBeGreaterThan(1);
        expect(packed.some((score) => score < 0 || score > 1)).toBe(true);
        // the same three pairs in the same batch, raw: on a BLAS build a score depends on its batch
        const raw = await reranker.score(pairs.slice(0, 3));
        const normalized = await reranker.score(pairs.slice(0, 3), { normalize: true });
        normalized.forEach((score, i) => expect(score).toBeCloseTo(1 / (1 + Math.exp(-raw[i]!)), 6));
    });

    it("scores each pair alone as it scores it packed with others", async () => {
        const alone: number[] = [];
        for (const pair of pairs) alone.push((await reranker.score([pair]))[0]!);
        const differences = alone.map((score, i) => Math.abs(score - packed[i]!));
        console.log(`bert-tiny: max |alone − packed| ${Math.max(...differences).toExponential(2)}`);
        for (const difference of differences) expect(difference).toBeLessThan(bertPackedTolerance);
    });
});

describe("bge-reranker-v2-m3 sequence limits", () => {
    it("grows the encode batch to the longest input, so a long document is scored whole", async () => {
        const reranker = await Reranker.load({ model: await ensureBertTinyModel(), ...cpu, batchSize: 16 });
        try {
            expect(reranker.describe().settings.batchSize).toBe(512);
            const long = pairs.find(([, passage]) => passage.length > 2000)!;
            const input = await reranker.buildInput(long[0], long[1]);
            expect(input.length).toBe(512);
            const [score] = await reranker.score([long]);
            expect(Math.abs(score! - BertReference.open(await ensureBertTinyModel()).logits(input, "ggml-cpu-f16-table")[0]!)).toBeLessThan(
                bertTableGeluTolerance
            );
            // a ready-made sequence past the batch is refused with a typed error, never cut
            await expect(reranker.scoreTokens([[0, ...new Array(600).fill(500), 2]])).rejects.toMatchObject({ code: "ERR_SEQUENCE_TOO_LONG" });
            expect(await reranker.score([long])).toEqual([score]);
        } finally {
            await reranker.dispose();
        }
    });

    it("refuses a maxLength past the model's positions before llama.cpp sees it", async () => {
        await expect(Reranker.load({ model: await ensureBertTinyModel(), ...cpu, maxLength: 1024 })).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
    });
});
