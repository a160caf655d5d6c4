import { isRerankError } from "../errors/errorTransport.js";
import type { PassageWindows, ScoreOptions } from "../RerankerOptions.js";
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
    /** With overflow "max-window": each pair's windows, the one that gave its score at `best`. */
    windows?: PassageWindows[];
};

/** What a request asks of long passages; the server's default overflow fills in a missing one. */
export type OverflowChoice = Pick<ScoreOptions, "overflow" | "windowTokens" | "windowOverlap">;

/** What every scoring route does: bound what the model reads, admit the request, score its pairs, count its tokens. */
export class ScoringService {
    readonly scorer: Scorer;
    readonly gate: AdmissionGate;
    /** Scoring calls that stopped because their request's signal fired (disconnect, timeout, shutdown). */
    abortedCalls = 0;

    private readonly maxInputBytes: number;
    private readonly defaultOverflow: "truncate" | "max-window";

    constructor(scorer: Scorer, limits: { maxQueuedRequests: number; maxInputBytes: number }, defaultOverflow: "truncate" | "max-window" = "truncate") {
        this.scorer = scorer;
        this.defaultOverflow = defaultOverflow;
        this.gate = new AdmissionGate(limits.maxQueuedRequests);
        this.maxInputBytes = limits.maxInputBytes;
    }

    async score(pairs: [string, string][], options: { raw: boolean; signal: AbortSignal; overflow?: OverflowChoice }): Promise<ScoredPairs> {
        requireInputWithin(pairs, this.maxInputBytes);
        const overflow = { ...options.overflow, overflow: options.overflow?.overflow ?? this.defaultOverflow };
        return this.gate.run(async () => {
            let promptTokens = 0;
            let windows: PassageWindows[] | undefined;
            try {
                const scores = await this.scorer.score(pairs, {
                    normalize: !options.raw,
                    signal: options.signal,
                    onUsage: (usage) => (promptTokens = usage.inputTokens),
                    // Only what the request or the server asked for: a plain request reaches the scorer as before.
                    ...(overflow.overflow === "max-window"
                        ? { ...overflow, onWindows: (passages: PassageWindows[]) => (windows = passages) }
                        : overflow.windowTokens !== undefined || overflow.windowOverlap !== undefined
                          ? overflow
                          : {})
                });
                return { scores, promptTokens, ...(windows ? { windows } : {}) };
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

/** The window a pair's score comes from, in the answer's snake_case; nothing without windows. */
export function windowField(windows: PassageWindows[] | undefined, index: number): { window?: Record<string, number> } {
    if (!windows) return {};
    const { windows: all, best } = windows[index]!;
    const { start, end, tokenStart, tokenEnd, index: windowIndex, count } = all[best]!;
    return { window: { start, end, token_start: tokenStart, token_end: tokenEnd, index: windowIndex, count } };
}
