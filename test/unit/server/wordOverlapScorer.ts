import type { RerankOptions, RerankResult, ScoreOptions, StreamedScore } from "../../../src/RerankerOptions.js";
import type { Scorer, ScorerDescription } from "../../../src/Scorer.js";

const words = (text: string) => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/**
 * A Scorer without a model, for route tests: the raw score of a pair is how many distinct query
 * words the document contains, minus 0.5; normalized, its sigmoid. Deterministic and computed from
 * the texts, so an answer can be checked against `rawScoreOf`. `calls` records every pair list it
 * was asked to score: a refused request must leave it untouched.
 */
export class WordOverlapScorer implements Scorer {
    readonly calls: [string, string][][] = [];
    // A query shared by many pairs is split into words once.
    private readonly wordsOf = new Map<string, string[]>();

    static rawScoreOf(query: string, document: string): number {
        const inDocument = new Set(words(document));
        return [...new Set(words(query))].filter((word) => inDocument.has(word)).length - 0.5;
    }

    private cachedWords(text: string): string[] {
        let found = this.wordsOf.get(text);
        if (found === undefined) this.wordsOf.set(text, (found = [...new Set(words(text))]));
        return found;
    }

    async score(pairs: [string, string][], options: ScoreOptions = {}): Promise<number[]> {
        this.calls.push(pairs);
        options.signal?.throwIfAborted();
        const scores = pairs.map(([query, document]) => {
            const inDocument = new Set(this.cachedWords(document));
            const raw = this.cachedWords(query).filter((word) => inDocument.has(word)).length - 0.5;
            return options.normalize ? 1 / (1 + Math.exp(-raw)) : raw;
        });
        const inputTokens = pairs.reduce((sum, [query, document]) => sum + this.cachedWords(query).length + this.cachedWords(document).length, 0);
        options.onUsage?.({
            items: pairs.length,
            cachedItems: 0,
            inputTokens,
            tokensEvaluated: inputTokens,
            fillerTokens: 0,
            decodes: 1,
            sharedDecodes: 0,
            tokenizeMs: 0,
            queueMs: 0,
            computeMs: 0
        });
        return scores;
    }

    async rerank(query: string, passages: string[], options: RerankOptions = {}): Promise<RerankResult[]> {
        const scores = await this.score(
            passages.map((passage) => [query, passage]),
            options
        );
        return scores
            .map((score, index) => ({ index, score, passage: passages[index]! }))
            .sort((a, b) => b.score - a.score || a.index - b.index)
            .slice(0, options.topN ?? passages.length);
    }

    async *scoreStream(pairs: [string, string][], options: ScoreOptions = {}): AsyncIterable<StreamedScore> {
        const scores = await this.score(pairs, options);
        for (const [index, score] of scores.entries()) yield { index, score };
    }

    describe(): ScorerDescription {
        return { model: { name: "word-overlap" }, profile: null, normalize: "sigmoid" };
    }

    async dispose(): Promise<void> {}
}
