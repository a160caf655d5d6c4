import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { Qwen3RankHead } from "../../reference/qwen3/Qwen3RankHead.js";
import { qwen3Pairs } from "../../qwen3/qwen3Pairs.js";
import { ensureQwen3TiedRankModel, ensureQwen3UntiedRankModel } from "../../qwen3/qwen3RankTestModels.js";
import { logitDifferenceTolerance, scoreTolerance } from "../../qwen3/qwen3Tolerance.js";

// Rank pooling on Qwen3 runs llama.cpp's embeddings mode, which computes the whole LM head for
// every token: a few short pairs keep it quick. One thread: see bertScores.test.ts.
const pairs = qwen3Pairs.slice(0, 6);
const cpu = { gpu: false, threads: 1, batchSize: 256 } as const;

describe.each([
    ["untied (4B/8B layout: own head rows, no output.weight)", ensureQwen3UntiedRankModel, {}],
    ["tied, rank head forced", ensureQwen3TiedRankModel, { scoreHead: "rank" as const }]
])("Qwen3-Reranker rank head, %s, against the float64 reference", (_, ensureModel, options) => {
    let reranker: Reranker;
    let head: Qwen3RankHead;
    let scores: number[];
    let inputs: number[][];

    beforeAll(async () => {
        const model = await ensureModel();
        reranker = await Reranker.load({ model, ...cpu, ...options });
        head = Qwen3RankHead.open(model);
        scores = await reranker.score(pairs);
        inputs = await Promise.all(pairs.map(([query, document]) => reranker.buildInput(query, document)));
    });
    afterAll(() => reranker?.dispose());

    it("reads the head through rank pooling", () => {
        expect(reranker.describe().scoreHead).toEqual({ kind: "rank-pooling", labels: ["yes", "no"] });
    });

    it("gives P(yes) of the head's softmax, within the Qwen3 tolerances", () => {
        const errors = inputs.map((input, i) => {
            const { probabilities, logits } = head.scores(input);
            const logitDifference = Math.log(scores[i]! / (1 - scores[i]!));
            return { score: Math.abs(scores[i]! - probabilities[0]), difference: Math.abs(logitDifference - (logits[0] - logits[1])) };
        });
        console.log(
            `qwen3 rank: max |Δscore| ${Math.max(...errors.map((e) => e.score)).toExponential(2)}, max |Δ(l_yes − l_no)| ${Math.max(...errors.map((e) => e.difference)).toExponential(2)}`
        );
        for (const error of errors) {
            expect(error.score).toBeLessThan(scoreTolerance);
            expect(error.difference).toBeLessThan(logitDifferenceTolerance);
        }
        expect(Math.max(...scores) - Math.min(...scores)).toBeGreaterThan(0.05);
    });

    it("scores each pair alone as packed with others", async () => {
        for (const [i, pair] of pairs.slice(0, 3).entries()) expect(Math.abs((await reranker.score([pair]))[0]! - scores[i]!)).toBeLessThan(scoreTolerance);
    });
});

describe("Qwen3-Reranker head choice", () => {
    it("scores a tied file through the logits by default, equal to its rank head", async () => {
        const model = await ensureQwen3TiedRankModel();
        const byLogits = await Reranker.load({ model, ...cpu });
        try {
            expect(byLogits.describe().scoreHead.kind).toBe("logits");
            const head = Qwen3RankHead.open(model);
            const scores = await byLogits.score(pairs.slice(0, 3));
            for (const [i, [query, document]] of pairs.slice(0, 3).entries())
                expect(Math.abs(scores[i]! - head.scores(await byLogits.buildInput(query, document)).probabilities[0])).toBeLessThan(scoreTolerance);
        } finally {
            await byLogits.dispose();
        }
    });

    it("refuses the logits path on an untied file, whose logits would come from token_embd", async () => {
        await expect(Reranker.load({ model: await ensureQwen3UntiedRankModel(), ...cpu, scoreHead: "logits" })).rejects.toMatchObject({
            code: "ERR_UNSUPPORTED_MODEL",
            message: expect.stringMatching(/untied reranker head/)
        });
    });
});
