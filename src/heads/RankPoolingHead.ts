import type { ScoreHead } from "./ScoreHead.js";

/**
 * llama.cpp's rank pooling output (llama_get_embeddings_seq): for a BERT-family classifier the raw
 * relevance logit (one float, no sigmoid); for a converted Qwen3-Reranker the softmax of its two
 * head rows, of which the score is the "yes" entry: P(yes), as the model card's softmax gives it.
 */
export class RankPoolingHead implements ScoreHead {
    readonly kind = "rank-pooling";
    /** The context pools the classifier itself: no token logits are read. */
    readonly outputTokenIds = new Int32Array(0);

    constructor(
        readonly width: number,
        /** Which float is the score: 0 for a one-logit head, the "yes" label's index for Qwen3. */
        private readonly scoreIndex: number
    ) {
        if (!Number.isInteger(width) || width < 1 || scoreIndex < 0 || scoreIndex >= width) throw new RangeError(`no output ${scoreIndex} among ${width}`);
    }

    score(row: Float32Array): number {
        const nonFinite = row.find((value) => !Number.isFinite(value));
        return nonFinite ?? row[this.scoreIndex]!;
    }
}
