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

export type SchedulerStats = {
    decodes: number;
    tokensEvaluated: number;
};
