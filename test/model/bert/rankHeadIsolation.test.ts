import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker, SequenceTooLongError } from "../../../src/index.js";
import { loadGoldenPairs } from "../../helpers/goldenPairs.js";
import { ensureQwen3UntiedRankModel } from "../../qwen3/qwen3RankTestModels.js";
import { ensureBertTinyModel } from "../../bert/bertTestModel.js";

// Rank-head models through isolation: "process" (a real child from dist/isolation/
// isolatedChildMain.js): the rankPooling context option and the model's classifierOutputs travel
// as plain data, and the child's decode returns the pooled rows. The same engine runs in both
// modes, so the scores must be bit for bit those of the in-process reranker.
const pairs = loadGoldenPairs().slice(0, 6);
const cpu = { gpu: false, threads: 1 } as const;

describe.each([
    ["bge-reranker-v2-m3 on bert-tiny (encoder, no KV memory)", ensureBertTinyModel, {}],
    ["Qwen3 untied rank head (rank pooling with prefix sharing)", ensureQwen3UntiedRankModel, { batchSize: 256 }]
])('rank head, %s, with isolation: "process"', (_, ensureModel, options) => {
    let inProcess: Reranker;
    let isolated: Reranker;

    beforeAll(async () => {
        const model = await ensureModel();
        inProcess = await Reranker.load({ model, ...cpu, ...options });
        isolated = await Reranker.load({ model, ...cpu, ...options, isolation: "process" });
    });

    afterAll(async () => {
        await inProcess?.dispose();
        await isolated?.dispose();
    });

    it("scores as the in-process mode, bit for bit", async () => {
        expect(isolated.describe().backend.isolation).toBe("process");
        expect(isolated.describe().scoreHead).toEqual(inProcess.describe().scoreHead);
        expect(isolated.describe().scoreHead.kind).toBe("rank-pooling");
        const scores = await isolated.score(pairs);
        expect(scores.every(Number.isFinite)).toBe(true);
        expect(scores).toEqual(await inProcess.score(pairs));
    });

    it("refuses a sequence longer than the context holds and stays usable", async () => {
        const capacity = inProcess.describe().settings.batchSize;
        const tooLong = [Array.from({ length: capacity * 64 }, () => 5)];
        await expect(isolated.scoreTokens(tooLong)).rejects.toBeInstanceOf(SequenceTooLongError);
        const input = await isolated.buildInput(pairs[0]![0], pairs[0]![1]);
        expect(await isolated.scoreTokens([input])).toEqual(await inProcess.scoreTokens([input]));
    });
});
