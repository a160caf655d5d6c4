import { DecodeError, NonFiniteScoreError } from "../errors/errors.js";
import { RerankError } from "../errors/RerankError.js";
import type { ScoreHead } from "../heads/ScoreHead.js";
import type { PairEncoder } from "../input/PairEncoder.js";
import type { CallUsage } from "../RerankerOptions.js";
import { emptySchedulerStats, type SchedulerStats, type ScoringGroup, type ScoringSequence } from "./ScoringGroup.js";
import { sharedPrefixLength } from "./sharedPrefixLength.js";
import { entryOverheadBytes, LruCache, stringBytes, type CacheStats } from "../utils/LruCache.js";
import type { ScoringEngine } from "./ScoringEngine.js";

export type ScoringCallbacks = {
    signal?: AbortSignal;
    /** At decode boundaries: items finished so far (cached ones count at once) out of all. */
    onProgress?: (progress: { done: number; total: number }) => void;
    /** Each item's score as soon as it is known, in completion order. */
    onScore?: (index: number, score: number) => void;
    /** Once, when the call ends (successfully or not): what it cost. */
    onUsage?: (usage: CallUsage) => void;
};

export type PairScorerOptions = {
    engine: ScoringEngine;
    encoder: PairEncoder;
    head: ScoreHead;
    sharePrefix: boolean;
    scoreCacheSize: number;
    /** Byte budget of the score cache: an entry is its key (2 bytes per code unit of the pair's JSON), 8 for the score, and 128. Default: no bound. */
    scoreCacheBytes?: number;
    /** "profile P, weights W, KV cache K": what a NonFiniteScoreError reports besides the item. */
    precisionDetail: string;
};

/**
 * What a score call does between the API and the engine: the score cache, building inputs,
 * grouping pairs by query for prefix sharing, and turning the head's rows into checked scores.
 */
export class PairScorer {
    private readonly options: PairScorerOptions;
    private readonly cache: LruCache<string, number>;

    constructor(options: PairScorerOptions) {
        this.options = options;
        this.cache = new LruCache(options.scoreCacheSize, options.scoreCacheBytes, (key) => stringBytes(key) + 8 + entryOverheadBytes);
    }

    get cacheStats(): CacheStats {
        return this.cache.stats;
    }

    async scorePairs(pairs: readonly (readonly [string, string])[], callbacks: ScoringCallbacks): Promise<number[]> {
        const stats = emptySchedulerStats();
        const usage = { items: pairs.length, cachedItems: 0, inputTokens: 0, tokenizeMs: 0 };
        try {
            return await this.scorePairsCounted(pairs, callbacks, stats, usage);
        } finally {
            callbacks.onUsage?.({ ...usage, ...stats });
        }
    }

    private async scorePairsCounted(
        pairs: readonly (readonly [string, string])[],
        callbacks: ScoringCallbacks,
        stats: SchedulerStats,
        usage: { cachedItems: number; inputTokens: number; tokenizeMs: number }
    ): Promise<number[]> {
        const scores = new Array<number>(pairs.length);
        const useCache = this.options.scoreCacheSize > 0 && this.options.scoreCacheBytes !== 0;
        // Keys are built only when the cache is on: JSON of every passage is not free on a hot path.
        const cacheKeys = useCache ? pairs.map((pair) => JSON.stringify(pair)) : [];
        const uncached: number[] = [];
        pairs.forEach((_, index) => {
            const cached = useCache ? this.cache.get(cacheKeys[index]!) : undefined;
            if (cached === undefined) uncached.push(index);
            else {
                scores[index] = cached;
                callbacks.onScore?.(index, cached);
            }
        });
        usage.cachedItems = pairs.length - uncached.length;
        const tokenizeStart = performance.now();
        const tokens = await this.options.encoder.encode(
            uncached.map((index) => pairs[index]!),
            callbacks.signal
        );
        usage.tokenizeMs = performance.now() - tokenizeStart;
        for (const input of tokens) usage.inputTokens += input.length;
        // Without prefix sharing every pair joins one group: still packed across slots.
        const byQuery = new Map<string, ScoringSequence[]>();
        uncached.forEach((index, i) => {
            const key = this.options.sharePrefix ? pairs[index]![0] : "";
            if (!byQuery.has(key)) byQuery.set(key, []);
            byQuery.get(key)!.push({ index, tokens: tokens[i]! });
        });
        const evaluated = await this.evaluate(groupSequences([...byQuery.values()], this.options.sharePrefix), pairs.length, "pair", callbacks, scores, stats);
        for (const index of uncached) {
            scores[index] = evaluated[index]!;
            if (useCache) this.cache.set(cacheKeys[index]!, evaluated[index]!);
        }
        return scores;
    }

