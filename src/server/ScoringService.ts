import { AbortedError } from "../errors/errors.js";
import type { Reranker } from "../Reranker.js";
import { AdmissionGate } from "./AdmissionGate.js";

export type ScoredPairs = {
    /** One score per pair, in input order: the profile's normalized score, or the raw one. */
    scores: number[];
    /** Tokens of every pair's model input, exactly as scored (after the profile's truncation). */
    promptTokens: number;
};

/** What every scoring route does: admit the request, score its pairs, count its tokens. */
export class ScoringService {
    readonly reranker: Reranker;
    readonly gate: AdmissionGate;
    /** Scoring calls that stopped because their request's signal fired (disconnect, timeout, shutdown). */
    abortedCalls = 0;

    constructor(reranker: Reranker, maxQueuedRequests: number) {
        this.reranker = reranker;
        this.gate = new AdmissionGate(maxQueuedRequests);
    }

    score(pairs: [string, string][], options: { raw: boolean; signal: AbortSignal }): Promise<ScoredPairs> {
        return this.gate.run(async () => {
            let scores: number[];
            try {
                scores = await this.reranker.score(pairs, { normalize: !options.raw, signal: options.signal });
            } catch (error) {
                if (error instanceof AbortedError) this.abortedCalls++;
                throw error;
            }
            let promptTokens = 0;
            // After scoring: the inputs are in the token cache by then.
            for (const [query, passage] of pairs) promptTokens += (await this.reranker.buildInput(query, passage)).length;
            return { scores, promptTokens };
        });
    }
}

/** Indices of `scores`, best first; equal scores keep input order. */
export function bestFirst(scores: readonly number[]): number[] {
    return scores.map((_, index) => index).sort((a, b) => scores[b]! - scores[a]! || a - b);
}
