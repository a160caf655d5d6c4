/**
 * What the health check (src/health/checkModelHealth.ts) found wrong with a model file's output:
 * - HEALTH_NON_FINITE_SCORES: a canary pair scored NaN or ±Infinity;
 * - HEALTH_CONSTANT_SCORES: every canary pair scored the same, within float32 rounding;
 * - HEALTH_SATURATED_SCORES: every canary's probability is within float32 rounding of 0 (or of 1);
 * - HEALTH_INVERTED_RANKING: in every language the relevant passage scored below the irrelevant one.
 */
export type ModelHealthCode = "HEALTH_NON_FINITE_SCORES" | "HEALTH_CONSTANT_SCORES" | "HEALTH_SATURATED_SCORES" | "HEALTH_INVERTED_RANKING";

/** One finding, delivered through onWarning like every RerankWarning, with its parts apart. */
export type ModelHealthWarning = {
    code: ModelHealthCode;
    /** observed, cause and fix in one line: what onWarning's default prints. */
    message: string;
    /** What the canary scores showed, with the numbers. */
    observed: string;
    /** The likely cause, for this model's family and score head. */
    cause: string;
    /** What to do about it. */
    fix: string;
};

/** A built-in (or given) canary: one query, an obviously relevant and an obviously irrelevant passage. */
export type Canary = { language: string; query: string; relevant: string; irrelevant: string };

/** The two scores of one canary, as score() returns them (not normalized). */
export type CanaryScores = { language: string; relevant: number; irrelevant: number };

export type ModelHealthReport = {
    /**
     * "healthy": no finding; "degenerate": at least one; "skipped": the check could not be
     * meaningful for this model (notes say why) and scored nothing.
     */
    status: "healthy" | "degenerate" | "skipped";
    findings: ModelHealthWarning[];
    /** What the check did not judge, and why (random weights, a language the vocabulary cannot spell, ...). */
    notes: string[];
    /** "probability" for a softmax score (Qwen3-Reranker's P(yes)), else "logit" (a raw logit, sigmoid to normalize). */
    scale: "probability" | "logit";
    /** Whether the order of relevant and irrelevant passages was judged (not on random weights). */
    orderingJudged: boolean;
    canaries: CanaryScores[];
    /** What the check cost: pairs scored, tokens of their inputs, tokens decoded, wall time. */
    cost: { pairs: number; inputTokens: number; tokensEvaluated: number; milliseconds: number };
};
