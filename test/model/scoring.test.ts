import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortedError, InvalidArgumentError, Reranker } from "../../src/index.js";
import { sampleQuery, samplePassages } from "../helpers/pairs.js";
import { testModels } from "../helpers/testModels.js";
import { lastUsage } from "../helpers/lastUsage.js";
import { packingTolerance } from "../helpers/packingTolerance.js";

// Packing sequences into one llama_decode changes the order of floating-point reductions and which
// activations go through ggml's FP16 GELU table together: the packing tolerance, measured and
// justified in src/bench/errorBudget.ts (5e-5 on ggml's own kernels; 1e-3 on a local BLAS build,
// whose products depend on the batch's size). A sequence read from the wrong slot or position moves
// a score by ~0.1 (the spread of scores between these inputs), so the test still catches real mistakes.

describe.each([
    ["tiny", testModels.tiny],
    ["mid (GQA)", testModels.mid]
])("scoring on the %s model", (_name, modelPath) => {
    let reranker: Reranker;
    let sequences: number[][];
    let alone: number[];

    beforeAll(async () => {
        reranker = await Reranker.load({ model: modelPath, gpu: false, slots: 4, batchSize: 256 });
        sequences = await Promise.all(samplePassages.map((passage) => reranker.buildInput(sampleQuery, passage)));
        alone = [];
        for (const sequence of sequences) alone.push((await reranker.scoreTokens([sequence]))[0]!);
    });
    afterAll(() => reranker.dispose());

    it("gives different inputs different scores", () => {
        expect(new Set(alone).size).toBe(alone.length);
        expect(Math.max(...alone) - Math.min(...alone)).toBeGreaterThan(0.05);
    });

    it("scores a sequence inside a packed batch as it scores it alone, in any order, filler included", async () => {
        const fillerBefore = reranker.describe().engine.fillerTokens;
        const packed = await reranker.scoreTokens(sequences);
        // Finishing sequences were padded after their last token to keep each decode one micro-batch.
        expect(reranker.describe().engine.fillerTokens).toBeGreaterThan(fillerBefore);
        const reversedOrder = [...sequences.keys()].reverse();
        const reversed = await reranker.scoreTokens(reversedOrder.map((i) => sequences[i]!));
        const rotatedOrder = sequences.map((_, i) => (i + 3) % sequences.length);
        const rotated = await reranker.scoreTokens(rotatedOrder.map((i) => sequences[i]!));
        for (let i = 0; i < sequences.length; i++) {
            expect(Math.abs(packed[i]! - alone[i]!)).toBeLessThanOrEqual(packingTolerance);
            expect(Math.abs(reversed[i]! - alone[reversedOrder[i]!]!)).toBeLessThanOrEqual(packingTolerance);
            expect(Math.abs(rotated[i]! - alone[rotatedOrder[i]!]!)).toBeLessThanOrEqual(packingTolerance);
        }
    });

    it("gives the same bits for the same batch", async () => {
        expect(await reranker.scoreTokens(sequences)).toEqual(await reranker.scoreTokens(sequences));
    });

    it("scores a pair through score() bit for bit as scoreTokens(buildInput())", async () => {
        for (let i = 0; i < samplePassages.length; i++) {
            const [viaText] = await reranker.score([[sampleQuery, samplePassages[i]!]]);
            expect(viaText).toBe(alone[i]);
        }
    });

    it("returns scores in input order, with and without prefix sharing", async () => {
        const pairs = samplePassages.map((passage) => [sampleQuery, passage] as [string, string]);
        const shared = await reranker.score(pairs);
        const shuffledOrder = [5, 2, 7, 0, 3, 6, 1, 4];
        const shuffled = await reranker.score(shuffledOrder.map((i) => pairs[i]!));
        for (let i = 0; i < pairs.length; i++) {
            expect(Math.abs(shared[i]! - alone[i]!)).toBeLessThanOrEqual(packingTolerance);
            expect(Math.abs(shuffled[i]! - alone[shuffledOrder[i]!]!)).toBeLessThanOrEqual(packingTolerance);
        }
    });

    it("spans decodes when a batch holds fewer tokens than a sequence", async () => {
        const small = await Reranker.load({ model: modelPath, gpu: false, slots: 2, batchSize: 16 });
        try {
            const usage = lastUsage();
            const scores = await small.scoreTokens(sequences, { onUsage: usage.onUsage });
            for (let i = 0; i < sequences.length; i++) expect(Math.abs(scores[i]! - alone[i]!)).toBeLessThanOrEqual(packingTolerance);
            expect(usage.last.decodes).toBeGreaterThan(sequences.reduce((sum, s) => sum + s.length, 0) / 16 - 1);
        } finally {
            await small.dispose();
        }
    });

    it("ranks best first and normalizes with a sigmoid", async () => {
        const ranked = await reranker.rerank(sampleQuery, samplePassages, { topN: 3 });
        const order = [...alone.keys()].sort((a, b) => alone[b]! - alone[a]!);
        expect(ranked.map((result) => result.index)).toEqual(order.slice(0, 3));
        expect(ranked[0]!.passage).toBe(samplePassages[order[0]!]);
        const normalized = await reranker.score([[sampleQuery, samplePassages[0]!]], { normalize: true });
        expect(normalized[0]).toBeCloseTo(1 / (1 + Math.exp(-alone[0]!)), 6);
    });
});

