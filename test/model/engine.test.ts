import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortedError, DisposedError, Reranker } from "../../src/index.js";
import { samplePassages, sampleQuery } from "../helpers/pairs.js";
import { testModels } from "../helpers/testModels.js";
import { packingTolerance } from "../helpers/packingTolerance.js";

// The packing tolerance (src/bench/errorBudget.ts): a sequence scored among others, in any slot,
// matches its score alone within it.
// Repeated runs of the same concurrent scenario on a real context. The scheduler's interleavings
// themselves (aborts, close, fairness, slot reuse) are covered deterministically and exhaustively
// by test/unit/engine/*, against a KV-cache simulator; these runs check llama.cpp's side.
const repeats = 3;
// One llama.cpp thread: these tests check behaviour, not speed, and ggml's spinning thread barrier
// slows down many times over on a machine whose cores other work shares.

const queries = ["how do tides work?", "what colour are bananas?", "潮汐是什么?", "python sine function", ""];

/** 100 distinct calls: caller i scores 1–3 pairs of its own. */
function callerPairs(caller: number): [string, string][] {
    const count = 1 + (caller % 3);
    return Array.from(
        { length: count },
        (_, k) => [queries[caller % queries.length]!, samplePassages[(caller + k) % samplePassages.length]!] as [string, string]
    );
}

function expectClose(actual: number[], expected: number[]): void {
    expect(actual).toHaveLength(expected.length);
    actual.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThanOrEqual(packingTolerance));
}

