import { describe, expect, it } from "vitest";
import { PairScorer } from "../../../src/engine/PairScorer.js";
import { ScoringEngine } from "../../../src/engine/ScoringEngine.js";
import { sharedPrefixLength } from "../../../src/engine/sharedPrefixLength.js";
import { AbortedError, DecodeError, NonFiniteScoreError } from "../../../src/errors/errors.js";
import { FlagEmbeddingInputBuilder } from "../../../src/input/FlagEmbeddingInputBuilder.js";
import { PairEncoder } from "../../../src/input/PairEncoder.js";
import { TextTokenizer } from "../../../src/input/TextTokenizer.js";
import type { AddonModel } from "../../../src/native/AddonTypes.js";
import { getProfile } from "../../../src/profiles/loadProfiles.js";
import type { FlagEmbeddingProfile } from "../../../src/profiles/ModelProfile.js";
import type { CallUsage } from "../../../src/RerankerOptions.js";
import { expectedRow, FakeContext } from "../fakes/FakeContext.js";
import { twoColumnHead } from "../fakes/engineFixtures.js";

// A whole score call without a model: a fake tokenizer (one id per UTF-16 unit), the real
// FlagEmbedding input builder, PairScorer and the engine over the KV-cache simulator.

const bos = 2;

/** Tokenizes each UTF-16 unit as its code + 10; counts the native jobs. */
class FakeTokenizerModel implements Pick<AddonModel, "tokenize"> {
    jobs = 0;
    async tokenize(texts: string[]): Promise<Int32Array[]> {
        this.jobs++;
        return texts.map((text) => Int32Array.from(text, (unit) => unit.charCodeAt(0) + 10));
    }
}

async function scorerOver(options: { sharePrefix: boolean; scoreCacheSize?: number; slots?: number; batchSize?: number }) {
    const model = new FakeTokenizerModel();
    const tokenizer = await TextTokenizer.create(model as unknown as AddonModel, { cacheEntries: 100, matchHfSpaceRuns: false, userDefinedLiterals: [] });
    const profile = getProfile("bge-reranker-v2-gemma") as FlagEmbeddingProfile;
    const builder = new FlagEmbeddingInputBuilder(bos, profile, 64, await tokenizer.tokenize("Yes?"), await tokenizer.tokenize("\n"));
    const encoder = new PairEncoder(tokenizer, builder);
    const slots = options.slots ?? 3;
    const batchSize = options.batchSize ?? 16;
    const context = new FakeContext({ sequences: slots, batchSize });
    const engine = new ScoringEngine(context, { slots, batchSize, head: twoColumnHead });
    const scorer = new PairScorer({
        engine,
        encoder,
        head: twoColumnHead,
        sharePrefix: options.sharePrefix,
        scoreCacheSize: options.scoreCacheSize ?? 0,
        precisionDetail: "fake"
    });
    return { scorer, context, encoder, model };
}

const pairs: [string, string][] = [
    ["how do tides work?", "The moon pulls the sea."],
    ["how do tides work?", "Bananas are yellow."],
    ["how do tides work?", "Tides rise twice a day, as the earth turns."],
    ["python sine", "math.sin(x)"],
    ["how do tides work?", ""]
];

describe("PairScorer over the fake context", () => {
    it("scores each pair as its built input decoded alone, with or without prefix sharing", async () => {
        const shared = await scorerOver({ sharePrefix: true });
        const unshared = await scorerOver({ sharePrefix: false });
        const inputs = await shared.encoder.encode(pairs);
        const expected = inputs.map((tokens) => twoColumnHead.score(expectedRow(tokens, twoColumnHead.outputTokenIds)));
        expect(await shared.scorer.scorePairs(pairs, {})).toEqual(expected);
        expect(await unshared.scorer.scorePairs(pairs, {})).toEqual(expected);
        // The four pairs of one query share [bos] + query + separator: decoded once instead of four times.
        const tides = inputs.filter((_, i) => pairs[i]![0] === "how do tides work?").map((tokens, index) => ({ index, tokens }));
        const saved = 3 * sharedPrefixLength(tides);
        expect(sharedPrefixLength(tides)).toBeGreaterThan("how do tides work?".length);
        expect(unshared.context.tokensDecoded - shared.context.tokensDecoded).toBe(saved);
        // Every text of the call is tokenized in one native job.
        expect(shared.model.jobs).toBe(1 + 2);
    });

    it("counts usage and progress, and answers repeated pairs from the score cache without a decode", async () => {
        const { scorer, context } = await scorerOver({ sharePrefix: true, scoreCacheSize: 10 });
        let usage: CallUsage | undefined;
        const progress: number[] = [];
        const streamed = new Map<number, number>();
        const first = await scorer.scorePairs(pairs, {
            onUsage: (value) => (usage = value),
            onProgress: ({ done, total }) => (expect(total).toBe(pairs.length), progress.push(done)),
            onScore: (index, score) => streamed.set(index, score)
        });
        expect(usage!.items).toBe(pairs.length);
        expect(usage!.cachedItems).toBe(0);
        expect(usage!.tokensEvaluated).toBe(context.tokensDecoded);
        expect(usage!.decodes).toBe(context.calls.length);
        expect(progress.at(-1)).toBe(pairs.length);
        expect([...progress].sort((a, b) => a - b)).toEqual(progress);
        expect(first.map((_, i) => streamed.get(i))).toEqual(first);
        const decodes = context.calls.length;
        const again = await scorer.scorePairs([pairs[2]!, pairs[0]!], { onUsage: (value) => (usage = value) });
        expect(again).toEqual([first[2], first[0]]);
        expect(context.calls).toHaveLength(decodes);
        expect(usage!.cachedItems).toBe(2);
        expect(scorer.cacheStats.hits).toBe(2);
    });

    it("names the lowest index whose score is not finite", async () => {
        const { scorer, context } = await scorerOver({ sharePrefix: true });
        // "~" is tokenized as 126 + 10: the pairs holding it score NaN.
        context.poisonToken = "~".charCodeAt(0) + 10;
        const poisoned: [string, string][] = [
            ["q", "fine"],
            ["q", "bad ~"],
            ["q", "also ~ bad"]
        ];
        const error = await scorer.scorePairs(poisoned, {}).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(NonFiniteScoreError);
        expect((error as Error).message).toContain("pair 1");
    });

    it("wraps a native decode failure in DecodeError and passes the library's own errors through", async () => {
        const failing = await scorerOver({ sharePrefix: true });
        failing.context.fail(0, new Error("llama_decode failed with status -3"));
        const error = await failing.scorer.scorePairs(pairs, {}).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(DecodeError);
        expect((error as Error).message).toContain("status -3");
        const aborted = await scorerOver({ sharePrefix: true });
        await expect(aborted.scorer.scorePairs(pairs, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    });
});