describe("the process", () => {
    it("maps exactly one libllama", async () => {
        const reranker = await Reranker.load({ model: testModels.tiny, gpu: false });
        try {
            await reranker.score([["q", "p"]]);
            const mapped = new Set(
                readFileSync("/proc/self/maps", "utf8")
                    .split("\n")
                    .map((line) => line.split(/\s+/)[5] ?? "")
                    .filter((file) => /\/(lib)?llama(\.[\w.-]+)?\.(so|dylib)$/.test(file))
            );
            expect([...mapped]).toHaveLength(1);
            expect([...mapped][0]).toBe(reranker.describe().backend.libllamaPath);
        } finally {
            await reranker.dispose();
        }
    });
});

describe("query-prefix sharing", () => {
    it("evaluates exactly (P − 1) × prefix length fewer tokens, with the same scores", async () => {
        const shared = await Reranker.load({ model: testModels.mid, gpu: false, slots: 3, batchSize: 128 });
        const unshared = await Reranker.load({ model: testModels.mid, gpu: false, slots: 3, batchSize: 128, sharePrefix: false });
        try {
            const passages = samplePassages.filter((passage) => passage.length > 0);
            const inputs = await Promise.all(passages.map((passage) => shared.buildInput(sampleQuery, passage)));
            // The longest prefix all inputs share: [bos] + query + separator, and "B:" after it.
            let prefixLength = 0;
            while (inputs.every((tokens) => tokens[prefixLength] === inputs[0]![prefixLength])) prefixLength++;
            expect(prefixLength).toBeGreaterThan(5);

            const sharedUsage = lastUsage();
            const unsharedUsage = lastUsage();
            const sharedScores = await shared.rerank(sampleQuery, passages, { onUsage: sharedUsage.onUsage });
            const unsharedScores = await unshared.rerank(sampleQuery, passages, { onUsage: unsharedUsage.onUsage });
            const total = inputs.reduce((sum, tokens) => sum + tokens.length, 0);
            expect(unsharedUsage.last.inputTokens).toBe(total);
            expect(sharedUsage.last.inputTokens).toBe(total);
            expect(unsharedUsage.last.tokensEvaluated).toBe(total);
            expect(sharedUsage.last.tokensEvaluated).toBe(total - (passages.length - 1) * prefixLength);
            const byIndex = new Map(unsharedScores.map((result) => [result.index, result.score]));
            for (const result of sharedScores) expect(Math.abs(result.score - byIndex.get(result.index)!)).toBeLessThanOrEqual(packingTolerance);
        } finally {
            await shared.dispose();
            await unshared.dispose();
        }
    });

    it("groups pairs by query in score()", async () => {
        const reranker = await Reranker.load({ model: testModels.tiny, gpu: false });
        try {
            const pairs: [string, string][] = [
                ["first query", "alpha passage"],
                ["second query", "beta passage"],
                ["first query", "gamma passage"],
                ["second query", "delta passage"]
            ];
            const scores = await reranker.score(pairs);
            for (let i = 0; i < pairs.length; i++) {
                const [alone] = await reranker.score([pairs[i]!]);
                expect(Math.abs(scores[i]! - alone!)).toBeLessThanOrEqual(packingTolerance);
            }
        } finally {
            await reranker.dispose();
        }
    });
});

