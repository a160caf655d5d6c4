import type { ModelProfile } from "../profiles/ModelProfile.js";
import { sigmoid } from "../scoring/combineScore.js";
import type { ScoreHead } from "./ScoreHead.js";

/**
 * Scores from the logits of chosen tokens at the last position: FlagEmbedding's raw logit of "Yes"
 * (one token), Qwen3-Reranker's P(yes) against "no", or mxbai-rerank-v2's logit("1") - logit("0")
 * (two tokens).
 */
export class TokenLogitsHead implements ScoreHead {
    readonly kind = "logits";
    readonly outputTokenIds: Int32Array;
    readonly width: number;
    private readonly combine: ModelProfile["score"]["kind"];

    constructor(profile: ModelProfile, tokenIds: Int32Array) {
        this.combine = profile.score.kind;
        this.outputTokenIds = tokenIds;
        this.width = tokenIds.length;
    }

    // Float32 logits in, a float64 score out. The softmax of two logits is a sigmoid of their
    // difference, which cannot overflow.
    score(row: Float32Array): number {
        const nonFinite = row.find((logit) => !Number.isFinite(logit));
        if (nonFinite !== undefined) return nonFinite;
        if (this.combine === "softmax") return sigmoid(row[0]! - row[1]!);
        // float64 difference of the two float32 logits (the reference subtracts in its dtype)
        if (this.combine === "logit-difference") return row[0]! - row[1]!;
        return row[0]!;
    }
}