describe("the scoring engine: concurrent calls share decodes", () => {
    let reranker: Reranker;
    /** Every distinct pair's score when scored alone, one call at a time. */
    const alone = new Map<string, number>();
    const aloneScore = (pair: [string, string]) => alone.get(JSON.stringify(pair))!;

    beforeAll(async () => {
        // Small batches, so that every call spans several decodes and calls overlap for real.
        reranker = await Reranker.load({ model: testModels.tiny, gpu: false, slots: 4, batchSize: 128, threads: 1 });
        for (let caller = 0; caller < 100; caller++) {
            for (const pair of callerPairs(caller)) {
                const key = JSON.stringify(pair);
                if (!alone.has(key)) alone.set(key, (await reranker.score([pair]))[0]!);
            }
        }
    });

    afterAll(async () => {
        await reranker?.dispose();
    });

    it(`gives each of 100 concurrent callers exactly its own scores (${repeats} runs)`, async () => {
        for (let run = 0; run < repeats; run++) {
            const results = await Promise.all(Array.from({ length: 100 }, (_, caller) => reranker.score(callerPairs(caller))));
            results.forEach((scores, caller) => expectClose(scores, callerPairs(caller).map(aloneScore)));
        }
    });

    it("packs concurrent single-pair calls into shared decodes instead of one decode each", async () => {
        // Room for four whole inputs per decode, so that packing is possible at all.
        const wide = await Reranker.load({ model: testModels.tiny, gpu: false, slots: 4, batchSize: 512, threads: 1 });
        try {
            const pairs = queries.flatMap((query) => samplePassages.slice(0, 2).map((passage) => [query, passage] as [string, string]));
            const expected: number[] = [];
            for (const pair of pairs) expected.push((await wide.score([pair]))[0]!);
            const before = wide.describe().engine.decodes;
            const results = await Promise.all(pairs.map((pair) => wide.score([pair])));
            const decodes = wide.describe().engine.decodes - before;
            expectClose(results.flat(), expected);
            // Serialized, each call would take at least one decode of its own.
            expect(decodes).toBeLessThan(pairs.length);
        } finally {
            await wide.dispose();
        }
    });

    it(`leaves the other callers' scores unchanged when one aborts (${repeats} runs)`, async () => {
        for (let run = 0; run < repeats; run++) {
            const controller = new AbortController();
            const victim = reranker.score(
                Array.from({ length: 40 }, (_, i) => [sampleQuery, samplePassages[i % samplePassages.length]!] as [string, string]),
                { signal: controller.signal, onProgress: () => controller.abort("stale query") }
            );
            const others = Array.from({ length: 10 }, (_, caller) => reranker.score(callerPairs(caller)));
            await expect(victim).rejects.toBeInstanceOf(AbortedError);
            const results = await Promise.all(others);
            results.forEach((scores, caller) => expectClose(scores, callerPairs(caller).map(aloneScore)));
        }
    });

    it("does not hold a short call behind a long one that arrived first", async () => {
        const order: string[] = [];
        const long = reranker
            .score(Array.from({ length: 200 }, (_, i) => [`long ${i % 7}`, samplePassages[i % samplePassages.length]!] as [string, string]))
            .then(() => order.push("long"));
        const short = reranker.score(callerPairs(2)).then(() => order.push("short"));
        await Promise.all([long, short]);
        expect(order).toEqual(["short", "long"]);
    });

    it("reports progress at decode boundaries, ending at the total", async () => {
        const seen: { done: number; total: number }[] = [];
        const pairs = samplePassages.map((passage) => [sampleQuery, passage] as [string, string]);
        await reranker.score(pairs, { onProgress: (progress) => seen.push(progress) });
        expect(seen.length).toBeGreaterThan(1);
        expect(seen.every(({ total }) => total === pairs.length)).toBe(true);
        expect(seen.map(({ done }) => done)).toEqual([...seen.map(({ done }) => done)].sort((a, b) => a - b));
        expect(seen.at(-1)!.done).toBe(pairs.length);
    });

    it("streams each pair's score as it finishes, equal to score(), and cancels the rest on break", async () => {
        const pairs = Array.from({ length: 24 }, (_, i) => [queries[i % 2]!, samplePassages[i % samplePassages.length]!] as [string, string]);
        const expected = await reranker.score(pairs, { normalize: true });
        const streamed = new Map<number, number>();
        for await (const { index, score } of reranker.scoreStream(pairs, { normalize: true })) streamed.set(index, score);
        expect([...streamed.keys()].sort((a, b) => a - b)).toEqual(pairs.map((_, i) => i));
        pairs.forEach((_, i) => expect(streamed.get(i)).toBe(expected[i]));

        const fresh = pairs.map(([, passage], i) => [`fresh ${i}`, passage] as [string, string]);
        const before = reranker.describe().engine.tokensEvaluated;
        let taken = 0;
        for await (const item of reranker.scoreStream(fresh)) {
            expect(Number.isFinite(item.score)).toBe(true);
            if (++taken === 2) break;
        }
        const tokensUntilBreak = reranker.describe().engine.tokensEvaluated - before;
        expect(reranker.describe().engine.pendingCalls).toBe(0);
        // Still usable after the break; the whole call costs more than the part the break left.
        let wholeCall = 0;
        await reranker.score(fresh, { onUsage: (usage) => (wholeCall = usage.tokensEvaluated) });
        expect(tokensUntilBreak).toBeLessThan(wholeCall);
    });
});

describe("dispose", () => {
    it(`rejects queued calls, stops the call in flight at the next decode, then frees (${repeats} runs)`, async () => {
        for (let run = 0; run < repeats; run++) {
            const reranker = await Reranker.load({ model: testModels.tiny, gpu: false, slots: 2, batchSize: 32, threads: 1 });
            const pairs = Array.from({ length: 300 }, (_, i) => [sampleQuery, samplePassages[i % samplePassages.length]!] as [string, string]);
            let progressCalls = 0;
            let disposing: Promise<void> | undefined;
            const inFlight = reranker.rerank(
                sampleQuery,
                pairs.map(([, passage]) => passage),
                {
                    onProgress: () => {
                        progressCalls++;
                        disposing ??= reranker.dispose();
                    }
                }
            );
            const queued = reranker.score(pairs.slice(0, 5));
            await expect(inFlight).rejects.toBeInstanceOf(DisposedError);
            await expect(queued!).rejects.toBeInstanceOf(DisposedError);
            await disposing;
            // It stopped at the first boundary after dispose(), far from the 300 pairs' end.
            expect(progressCalls).toBe(1);
            expect(reranker.disposed).toBe(true);
            expect(reranker.dispose()).toBe(disposing);
            await expect(reranker.score([["q", "p"]])).rejects.toBeInstanceOf(DisposedError);
        }
    });
});
