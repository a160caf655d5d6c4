import { NonFiniteScoreError } from "../errors/errors.js";
import type { CallUsage } from "../RerankerOptions.js";
import { builtinCanaries } from "./canaryPairs.js";
import { diagnoseCanaryScores, type ScoreFamily } from "./diagnoseCanaryScores.js";
import type { Canary, CanaryScores, ModelHealthReport } from "./ModelHealth.js";

/** What the check needs of a reranker: the public calls, nothing of its insides. */
export interface CanaryTarget {
    buildInput(query: string, passage: string): Promise<number[]>;
    score(pairs: [string, string][], options?: { onUsage?: (usage: CallUsage) => void }): Promise<number[]>;
}

export type HealthCheckFacts = ScoreFamily & {
    /** One of llm-rerank's generated test models (llm_rerank.test_model.* keys): seeded random weights. */
    randomWeights: boolean;
    /** The vocabulary's unknown-token ids (token type 2): a canary whose input holds one cannot be judged. */
    unknownTokenIds: ReadonlySet<number>;
    /** The profile's token budget, for the note when it cuts the canaries. */
    maxLength: number;
};

export type HealthCheckOptions = {
    /** At load, a model with random weights is not checked at all: its canaries mean nothing. */
    atLoad: boolean;
    /** Default: the built-in canaries. */
    canaries?: readonly Canary[];
};

/**
 * Scores the canaries once and judges the scores (diagnoseCanaryScores). It does not run where it
 * cannot mean anything: at load on random weights (llm-rerank's own test models); when the
 * vocabulary cannot spell a canary (that one is left out); when the profile's truncation leaves two
 * canary inputs the same. On random weights asked for explicitly, the order of relevant and
 * irrelevant passages is not judged: only constant, saturated and non-finite output is.
 */
export async function checkModelHealth(target: CanaryTarget, facts: HealthCheckFacts, options: HealthCheckOptions): Promise<ModelHealthReport> {
    const started = performance.now();
    const notes: string[] = [];
    const skipped = (note: string): ModelHealthReport => ({
        status: "skipped",
        findings: [],
        notes: [...notes, note],
        scale: facts.scale,
        orderingJudged: false,
        canaries: [],
        cost: { pairs: 0, inputTokens: 0, tokensEvaluated: 0, milliseconds: performance.now() - started }
    });
    if (options.atLoad && facts.randomWeights)
        return skipped(
            "random weights (an llm-rerank generated test model): canaries mean nothing there, so nothing is checked at load (checkHealth() checks all but the order)"
        );

    const canaries: Canary[] = [];
    const inputs = new Set<string>();
    let repeated = false;
    for (const canary of options.canaries ?? builtinCanaries) {
        const built = [await target.buildInput(canary.query, canary.relevant), await target.buildInput(canary.query, canary.irrelevant)];
        if (built.some((tokens) => tokens.some((id) => facts.unknownTokenIds.has(id)))) {
            notes.push(`the ${canary.language} canary was left out: the vocabulary has no tokens for some of its text`);
            continue;
        }
        for (const tokens of built) {
            const key = tokens.join(",");
            repeated ||= inputs.has(key);
            inputs.add(key);
        }
        canaries.push(canary);
    }
    if (repeated) return skipped(`maxLength ${facts.maxLength} cuts two canary inputs to the same tokens, so their scores cannot differ`);
    if (canaries.length === 0) return skipped("the vocabulary cannot spell any canary");

    const pairs = canaries.flatMap((canary): [string, string][] => [
        [canary.query, canary.relevant],
        [canary.query, canary.irrelevant]
    ]);
    const cost = { pairs: pairs.length, inputTokens: 0, tokensEvaluated: 0, milliseconds: 0 };
    const count = (usage: CallUsage) => {
        cost.inputTokens += usage.inputTokens;
        cost.tokensEvaluated += usage.tokensEvaluated;
    };
    const scores = await scoreKeepingNonFinite(target, pairs, count);
    const canaryScores: CanaryScores[] = canaries.map((canary, i) => ({ language: canary.language, relevant: scores[2 * i]!, irrelevant: scores[2 * i + 1]! }));
    const judgeOrdering = !facts.randomWeights;
    if (!judgeOrdering) notes.push(randomWeightsNote);
    const diagnosis = diagnoseCanaryScores(canaryScores, facts, judgeOrdering);
    cost.milliseconds = performance.now() - started;
    return {
        status: diagnosis.findings.length > 0 ? "degenerate" : "healthy",
        findings: diagnosis.findings,
        notes: [...notes, ...diagnosis.notes],
        scale: facts.scale,
        orderingJudged: judgeOrdering,
        canaries: canaryScores,
        cost
    };
}

const randomWeightsNote = "random weights (an llm-rerank generated test model): which passage ranks first means nothing, so the order is not judged";

// score() refuses a call with a non-finite score: the pairs are then scored one by one, so the
// report still shows every canary's value.
async function scoreKeepingNonFinite(target: CanaryTarget, pairs: [string, string][], onUsage: (usage: CallUsage) => void): Promise<number[]> {
    try {
        return await target.score(pairs, { onUsage });
    } catch (error) {
        if (!(error instanceof NonFiniteScoreError)) throw error;
        const scores: number[] = [];
        for (const pair of pairs)
            scores.push(
                await target.score([pair], { onUsage }).then(
                    (s) => s[0]!,
                    (e: unknown) => (e instanceof NonFiniteScoreError ? e.value : Promise.reject(e))
                )
            );
        return scores;
    }
}
