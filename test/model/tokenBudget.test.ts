import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../src/index.js";
import type { AddonBatch, AddonContext } from "../../src/native/AddonTypes.js";
import { samplePassages } from "../helpers/pairs.js";
import { testModels } from "../helpers/testModels.js";
import { packingTolerance } from "../helpers/packingTolerance.js";

// Issue: batching bounded by tokens, not by 4 slots. With the default settings on the CPU, a decode
// takes as many sequences as fit its token budget from every pending call.

/** Watches the engine's decodes through the load's seam: how many sequences each one held. */
function watchDecodes(context: AddonContext, sequencesPerDecode: number[]): AddonContext {
    return {
        decode(batch: AddonBatch, scoreTokenIds: Int32Array, memoryEdits: Int32Array) {
            sequencesPerDecode.push(new Set(batch.sequenceIds).size);
            return context.decode(batch, scoreTokenIds, memoryEdits);
        },
        describe: () => context.describe(),
        dispose: () => context.dispose()
    };
}

describe("decodes filled up to the token budget", () => {
    let reranker: Reranker;
    const sequencesPerDecode: number[] = [];

    beforeAll(async () => {
        reranker = await Reranker.loadWith(
            { model: testModels.tiny, gpu: false, threads: 1 },
            { observeContext: (context) => watchDecodes(context, sequencesPerDecode) }
        );
    });
    afterAll(() => reranker?.dispose());

    it("gives the CPU more than 4 slots by default, within its KV budget", () => {
        const { settings } = reranker.describe();
        expect(settings.slots).toBeGreaterThan(4);
        expect(settings.sizing!.kvBytes).toBeLessThanOrEqual(512 * 2 ** 20);
        expect(settings.batchSize).toBe(512);
    });

    it("packs 32 concurrent 3-document requests into decodes of more than 4 sequences, with the scores each gets alone", async () => {
        const requests = Array.from({ length: 32 }, (_, r) => ({
            query: `question number ${r} about the sea`,
            passages: [0, 1, 2].map((k) => samplePassages[(r + k) % samplePassages.length]!)
        }));
        const alone: number[][] = [];
        for (const { query, passages } of requests) alone.push(await reranker.score(passages.map((passage) => [query, passage] as [string, string])));
        sequencesPerDecode.length = 0;
        const together = await Promise.all(
            requests.map(({ query, passages }) => reranker.score(passages.map((passage) => [query, passage] as [string, string])))
        );
        together.forEach((scores, r) => scores.forEach((score, k) => expect(Math.abs(score - alone[r]![k]!)).toBeLessThanOrEqual(packingTolerance)));
        // 96 short sequences: with 4 slots no decode could hold more than 4.
        expect(Math.max(...sequencesPerDecode)).toBeGreaterThan(4);
        // and far fewer decodes than the 96 / 4 = 24 that 4 slots need at the least
        expect(sequencesPerDecode.length).toBeLessThan(24);
    });

    it("still bounds a decode by its token budget: a long call spans decodes", async () => {
        const long = Array.from({ length: 12 }, (_, i) => ["tides", `passage ${i} `.repeat(60)] as [string, string]);
        sequencesPerDecode.length = 0;
        let tokens = 0;
        await reranker.score(long, { onUsage: (usage) => (tokens = usage.tokensEvaluated) });
        expect(tokens).toBeGreaterThan(512);
        expect(sequencesPerDecode.length).toBeGreaterThanOrEqual(Math.ceil(tokens / 512));
    });
});
