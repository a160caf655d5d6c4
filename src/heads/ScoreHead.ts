/**
 * How a score is read from what one decode returns for a finished sequence: `width` floats (the
 * logits of chosen tokens, or a rank-pooled classifier output) in, one float64 score out. A
 * non-finite input gives a non-finite score, which the caller turns into an error.
 */
export interface ScoreHead {
    readonly kind: "logits" | "rank-pooling";
    /** Floats per finished sequence. */
    readonly width: number;
    score(row: Float32Array): number;
}
