import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../src/index.js";
import { loadGoldenPairs } from "../helpers/goldenPairs.js";
import { referenceTolerance } from "../helpers/referenceTolerance.js";
import { testModels } from "../helpers/testModels.js";
import { GemmaReference } from "../reference/GemmaReference.js";

const pairs = loadGoldenPairs();

describe.each([
    ["tiny (multi-query attention)", testModels.tiny],
    ["mid (grouped-query attention)", testModels.mid]
])("scores equal the float64 reference on the %s model", (_name, modelPath) => {
    let reranker: Reranker;
    let scores: number[];
    let expected: number[];

    beforeAll(async () => {
        reranker = await Reranker.load({ model: modelPath, gpu: false });
        scores = await reranker.score(pairs);
        const reference = GemmaReference.open(modelPath);
        const yesId = reranker.describe().scoreTokens[0]!.id;
        const inputs = await Promise.all(pairs.map(([query, passage]) => reranker.buildInput(query, passage)));
        expected = inputs.map((tokens) => reference.lastLogits(tokens, [yesId])[0]!);
    });
    afterAll(() => reranker.dispose());

    it("covers at least 30 pairs, including truncation and empty sides", async () => {
        expect(pairs.length).toBeGreaterThanOrEqual(30);
        expect(pairs.some(([query]) => query === "")).toBe(true);
        expect(pairs.some(([, passage]) => passage === "")).toBe(true);
        const inputs = await Promise.all(pairs.map(([query, passage]) => reranker.buildInput(query, passage)));
        const longest = Math.max(...inputs.map((tokens) => tokens.length));
        expect(longest).toBeGreaterThan(512);
    });

    it("matches pair by pair within the measured tolerance", () => {
        const errors = scores.map((score, i) => Math.abs(score - expected[i]!));
        expect(Math.max(...errors)).toBeLessThanOrEqual(referenceTolerance);
    });

    it("ranks the pairs in the reference's order", () => {
        for (let i = 0; i < pairs.length; i++) {
            for (let j = 0; j < pairs.length; j++) {
                // Pairs closer than the tolerance may legitimately swap.
                if (expected[i]! - expected[j]! > 2 * referenceTolerance) expect(scores[i]).toBeGreaterThan(scores[j]!);
            }
        }
    });

    it("reads the score at the last position: a shorter input scores differently", async () => {
        const [query, passage] = pairs[0]!;
        const tokens = await reranker.buildInput(query, passage);
        const reference = GemmaReference.open(modelPath);
        const yesId = reranker.describe().scoreTokens[0]!.id;
        const oneShorter = reference.lastLogits(tokens.slice(0, -1), [yesId])[0]!;
        expect(Math.abs(oneShorter - expected[0]!)).toBeGreaterThan(10 * referenceTolerance);
    });
});
