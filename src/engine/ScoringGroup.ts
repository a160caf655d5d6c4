/** One sequence to score: its position in the caller's input and its token ids. */
export type ScoringSequence = {
    index: number;
    tokens: Int32Array;
};

/**
 * Sequences scored together. When prefixLength > 0, every sequence starts with the same
 * prefixLength tokens: they are decoded once and their KV cells shared by every slot.
 */
export type ScoringGroup = {
    prefixLength: number;
    sequences: ScoringSequence[];
};

/** What the engine counted for one job. */
export type SchedulerStats = {
    decodes: number;
    tokensEvaluated: number;
    /** Filler tokens decoded after the job's finishing sequences (packEqualBatch); not in tokensEvaluated. */
    fillerTokens: number;
    /** Decodes that also held another job's tokens. */
    sharedDecodes: number;
    /** From run() to the job's first decode (to its end when it never got one). */
    queueMs: number;
    /** From its first decode to its end. */
    computeMs: number;
};

export function emptySchedulerStats(): SchedulerStats {
    return { decodes: 0, tokensEvaluated: 0, fillerTokens: 0, sharedDecodes: 0, queueMs: 0, computeMs: 0 };
}
