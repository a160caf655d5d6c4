import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { Qwen2Reference } from "../../reference/qwen2/Qwen2Reference.js";
import { hfTokenId, mxbaiReferenceInput } from "../../qwen2/mxbaiReferenceInput.js";
import { mxbaiPairs } from "../../qwen2/mxbaiPairs.js";
import { ensureQwen2TinyModel } from "../../qwen2/qwen2TestModel.js";
import { logitDifferenceTolerance, normalizedScoreTolerance } from "../../qwen2/qwen2Tolerance.js";

const one = hfTokenId("1");
const zero = hfTokenId("0");
let reference: Qwen2Reference;
/** The reference's l("1") − l("0") per input, computed once for inputs both configurations share. */
const referenceScores = new Map<string, number>();

/** mixedbread's forward(): logits[-1, yes_loc] − logits[-1, no_loc], on the float64 reference. */
function referenceScore(tokens: number[]): number {
    const key = tokens.join(",");
    let score = referenceScores.get(key);
    if (score === undefined) {
        const [yes, no] = reference.lastLogits(tokens, [one, zero]);
        score = yes! - no!;
        referenceScores.set(key, score);
    }
    return score;
}

beforeAll(async () => {
    reference = Qwen2Reference.open(await ensureQwen2TinyModel());
});

describe.each([
    ["default settings (maxLength 8192, every pair whole)", {}],
    ["maxLength 120 (the long document cut), one slot, no shared prefix", { maxLength: 120, slots: 1, sharePrefix: false }]
] as const)("mxbai-rerank-v2 scores against the float64 reference, %s", (_, options) => {
    let reranker: Reranker;
    let scores: number[];
    let normalized: number[];
    let expected: number[];

    beforeAll(async () => {
        reranker = await Reranker.load({ model: await ensureQwen2TinyModel(), gpu: false, ...options });
        [scores, normalized] = await Promise.all([reranker.score(mxbaiPairs), reranker.score(mxbaiPairs, { normalize: true })]);
        const maxLength = reranker.describe().maxLength;
        // the input is mixedbread's (mxbaiInput.test.ts checks it token for token on more texts)
        expected = mxbaiPairs.map(([query, document]) => referenceScore(mxbaiReferenceInput(query, document, { maxLength })));
    });
    afterAll(() => reranker?.dispose());

    it("scores every pair as l(1) − l(0) within the tolerance", () => {
        expect(mxbaiPairs.length).toBeGreaterThanOrEqual(12);
        mxbaiPairs.forEach((_, i) => expect(Math.abs(scores[i]! - expected[i]!)).toBeLessThan(logitDifferenceTolerance));
    });

    it("normalizes to sigmoid(l(1) − l(0)), P(1) over the two tokens", () => {
        mxbaiPairs.forEach((_, i) => expect(Math.abs(normalized[i]! - 1 / (1 + Math.exp(-expected[i]!)))).toBeLessThan(normalizedScoreTolerance));
    });

    it("orders every two pairs as the reference does, where the reference tells them apart", () => {
        for (let i = 0; i < scores.length; i++) {
            for (let j = i + 1; j < scores.length; j++) {
                const gap = expected[i]! - expected[j]!;
                if (Math.abs(gap) > 2 * logitDifferenceTolerance) expect(Math.sign(scores[i]! - scores[j]!)).toBe(Math.sign(gap));
            }
        }
    });

    it("is detected from the architecture and the name, scoring the first ids of '1' and '0', with no instruction", () => {
        const description = reranker.describe();
        expect(description.profile).toBe("mxbai-rerank-v2");
        expect(description.scoreTokens).toEqual([
            { text: "1", id: one },
            { text: "0", id: zero }
        ]);
        expect(description.prompt).toBe("");
    });

    it("gives scores that differ between pairs, not a constant", () => {
        expect(new Set(scores).size).toBe(scores.length);
        expect(Math.max(...scores) - Math.min(...scores)).toBeGreaterThan(1);
    });
});