describe("the score cache", () => {
    it("returns remembered scores without evaluating again, and the same numbers", async () => {
        const reranker = await Reranker.load({ model: testModels.tiny, gpu: false, scoreCacheSize: 100 });
        try {
            const pairs = samplePassages.map((passage) => [sampleQuery, passage] as [string, string]);
            const usage = lastUsage();
            const first = await reranker.score(pairs, { onUsage: usage.onUsage });
            expect(usage.last.tokensEvaluated).toBeGreaterThan(0);
            expect(usage.last.cachedItems).toBe(0);
            const again = await reranker.score(pairs, { onUsage: usage.onUsage });
            expect(again).toEqual(first);
            expect(usage.last.tokensEvaluated).toBe(0);
            expect(usage.last.cachedItems).toBe(pairs.length);
            expect(reranker.describe().caches.scores.hits).toBe(pairs.length);
        } finally {
            await reranker.dispose();
        }
    });
});

describe("pairs of many different queries", () => {
    it("are still packed across slots, with the scores they get alone", async () => {
        const reranker = await Reranker.load({ model: testModels.tiny, gpu: false, slots: 4, batchSize: 512 });
        try {
            const pairs = samplePassages.map((passage, i) => [`query number ${i}`, passage] as [string, string]);
            const alone: number[] = [];
            for (const pair of pairs) alone.push((await reranker.score([pair]))[0]!);
            const usage = lastUsage();
            const together = await reranker.score(pairs, { onUsage: usage.onUsage });
            together.forEach((score, i) => expect(Math.abs(score - alone[i]!)).toBeLessThanOrEqual(packingTolerance));
            expect(usage.last.decodes).toBeLessThan(pairs.length);
        } finally {
            await reranker.dispose();
        }
    });
});

describe("cancellation", () => {
    it("stops at a decode boundary with AbortedError and leaves the reranker usable", async () => {
        const reranker = await Reranker.load({ model: testModels.tiny, gpu: false, slots: 2, batchSize: 16 });
        try {
            const passages = Array.from({ length: 12 }, (_, i) => `passage ${i} about the tides and the moon, `.repeat(4));
            const usage = lastUsage();
            const expected = await reranker.score(
                passages.map((passage) => [sampleQuery, passage] as [string, string]),
                { onUsage: usage.onUsage }
            );
            const decodesForAll = usage.last.decodes;

            const already = new AbortController();
            already.abort();
            await expect(reranker.rerank(sampleQuery, passages, { signal: already.signal })).rejects.toBeInstanceOf(AbortedError);

            const midway = new AbortController();
            const running = reranker.rerank(sampleQuery, passages, { signal: midway.signal, onUsage: usage.onUsage });
            // setImmediate runs before a second decode can complete: each completion needs its own
            // turn of the event loop, so the run is cut off after at most a couple of decodes.
            setImmediate(() => midway.abort());
            await expect(running).rejects.toBeInstanceOf(AbortedError);
            expect(usage.last.decodes).toBeGreaterThanOrEqual(1);
            expect(usage.last.decodes).toBeLessThan(decodesForAll);

            expect(await reranker.score(passages.map((passage) => [sampleQuery, passage] as [string, string]))).toEqual(expected);
            await expect(reranker.score([["q", "p"]], { signal: "nope" } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
        } finally {
            await reranker.dispose();
        }
    });
});
