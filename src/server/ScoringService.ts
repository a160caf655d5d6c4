import { isRerankError } from "../errors/errorTransport.js";
import type { Scorer } from "../Scorer.js";
import { AdmissionGate } from "./AdmissionGate.js";
import { requireInputWithin } from "./inputBytes.js";

export type ScoredPairs = {
    /** One score per pair, in input order: the profile's normalized score, or the raw one. */
    scores: number[];
    /**
     * Tokens of every pair's model input, exactly as scored (after the profile's truncation), as
     * the engine built them: never tokenized a second time.
     */
    promptTokens: number;
};

/** What every scoring route does: bound what the model reads, admit the request, score its pairs, count its tokens. */
export class ScoringService {
    readonly scorer: Scorer;
    readonly gate: AdmissionGate;
    /** Scoring calls that stopped because their request's signal fired (disconnect, timeout, shutdown). */
    abortedCalls = 0;

    private readonly maxInputBytes: number;

    constructor(scorer: Scorer, limits: { maxQueuedRequests: number; maxInputBytes: number }) {
        this.scorer = scorer;
        this.gate = new AdmissionGate(limits.maxQueuedRequests);
        this.maxInputBytes = limits.maxInputBytes;
    }

    async score(pairs: [string, string][], options: { raw: boolean; signal: AbortSignal }): Promise<ScoredPairs> {
        requireInputWithin(pairs, this.maxInputBytes);
        return this.gate.run(async () => {
            let promptTokens = 0;
            try {
                const scores = await this.scorer.score(pairs, {
                    normalize: !options.raw,
                    signal: options.signal,
                    onUsage: (usage) => (promptTokens = usage.inputTokens)
                });
                return { scores, promptTokens };
            } catch (error) {
                if (isRerankError(error, "ERR_ABORTED")) this.abortedCalls++;
                throw error;
            }
        });
    }
}

/** Indices of `scores`, best first; equal scores keep input order. */
export function bestFirst(scores: readonly number[]): number[] {
    return scores.map((_, index) => index).sort((a, b) => scores[b]! - scores[a]! || a - b);
}