    async scoreSequences(sequences: Int32Array[], callbacks: ScoringCallbacks): Promise<number[]> {
        const groups = groupSequences([sequences.map((tokens, index) => ({ index, tokens }))], false);
        const stats = emptySchedulerStats();
        try {
            return await this.evaluate(groups, sequences.length, "sequence", callbacks, [], stats);
        } finally {
            const inputTokens = sequences.reduce((sum, sequence) => sum + sequence.length, 0);
            callbacks.onUsage?.({ items: sequences.length, cachedItems: 0, inputTokens, tokenizeMs: 0, ...stats });
        }
    }

    private async evaluate(
        groups: ScoringGroup[],
        count: number,
        item: string,
        callbacks: ScoringCallbacks,
        known: number[],
        stats: SchedulerStats
    ): Promise<number[]> {
        const { head, engine } = this.options;
        const scores = known;
        let done = known.filter((score) => score !== undefined).length;
        let firstNonFinite: NonFiniteScoreError | undefined;
        if (done > 0) callbacks.onProgress?.({ done, total: count });
        const onResult = (index: number, row: Float32Array) => {
            const score = head.score(row);
            scores[index] = score;
            done++;
            if (Number.isFinite(score)) callbacks.onScore?.(index, score);
            else firstNonFinite ??= new NonFiniteScoreError(index, score, `${item} ${index}; ${this.options.precisionDetail}`);
        };
        // An aborted or failed call counts too (stats): benchmarks and tests read how far it got.
        try {
            await engine.run(groups, count, {
                signal: callbacks.signal,
                onResult,
                onProgress: () => callbacks.onProgress?.({ done, total: count }),
                stats
            });
        } catch (error) {
            throw error instanceof RerankError ? error : new DecodeError(`llama.cpp failed to evaluate a batch: ${(error as Error).message}`, error);
        }
        // The lowest index names the pair, whatever order the sequences finished in.
        for (let index = 0; index < count; index++) {
            if (scores[index] !== undefined && !Number.isFinite(scores[index]!)) {
                throw new NonFiniteScoreError(index, scores[index]!, `${item} ${index}; ${this.options.precisionDetail}`);
            }
        }
        if (firstNonFinite) throw firstNonFinite;
        return scores;
    }
}

/**
 * Groups that share a prefix keep their own group; sequences that share nothing are packed
 * together, longest first, whatever group they came from: many distinct queries of one pair each
 * must still fill the slots.
 */
function groupSequences(groups: ScoringSequence[][], sharePrefix: boolean): ScoringGroup[] {
    const sharing: ScoringGroup[] = [];
    const unshared: ScoringSequence[] = [];
    for (const sequences of groups) {
        const prefixLength = sharePrefix && sequences.length > 1 ? sharedPrefixLength(sequences) : 0;
        if (prefixLength > 0) sharing.push({ prefixLength, sequences: longestFirst(sequences) });
        else unshared.push(...sequences);
    }
    return unshared.length > 0 ? [{ prefixLength: 0, sequences: longestFirst(unshared) }, ...sharing] : sharing;
}

// Longest first, as FlagEmbedding orders its batches: long sequences start early and short ones
// fill the gaps they leave in the last decodes.
export function longestFirst(sequences: ScoringSequence[]): ScoringSequence[] {
    return [...sequences].sort((a, b) => b.tokens.length - a.tokens.length || a.index - b.index);
}
