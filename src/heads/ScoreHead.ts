/**
 * How a score is read from what the model computes for a sequence. The engine asks the context
 * for `width` floats per finished sequence and hands each row to score(): the logits of
 * outputTokenIds at its last position (a logits head), or the classifier outputs llama.cpp's rank
 * pooling returns for the sequence (a rank-pooling head, whose context runs in that mode and whose
 * outputTokenIds is empty). Float32 in, one float64 score out.
 */
export interface ScoreHead {
    readonly kind: "logits" | "rank-pooling";
    /** Token ids whose logits the context returns, in row order; empty for a rank-pooling head. */
    readonly outputTokenIds: Int32Array;
    /** Floats per finished sequence. */
    readonly width: number;
    /** The score of one row; a non-finite row gives a non-finite score (the caller's error to raise). */
    score(row: Float32Array): number;
}
