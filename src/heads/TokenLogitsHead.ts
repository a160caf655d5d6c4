import type { ModelProfile } from "../profiles/ModelProfile.js";
import { sigmoid } from "../scoring/combineScore.js";
import type { ScoreHead } from "./ScoreHead.js";

/**
 * Scores from the logits of chosen tokens at the last position: FlagEmbedding's raw logit of "Yes"
 * (one token), or Qwen3-Reranker's P(yes) against "no" (two tokens).
 */
export class TokenLogitsHead implements ScoreHead {
    readonly outputTokenIds: Int32Array;
    readonly width: number;
    private readonly kind: ModelProfile["score"]["kind"];

    constructor(profile: ModelProfile, tokenIds: Int32Array) {
        this.kind = profile.score.kind;
        this.outputTokenIds = tokenIds;
        this.width = tokenIds.length;
    }

    // Float32 logits in, a float64 score out. The softmax of two logits is a sigmoid of their
    // difference, which cannot overflow.
    score(row: Float32Array): number {
        const nonFinite = row.find((logit) => !Number.isFinite(logit));
        if (nonFinite !== undefined) return nonFinite;
        return this.kind === "logit" ? row[0]! : sigmoid(row[0]! - row[1]!);
    }
}
