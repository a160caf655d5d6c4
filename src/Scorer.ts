import type { ModelHealthReport } from "./health/ModelHealth.js";
import type { RerankOptions, RerankResult, ScoreOptions, StreamedScore } from "./RerankerOptions.js";

/**
 * What every scorer answers, whatever runs the model: a Reranker in this process (or its isolated
 * child), a RemoteReranker over HTTP, or a test's fake. RerankServer fronts any Scorer.
 */
export interface Scorer {
    /** One score per pair, in input order. */
    score(pairs: [string, string][], options?: ScoreOptions): Promise<number[]>;
    /** Passages scored against one query, best first. */
    rerank(query: string, passages: string[], options?: RerankOptions): Promise<RerankResult[]>;
    /** { index, score } as each pair is scored; breaking out of the loop cancels the rest. */
    scoreStream(pairs: [string, string][], options?: ScoreOptions): AsyncIterable<StreamedScore>;
    /** What this scorer is: the part every implementation knows, and more where it has it. */
    describe(): ScorerDescription;
    /**
     * Whether calls can be answered now. A supervised scorer whose llama.cpp process died says why
     * here until its replacement is up; a plain Reranker is ready until disposed.
     */
    readiness?(): ScorerReadiness;
    /**
     * The model file's health check (src/health/): degenerate output found by scoring built-in
     * canary pairs, null when none ran. Where a scorer has one, the server's /health reports it.
     */
    modelHealth?(): ModelHealthReport | null;
    dispose(): Promise<void>;
}

export type ScorerDescription = {
    /** name: the file name without .gguf (local) or the model the server names (remote). */
    model: { name: string };
    /** The profile in use, when the scorer knows it (a remote one may not). */
    profile: string | null;
    /** What `normalize: true` applies ("sigmoid", "none"), when known. */
    normalize: "sigmoid" | "none" | null;
};

export type ScorerReadiness = { ready: true } | { ready: false; reason: string; retryAfterSeconds?: number };
