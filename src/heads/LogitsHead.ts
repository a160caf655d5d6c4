import type { ModelProfile } from "../profiles/ModelProfile.js";
import { combineScore } from "../scoring/combineScore.js";
import type { ScoreHead } from "./ScoreHead.js";

/** The logits of the profile's score tokens at the last position: one logit, or softmax over yes/no. */
export class LogitsHead implements ScoreHead {
    readonly kind = "logits";
    readonly width: number;

    constructor(
        private readonly profile: ModelProfile,
        readonly scoreTokenIds: Int32Array
    ) {
        this.width = scoreTokenIds.length;
    }

    score(row: Float32Array): number {
        return combineScore(this.profile, row);
    }
}
