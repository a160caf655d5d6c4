import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { Qwen3Reference } from "../../reference/qwen3/Qwen3Reference.js";
import { qwen3Pairs } from "../../qwen3/qwen3Pairs.js";
import { ensureQwen3TinyModel } from "../../qwen3/qwen3TestModel.js";
import { logitDifferenceTolerance, scoreTolerance } from "../../qwen3/qwen3Tolerance.js";

/** The model card's score from the reference's logits: softmax over [no, yes], the "yes" entry. */
function referenceScore(reference: Qwen3Reference, tokens: number[], [yes, no]: number[]): { score: number; logitDifference: number } {
    const [yesLogit, noLogit] = reference.lastLogits(tokens, [yes!, no!]);
    const logitDifference = yesLogit! - noLogit!;
    return { score: Math.exp(yesLogit!) / (Math.exp(yesLogit!) + Math.exp(noLogit!)), logitDifference };
}

describe.each([
    ["default settings", {}],
    ["maxLength 120 (the long document cut)", { maxLength: 120 }],
    ["one slot, no shared prefix", { slots: 1, sharePrefix: false }]
] as const)("Qwen3-Reranker scores against the float64 reference, %s", (_, options) => {
    let reranker: Reranker;
    let reference: Qwen3Reference;
    let scores: number[];
    let expected: { score: number; logitDifference: number }[];

    beforeAll(async () => {
        const model = await ensureQwen3TinyModel();
        reranker = await Reranker.load({ model, gpu: false, ...options });
        reference = Qwen3Reference.open(model);
        scores = await reranker.score(qwen3Pairs);
        const scoreIds = reranker.describe().scoreTokens.map(({ id }) => id);
        const inputs = await Promise.all(qwen3Pairs.map(([query, document]) => reranker.buildInput(query, document)));
        expected = inputs.map((tokens) => referenceScore(reference, tokens, scoreIds));
    });
    afterAll(() => reranker?.dispose());

    it("scores every pair within the tolerance, in probability and in l_yes − l_no", () => {
        expect(qwen3Pairs.length).toBeGreaterThanOrEqual(12);
        qwen3Pairs.forEach((_, i) => {
            expect(Math.abs(scores[i]! - expected[i]!.score)).toBeLessThan(scoreTolerance);
            // the score is a sigmoid of the F32 logit difference, so the difference can be read back
            const logitDifference = Math.log(scores[i]! / (1 - scores[i]!));
            expect(Math.abs(logitDifference - expected[i]!.logitDifference)).toBeLessThan(logitDifferenceTolerance);
        });
    });

    it("orders every two pairs as the reference does, where the reference tells them apart", () => {
        for (let i = 0; i < scores.length; i++) {
            for (let j = i + 1; j < scores.length; j++) {
                const gap = expected[i]!.score - expected[j]!.score;
                if (Math.abs(gap) > 2 * scoreTolerance) expect(Math.sign(scores[i]! - scores[j]!)).toBe(Math.sign(gap));
            }
        }
    });

    it("gives scores spread over much of (0, 1), not a constant", () => {
        expect(new Set(scores).size).toBe(scores.length);
        expect(Math.max(...scores) - Math.min(...scores)).toBeGreaterThan(0.3);
    });
});
