import type { ModelProfile } from "../profiles/ModelProfile.js";

/** The tokens whose logits a logits head reads; none for a rank profile. */
export function scoredTokenTexts(profile: ModelProfile): string[] {
    if (profile.score.kind === "rank") return [];
    return profile.score.kind === "softmax" ? [profile.score.token, profile.score.against] : [profile.score.token];
}

// Float32 logits in, a float64 score out. The softmax of two logits is a sigmoid of their
// difference, which cannot overflow.
export function combineScore(profile: ModelProfile, logits: Float32Array): number {
    const nonFinite = logits.find((logit) => !Number.isFinite(logit));
    if (nonFinite !== undefined) return nonFinite;
    if (profile.score.kind !== "softmax") return logits[0]!;
    return sigmoid(logits[0]! - logits[1]!);
}

export function sigmoid(value: number): number {
    return 1 / (1 + Math.exp(-value));
}
