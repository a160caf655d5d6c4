/**
 * How a score is read from what the model computes for a sequence. The engine asks the context
 * for `width` floats per finished sequence (the logits of outputTokenIds at its last position) and
 * hands each row to score(). Rank-pooling heads (a classifier on the pooled state) fit the same
 * shape with their own context mode.
 */
export interface ScoreHead {
    /** Token ids whose logits the context returns, in row order. */
    readonly outputTokenIds: Int32Array;
    /** Floats per finished sequence. */
    readonly width: number;
    /** The score of one row; a non-finite row gives a non-finite score (the caller's error to raise). */
    score(row: Float32Array): number;
}
